import { TokenizerError } from "../errors.js";
import type { DartsDoubleArray } from "../sentencepiece/darts-double-array.js";
import { parsePrecompiledCharsmap } from "../sentencepiece/normalizer.js";
import { codePoints, fromCodePoints, Transformation, utf8Bytes } from "./unicode.js";
import type { NormalizedString } from "./normalized-string.js";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

let graphemeSegmenter: Intl.Segmenter | undefined;

/** Start indices (in code points) of the extended grapheme clusters of `cps`, and the end. */
function graphemeBounds(cps: readonly number[]): number[] {
  const bounds: number[] = [];
  let simple = true;
  for (const cp of cps) {
    if (cp >= 0x80 || cp === 0x0d) {
      simple = false;
      break;
    }
  }
  if (simple) {
    // ASCII without CR: every character is a cluster of its own.
    for (let i = 0; i <= cps.length; i++) bounds.push(i);
    return bounds;
  }
  if (graphemeSegmenter === undefined) {
    if (typeof Intl === "undefined" || typeof Intl.Segmenter !== "function") {
      throw new TokenizerError(
        "unsupported_environment",
        "HF tokenizers' Precompiled normalizer needs Intl.Segmenter (grapheme clusters), which " +
          "this JavaScript engine lacks",
      );
    }
    graphemeSegmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
  }
  const text = fromCodePoints(cps);
  // Segment indices are UTF-16; walk the code points alongside.
  let unit = 0;
  let cp = 0;
  for (const { index } of graphemeSegmenter.segment(text)) {
    while (unit < index) unit += cps[cp++]! > 0xffff ? 2 : 1;
    bounds.push(cp);
  }
  bounds.push(cps.length);
  return bounds;
}

/**
 * `tokenizers`' `Precompiled` normalizer (a SentencePiece model's `precompiled_charsmap`), which
 * differs from SentencePiece's own normalizer: it walks grapheme clusters; a cluster shorter
 * than 6 UTF-8 bytes is replaced whole by the rule of its SHORTEST matching prefix, if any;
 * otherwise each character is replaced by its own rule, if any. Spans follow its `replace`:
 * extra output characters count as inserted, fewer as removals charged to the last one.
 */
export class PrecompiledNormalizer {
  private readonly rules: DartsDoubleArray;
  private readonly replacements: Uint8Array;
  private readonly replacementCache = new Map<number, number[]>();
  /** The rule of each ASCII character alone (null: none), the common case. */
  private readonly asciiRules: Array<number[] | null> = [];
  private scratch: Uint8Array = new Uint8Array(64);

  constructor(charsmap: Uint8Array) {
    ({ rules: this.rules, replacements: this.replacements } = parsePrecompiledCharsmap(charsmap));
    try {
      strictUtf8.decode(this.replacements);
    } catch (error) {
      throw new TokenizerError(
        "invalid_model",
        "normalizer precompiled_charsmap is broken: its replacement strings are not UTF-8",
        { cause: error },
      );
    }
    for (let b = 0; b < 128; b++) this.asciiRules.push(this.transform(Uint8Array.of(b), 1) ?? null);
  }

  /**
   * The rule for the shortest prefix of `bytes[0..length)` that has one, as code points: the
   * first result of `spm_precompiled`'s `common_prefix_search`, which also stops at a NUL byte.
   * (Chunks are at most a few bytes long, so trying each length in turn is cheap.)
   */
  private transform(bytes: Uint8Array, length: number): number[] | undefined {
    let found = 0;
    for (let n = 1; n <= length && bytes[n - 1] !== 0; n++) {
      if (this.rules.longestPrefix(bytes, 0, n) === n) {
        found = n;
        break;
      }
    }
    if (found === 0) return undefined;
    const from = this.rules.matchValue;
    let out = this.replacementCache.get(from);
    if (out === undefined) {
      const blob = this.replacements;
      let to = from;
      while (to < blob.length && blob[to] !== 0) to++;
      out = codePoints(strictUtf8.decode(blob.subarray(Math.min(from, blob.length), to)));
      this.replacementCache.set(from, out);
    }
    return out;
  }

  normalize(normalized: NormalizedString): void {
    const cps = normalized.chars;
    const bounds = graphemeBounds(cps);
    const dest = new Transformation();
    let modified = false;
    for (let g = 0; g + 1 < bounds.length; g++) {
      const start = bounds[g]!;
      const end = bounds[g + 1]!;
      if (end === start + 1 && cps[start]! < 0x80) {
        const rule = this.asciiRules[cps[start]!];
        if (rule === null || rule === undefined) dest.push(cps[start]!, 0);
        else {
          modified = true;
          replace(dest, 1, rule);
        }
        continue;
      }
      let length: number;
      [this.scratch, length] = utf8Bytes(cps, start, end, this.scratch);
      if (length < 6) {
        const rule = this.transform(this.scratch, length);
        if (rule !== undefined) {
          modified = true;
          replace(dest, end - start, rule);
          continue;
        }
      }
      for (let i = start; i < end; i++) {
        [this.scratch, length] = utf8Bytes(cps, i, i + 1, this.scratch);
        const rule = this.transform(this.scratch, length);
        if (rule !== undefined) {
          modified = true;
          replace(dest, 1, rule);
        } else {
          dest.push(cps[i]!, 0);
        }
      }
    }
    if (modified) normalized.transform(dest, 0);
  }
}

/** `tokenizers`' `replace` helper of the Precompiled normalizer. */
function replace(dest: Transformation, oldCount: number, rule: readonly number[]): void {
  for (const cp of rule) dest.push(cp, 0);
  const diff = rule.length - oldCount;
  if (diff > 0) {
    for (let k = dest.length - diff; k < dest.length; k++) dest.changes[k] = 1;
  } else if (diff < 0 && dest.length > 0) {
    dest.changes[dest.length - 1]! += diff;
  }
}
