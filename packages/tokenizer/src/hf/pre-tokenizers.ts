import { TokenizerError, describeValue } from "../errors.js";
import { field, jsonObject, optionalField } from "./json.js";
import type { NormalizedString } from "./normalized-string.js";
import { unsupported } from "./normalizers.js";
import { isWhitespace, Transformation } from "./unicode.js";

/** A token of one split: `[start, end)` in code points of the split's normalized text. */
export interface SplitToken {
  id: number;
  value: string;
  start: number;
  end: number;
}

/** A piece of a `PreTokenizedString`: text still to tokenize, or tokens already found. */
export interface Split {
  normalized: NormalizedString;
  tokens?: SplitToken[];
}

/**
 * `PreTokenizedString::split`: `splitter` cuts each split that has no tokens yet; pieces that
 * come out empty are dropped.
 */
export function splitEach(
  splits: readonly Split[],
  splitter: (normalized: NormalizedString) => Split[] | NormalizedString[],
): Split[] {
  const out: Split[] = [];
  for (const split of splits) {
    if (split.tokens !== undefined) {
      out.push(split);
      continue;
    }
    for (const piece of splitter(split.normalized)) {
      const next: Split = "normalized" in piece ? piece : { normalized: piece };
      if (next.normalized.length > 0) out.push(next);
    }
  }
  return out;
}

/** One step of `tokenizers`' pre-tokenization. */
export interface HfPreTokenizer {
  preTokenize(splits: Split[]): Split[];
}

class SequencePreTokenizer implements HfPreTokenizer {
  constructor(private readonly steps: HfPreTokenizer[]) {}
  preTokenize(splits: Split[]): Split[] {
    for (const step of this.steps) splits = step.preTokenize(splits);
    return splits;
  }
}

/** `WhitespaceSplit`: splits on Unicode whitespace, which it drops. */
class WhitespaceSplitPreTokenizer implements HfPreTokenizer {
  preTokenize(splits: Split[]): Split[] {
    return splitEach(splits, (n) => n.split(isWhitespace, "removed"));
  }
}

/** When `Metaspace` puts its replacement character before a split. */
export type PrependScheme = "always" | "first" | "never";

/** `Metaspace`'s settings, as its pre-tokenizer and decoder read them from JSON. */
export function metaspaceSettings(
  json: Record<string, unknown>,
  where: string,
): { replacement: number; prependScheme: PrependScheme; split: boolean } {
  const replacement = field(json, "replacement", "string", where);
  const cps = [...replacement];
  if (cps.length !== 1) {
    throw new TokenizerError(
      "invalid_model",
      `${where}.replacement must be one character, got ${describeValue(replacement)}`,
    );
  }
  let prependScheme = (optionalField(json, "prepend_scheme", "string", where) ??
    "always") as PrependScheme;
  if (!["always", "first", "never"].includes(prependScheme)) {
    throw new TokenizerError(
      "invalid_model",
      `${where}.prepend_scheme must be "always", "first" or "never", got ${describeValue(prependScheme)}`,
    );
  }
  // Older files say add_prefix_space instead; false means "never".
  if (json.add_prefix_space === false) {
    if (prependScheme !== "never" && json.prepend_scheme !== undefined) {
      throw new TokenizerError(
        "invalid_model",
        `${where}: add_prefix_space false does not match prepend_scheme ${JSON.stringify(prependScheme)}`,
      );
    }
    prependScheme = "never";
  }
  const split = optionalField(json, "split", "boolean", where) ?? true;
  return { replacement: cps[0]!.codePointAt(0)!, prependScheme, split };
}

/**
 * `Metaspace`: spaces become the replacement character (U+2581), which is put before each
 * split as the scheme says (not where one is already there), and splits start at each one.
 */
class MetaspacePreTokenizer implements HfPreTokenizer {
  constructor(
    private readonly replacement: number,
    private readonly prependScheme: PrependScheme,
    private readonly split: boolean,
  ) {}

  preTokenize(splits: Split[]): Split[] {
    const replacement = this.replacement;
    return splitEach(splits, (normalized) => {
      normalized.replaceAll([0x20], [replacement]);
      const startsWithIt = normalized.chars[0] === replacement;
      if (
        !startsWithIt &&
        (this.prependScheme === "always" ||
          (this.prependScheme === "first" && normalized.originalShift === 0))
      ) {
        normalized.prepend([replacement], new Transformation());
      }
      return this.split
        ? normalized.split((cp) => cp === replacement, "mergedWithNext")
        : [normalized];
    });
  }
}

/** The pre-tokenizer of a tokenizer.json `pre_tokenizer` value (`null`: none). */
export function buildPreTokenizer(
  value: unknown,
  where = "pre_tokenizer",
): HfPreTokenizer | undefined {
  if (value === null || value === undefined) return undefined;
  const json = jsonObject(value, where);
  const type = field(json, "type", "string", where);
  switch (type) {
    case "Sequence": {
      const list = field(json, "pretokenizers", "array", where);
      return new SequencePreTokenizer(
        list.map(
          (item, i) =>
            buildPreTokenizer(item, `${where}.pretokenizers[${i}]`) ?? new SequencePreTokenizer([]),
        ),
      );
    }
    case "WhitespaceSplit":
      return new WhitespaceSplitPreTokenizer();
    case "Metaspace": {
      const { replacement, prependScheme, split } = metaspaceSettings(json, where);
      return new MetaspacePreTokenizer(replacement, prependScheme, split);
    }
    default:
      throw unsupported(`${where}: pre-tokenizer type ${JSON.stringify(type)}`);
  }
}
