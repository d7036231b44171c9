import { TokenizerError, describeValue } from "../errors.js";
import { field, jsonObject, optionalField } from "./json.js";
import { unsupported } from "./normalizers.js";
import { metaspaceSettings, type PrependScheme } from "./pre-tokenizers.js";

/** `tokenizers`' `Decoder::decode_chain`: tokens in, tokens out (joined at the end). */
export interface HfDecoder {
  decodeChain(tokens: string[]): string[];
}

class SequenceDecoder implements HfDecoder {
  constructor(private readonly steps: HfDecoder[]) {}
  decodeChain(tokens: string[]): string[] {
    for (const step of this.steps) tokens = step.decodeChain(tokens);
    return tokens;
  }
}

/** `Metaspace`: the replacement character becomes a space, except in the first token, where
 * (unless the scheme is "never") every one of them is dropped. */
class MetaspaceDecoder implements HfDecoder {
  constructor(
    private readonly replacement: string,
    private readonly prependScheme: PrependScheme,
  ) {}
  decodeChain(tokens: string[]): string[] {
    return tokens.map((token, i) =>
      token.replaceAll(this.replacement, i === 0 && this.prependScheme !== "never" ? "" : " "),
    );
  }
}

/** `Replace` (literal pattern) on each token. */
class ReplaceDecoder implements HfDecoder {
  constructor(
    private readonly pattern: string,
    private readonly content: string,
  ) {}
  decodeChain(tokens: string[]): string[] {
    return tokens.map((t) =>
      this.pattern.length === 0 ? t : t.replaceAll(this.pattern, this.content),
    );
  }
}

/** `Strip`: up to `start` / `stop` copies of `content` off each end of each token. */
class StripDecoder implements HfDecoder {
  constructor(
    private readonly content: string,
    private readonly start: number,
    private readonly stop: number,
  ) {}
  decodeChain(tokens: string[]): string[] {
    return tokens.map((token) => {
      const chars = [...token];
      let from = 0;
      for (let i = 0; i < Math.min(this.start, chars.length) && chars[i] === this.content; i++) {
        from = i + 1;
      }
      let to = chars.length;
      for (let i = 0; i < this.stop; i++) {
        const index = chars.length - i - 1;
        if (index < 0 || chars[index] !== this.content) break;
        to = index;
      }
      return chars.slice(from, Math.max(from, to)).join("");
    });
  }
}

/** `Fuse`: all tokens into one. */
class FuseDecoder implements HfDecoder {
  decodeChain(tokens: string[]): string[] {
    return [tokens.join("")];
  }
}

/** The decoder of a tokenizer.json `decoder` value (`null`: none). */
export function buildDecoder(value: unknown, where = "decoder"): HfDecoder | undefined {
  if (value === null || value === undefined) return undefined;
  const json = jsonObject(value, where);
  const type = field(json, "type", "string", where);
  switch (type) {
    case "Sequence": {
      const list = field(json, "decoders", "array", where);
      return new SequenceDecoder(
        list.map(
          (item, i) => buildDecoder(item, `${where}.decoders[${i}]`) ?? new SequenceDecoder([]),
        ),
      );
    }
    case "Metaspace": {
      const { replacement, prependScheme } = metaspaceSettings(json, where);
      return new MetaspaceDecoder(String.fromCodePoint(replacement), prependScheme);
    }
    case "Replace": {
      const pattern = jsonObject(json.pattern, `${where}.pattern`);
      if (typeof pattern.String !== "string") {
        throw unsupported(`${where}: a Replace with a ${Object.keys(pattern).join("/")} pattern`);
      }
      return new ReplaceDecoder(pattern.String, field(json, "content", "string", where));
    }
    case "Strip": {
      const content = field(json, "content", "string", where);
      if ([...content].length !== 1) {
        throw new TokenizerError(
          "invalid_model",
          `${where}.content must be one character, got ${describeValue(content)}`,
        );
      }
      return new StripDecoder(
        content,
        optionalField(json, "start", "number", where) ?? 0,
        optionalField(json, "stop", "number", where) ?? 0,
      );
    }
    case "Fuse":
      return new FuseDecoder();
    default:
      throw unsupported(`${where}: decoder type ${JSON.stringify(type)}`);
  }
}
