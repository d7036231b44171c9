import { TokenizerError } from "../errors.js";
import type { NormalizedString } from "./normalized-string.js";
import { PrecompiledNormalizer } from "./precompiled.js";
import { field, jsonObject, optionalBoolean, type JsonObject } from "./json.js";
import {
  codePoints,
  decompose,
  isMark,
  isWhitespace,
  lowercaseOf,
  Transformation,
} from "./unicode.js";

/** One step of `tokenizers`' normalization, applied in place. */
export interface HfNormalizer {
  normalize(normalized: NormalizedString): void;
}

/** `Sequence`: each normalizer in turn. */
class SequenceNormalizer implements HfNormalizer {
  constructor(private readonly steps: HfNormalizer[]) {}
  normalize(normalized: NormalizedString): void {
    for (const step of this.steps) step.normalize(normalized);
  }
}

/** `Replace` with a literal pattern. */
class ReplaceNormalizer implements HfNormalizer {
  private readonly pattern: number[];
  private readonly content: number[];
  constructor(pattern: string, content: string) {
    this.pattern = codePoints(pattern);
    this.content = codePoints(content);
  }
  normalize(normalized: NormalizedString): void {
    normalized.replaceAll(this.pattern, this.content);
  }
}

/** `NFD` / `NFKD` with Unicode 9.0 data, as `tokenizers`. */
class DecomposeNormalizer implements HfNormalizer {
  constructor(private readonly compatible: boolean) {}
  normalize(normalized: NormalizedString): void {
    normalized.transform(decompose(normalized.chars, this.compatible), 0);
  }
}

/** `StripAccents`: drops every combining mark (General_Category=Mark, Unicode 9.0). */
class StripAccentsNormalizer implements HfNormalizer {
  normalize(normalized: NormalizedString): void {
    normalized.filter((cp) => !isMark(cp), new Transformation());
  }
}

/** `Lowercase`: Rust's `char::to_lowercase` on each character. */
class LowercaseNormalizer implements HfNormalizer {
  normalize(normalized: NormalizedString): void {
    const dest = new Transformation();
    for (const cp of normalized.chars) {
      const lower = lowercaseOf(cp);
      for (let k = 0; k < lower.length; k++) dest.push(lower[k]!, k === 0 ? 0 : 1);
    }
    normalized.transform(dest, 0);
  }
}

/** `Strip`: removes leading and/or trailing whitespace. */
class StripNormalizer implements HfNormalizer {
  constructor(
    private readonly left: boolean,
    private readonly right: boolean,
  ) {}
  normalize(normalized: NormalizedString): void {
    // The Rust code strips both sides in one pass only when asked for both.
    if (this.left && this.right) {
      normalized.strip(true, true, isWhitespace, new Transformation());
      return;
    }
    if (this.left) normalized.strip(true, false, isWhitespace, new Transformation());
    if (this.right) normalized.strip(false, true, isWhitespace, new Transformation());
  }
}

/** `Nmt`: drops ASCII control characters and turns other spaces into U+0020. */
class NmtNormalizer implements HfNormalizer {
  normalize(normalized: NormalizedString): void {
    normalized.filter((cp) => !isNmtControl(cp), new Transformation());
    const dest = new Transformation();
    for (const cp of normalized.chars) dest.push(isNmtSpace(cp) ? 0x20 : cp, 0);
    normalized.transform(dest, 0);
  }
}

function isNmtControl(cp: number): boolean {
  return (
    (cp >= 0x01 && cp <= 0x08) ||
    cp === 0x0b ||
    (cp >= 0x0e && cp <= 0x1f) ||
    cp === 0x7f ||
    cp === 0x8f ||
    cp === 0x9f
  );
}

function isNmtSpace(cp: number): boolean {
  return (
    cp === 0x09 ||
    cp === 0x0a ||
    cp === 0x0c ||
    cp === 0x0d ||
    cp === 0x1680 ||
    (cp >= 0x200b && cp <= 0x200f) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0x2581 ||
    cp === 0xfeff ||
    cp === 0xfffd
  );
}

/** A normalizer that does nothing (an empty `precompiled_charsmap`). */
const IDENTITY: HfNormalizer = { normalize() {} };

/** The bytes of a base64 string (tokenizer.json's `precompiled_charsmap`). */
export function base64Bytes(text: string, where: string): Uint8Array {
  let binary: string;
  try {
    binary = atob(text);
  } catch (error) {
    throw new TokenizerError("invalid_model", `${where} is not valid base64`, { cause: error });
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The normalizer of a tokenizer.json `normalizer` value (`null`: none). */
export function buildNormalizer(value: unknown, where = "normalizer"): HfNormalizer | undefined {
  if (value === null || value === undefined) return undefined;
  const json = jsonObject(value, where);
  const type = field(json, "type", "string", where);
  switch (type) {
    case "Sequence": {
      const list = field(json, "normalizers", "array", where);
      return new SequenceNormalizer(
        list.map((item, i) => buildNormalizer(item, `${where}.normalizers[${i}]`) ?? IDENTITY),
      );
    }
    case "Replace": {
      const pattern = jsonObject(json.pattern, `${where}.pattern`);
      if (typeof pattern.String !== "string") {
        throw unsupported(`${where}: a Replace with a ${Object.keys(pattern).join("/")} pattern`);
      }
      return new ReplaceNormalizer(pattern.String, field(json, "content", "string", where));
    }
    case "NFD":
      return new DecomposeNormalizer(false);
    case "NFKD":
      return new DecomposeNormalizer(true);
    case "StripAccents":
      return new StripAccentsNormalizer();
    case "Lowercase":
      return new LowercaseNormalizer();
    case "Strip":
      return new StripNormalizer(
        optionalBoolean(json, "strip_left", where) ?? false,
        optionalBoolean(json, "strip_right", where) ?? false,
      );
    case "Nmt":
      return new NmtNormalizer();
    case "Precompiled": {
      const map = field(json, "precompiled_charsmap", "string", where);
      return map.length === 0
        ? IDENTITY
        : new PrecompiledNormalizer(base64Bytes(map, `${where}.precompiled_charsmap`));
    }
    default:
      throw unsupported(`${where}: normalizer type ${JSON.stringify(type)}`);
  }
}

/** A `TokenizerError` for a tokenizer.json feature this package does not implement. */
export function unsupported(what: string): TokenizerError {
  return new TokenizerError(
    "unsupported_model",
    `${what} is not supported; @albert/tokenizer implements what ALBERT's tokenizer.json files ` +
      "use (normalizers Sequence, Replace, NFD, NFKD, StripAccents, Lowercase, Strip, Nmt, " +
      "Precompiled; pre-tokenizers Sequence, WhitespaceSplit, Metaspace; a Unigram model; " +
      "TemplateProcessing; decoders Metaspace, Sequence, Replace, Strip, Fuse)",
  );
}

export type { JsonObject };
