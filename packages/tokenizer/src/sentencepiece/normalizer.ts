import { TokenizerError } from "../errors.js";
import { DartsDoubleArray } from "./darts-double-array.js";
import type { NormalizerSpec } from "./model-proto.js";
import type { PieceTrie } from "./piece-trie.js";
import { validUtf8CharLength } from "./utf8.js";

/** Normalized UTF-8 text and, for each of its bytes (and its end), the input byte offset it came from. */
export interface NormalizedText {
  bytes: Uint8Array;
  /** `normToOrig[i]` is the input byte offset of normalized byte `i`; one extra entry for the end.
   * Empty when offsets were not asked for. */
  normToOrig: Int32Array;
}

const SPACE = 0x20;
const REPLACEMENT_CHARACTER = new Uint8Array([0xef, 0xbf, 0xbd]);
const EMPTY: NormalizedText = { bytes: new Uint8Array(0), normToOrig: new Int32Array(1) };
const NO_OFFSETS = new Int32Array(0);
const REUSED_BUFFER_BYTES = 1 << 16;

/** Copies of `out` and `map` (when it is in use) with room for `needed` bytes. */
function grow(
  out: Uint8Array,
  map: Int32Array,
  size: number,
  needed: number,
): [Uint8Array, Int32Array] {
  let capacity = out.length;
  while (needed > capacity) capacity *= 2;
  const grownOut = new Uint8Array(capacity);
  grownOut.set(out.subarray(0, size));
  if (map.length === 0) return [grownOut, map];
  const grownMap = new Int32Array(capacity + 1);
  grownMap.set(map.subarray(0, size));
  return [grownOut, grownMap];
}

/**
 * A `precompiled_charsmap`: `<trie size: uint32 LE><double-array units><NUL-terminated
 * replacement strings>`, the trie's values pointing into the replacements.
 */
export function parsePrecompiledCharsmap(blob: Uint8Array): {
  rules: DartsDoubleArray;
  replacements: Uint8Array;
} {
  if (blob.length <= 4) {
    throw new TokenizerError(
      "invalid_model",
      `normalizer precompiled_charsmap is broken: ${blob.length} bytes, expected more than 4`,
    );
  }
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const trieSize = view.getUint32(0, true);
  if (trieSize >= blob.length || trieSize % 4 !== 0 || trieSize === 0) {
    throw new TokenizerError(
      "invalid_model",
      `normalizer precompiled_charsmap is broken: its trie claims ${trieSize} bytes ` +
        `of a ${blob.length}-byte blob`,
    );
  }
  const units = new Uint32Array(trieSize / 4);
  for (let i = 0; i < units.length; i++) units[i] = view.getUint32(4 + i * 4, true);
  return { rules: new DartsDoubleArray(units), replacements: blob.subarray(4 + trieSize) };
}

/** Where the output of one normalization step comes from. */
const FROM_INPUT = 0;
const FROM_RULES = 1;
const FROM_REPLACEMENT = 2;

/**
 * SentencePiece's normalizer: the model's precompiled character map (a darts-clone trie of
 * input strings whose values point into a blob of NUL-terminated replacements; at each
 * position the longest rule wins, else the character is kept), user-defined symbols kept
 * verbatim, then `remove_extra_whitespaces`, `add_dummy_prefix` and escaping spaces as U+2581,
 * exactly as the C++ `Normalizer::Normalize`.
 *
 * `normalize` returns views of buffers that the next call reuses: consume them first.
 */
export class Normalizer {
  private readonly spec: NormalizerSpec;
  private readonly treatWhitespaceAsSuffix: boolean;
  private readonly rules: DartsDoubleArray | undefined;
  private readonly replacements: Uint8Array;
  private userDefined: PieceTrie | undefined;
  /**
   * For an ASCII byte `b` followed by an ASCII byte `c`, `plainAscii[b * 128 + c]` is 1 when no
   * rule and no user-defined symbol can start at `b`: then `b` normalizes to itself.
   */
  private plainAscii = new Uint8Array(128 * 128);
  /** For an ASCII byte at the very end of the input: no rule or symbol is exactly that byte. */
  private plainAsciiAtEnd = new Uint8Array(128);

  // Result of the last `normalizePrefix`: the source, the range in it.
  private source = FROM_INPUT;
  private start = 0;
  private end = 0;

  /** Output buffers reused by calls whose output fits in `REUSED_BUFFER_BYTES`. */
  private reusedOut = new Uint8Array(REUSED_BUFFER_BYTES);
  private reusedMap: Int32Array | undefined;

  constructor(spec: NormalizerSpec, treatWhitespaceAsSuffix = false) {
    this.spec = spec;
    this.treatWhitespaceAsSuffix = treatWhitespaceAsSuffix;
    const blob = spec.precompiledCharsmap;
    if (blob.length === 0) {
      this.rules = undefined;
      this.replacements = new Uint8Array(0);
    } else {
      ({ rules: this.rules, replacements: this.replacements } = parsePrecompiledCharsmap(blob));
    }
    this.computePlainAscii();
  }

  /** User-defined symbols are matched in the raw input and never normalized. */
  setUserDefinedSymbols(trie: PieceTrie | undefined): void {
    this.userDefined = trie;
    this.computePlainAscii();
  }

  private computePlainAscii(): void {
    const probe = new Uint8Array(2);
    for (let b = 0; b < 128; b++) {
      probe[0] = b;
      const userStarts = this.userDefined !== undefined && this.userDefined.child(0, b) >= 0;
      const singleRule = this.rules !== undefined && this.rules.longestPrefix(probe, 0, 1) > 0;
      this.plainAsciiAtEnd[b] = userStarts || singleRule ? 0 : 1;
      for (let c = 0; c < 128; c++) {
        probe[1] = c;
        const pairRule = this.rules !== undefined && this.rules.longestPrefix(probe, 0, 2) > 0;
        // A longer rule needs the pair as a prefix: walk the trie to see if it exists.
        const pairPrefix = this.rules !== undefined && this.rules.hasPrefix(probe, 0, 2);
        this.plainAscii[b * 128 + c] = userStarts || singleRule || pairRule || pairPrefix ? 0 : 1;
      }
    }
  }

  /**
   * Normalizes one step at `pos`: returns the input bytes consumed and leaves the output in
   * (`source`, `start`, `end`).
   */
  private normalizePrefix(input: Uint8Array, pos: number, end: number): number {
    if (this.userDefined !== undefined) {
      const id = this.userDefined.longestPrefix(input, pos, end);
      if (id >= 0) {
        const length = this.userDefined.matchLength;
        this.source = FROM_INPUT;
        this.start = pos;
        this.end = pos + length;
        return length;
      }
    }
    if (this.rules !== undefined) {
      const length = this.rules.longestPrefix(input, pos, end);
      if (length > 0) {
        const replacements = this.replacements;
        const from = this.rules.matchValue;
        let to = from;
        while (to < replacements.length && replacements[to] !== 0) to++;
        this.source = FROM_RULES;
        this.start = Math.min(from, replacements.length);
        this.end = to;
        return length;
      }
    }
    const length = validUtf8CharLength(input, pos, end);
    if (length === 0) {
      this.source = FROM_REPLACEMENT;
      this.start = 0;
      this.end = 3;
      return 1;
    }
    this.source = FROM_INPUT;
    this.start = pos;
    this.end = pos + length;
    return length;
  }

  private sourceBytes(input: Uint8Array): Uint8Array {
    return this.source === FROM_INPUT
      ? input
      : this.source === FROM_RULES
        ? this.replacements
        : REPLACEMENT_CHARACTER;
  }

  /**
   * Normalizes UTF-8 `input` (see the class comment). With `trackOffsets`, `normToOrig` maps
   * each normalized byte to the input byte it came from.
   */
  normalize(input: Uint8Array, trackOffsets = true): NormalizedText {
    const n = input.length;
    const spec = this.spec;
    const removeExtra = spec.removeExtraWhitespaces;
    const escape = spec.escapeWhitespaces;
    const plainAscii = this.plainAscii;
    let pos = 0;
    let consumed = 0;

    if (n === 0) return EMPTY;

    // Leading whitespace: skip every step whose output is exactly one space.
    if (removeExtra) {
      while (pos < n) {
        const length = this.normalizePrefix(input, pos, n);
        if (this.end - this.start !== 1 || this.sourceBytes(input)[this.start] !== SPACE) break;
        pos += length;
        consumed += length;
      }
    }
    if (pos >= n) return EMPTY;

    // Output buffers: reused ones for short texts, fresh ones (not kept) for long texts.
    const expected = (n - pos) * 3 + 8;
    let out: Uint8Array;
    let map: Int32Array = NO_OFFSETS;
    if (expected <= REUSED_BUFFER_BYTES) {
      out = this.reusedOut;
      if (trackOffsets) map = this.reusedMap ??= new Int32Array(REUSED_BUFFER_BYTES + 1);
    } else {
      out = new Uint8Array(expected);
      if (trackOffsets) map = new Int32Array(expected + 1);
    }
    let size = 0;
    if (!this.treatWhitespaceAsSuffix && spec.addDummyPrefix) {
      if (escape) {
        out[0] = 0xe2;
        out[1] = 0x96;
        out[2] = 0x81;
        if (trackOffsets) map[0] = map[1] = map[2] = consumed;
        size = 3;
      } else {
        out[0] = SPACE;
        if (trackOffsets) map[0] = consumed;
        size = 1;
      }
    }

    let isPrevSpace = removeExtra;
    while (pos < n) {
      if (size + 3 > out.length) [out, map] = grow(out, map, size, size + 3);
      const b = input[pos]!;
      // Fast path: an ASCII character that no rule or symbol starts with stays as it is.
      if (
        b < 0x80 &&
        (pos + 1 < n
          ? input[pos + 1]! < 0x80 && plainAscii[(b << 7) | input[pos + 1]!] === 1
          : this.plainAsciiAtEnd[b] === 1)
      ) {
        if (b === SPACE) {
          if (!isPrevSpace) {
            if (escape) {
              out[size] = 0xe2;
              out[size + 1] = 0x96;
              out[size + 2] = 0x81;
              if (trackOffsets) map[size] = map[size + 1] = map[size + 2] = consumed;
              size += 3;
            } else {
              out[size] = SPACE;
              if (trackOffsets) map[size] = consumed;
              size += 1;
            }
            isPrevSpace = true;
          }
        } else {
          out[size] = b;
          if (trackOffsets) map[size] = consumed;
          size += 1;
          isPrevSpace = false;
        }
        consumed += 1;
        pos += 1;
        if (!removeExtra) isPrevSpace = false;
        continue;
      }

      const length = this.normalizePrefix(input, pos, n);
      const src = this.sourceBytes(input);
      let s = this.start;
      const e = this.end;
      while (isPrevSpace && s < e && src[s] === SPACE) s++;
      if (s < e) {
        if (size + (e - s) * 3 > out.length) [out, map] = grow(out, map, size, size + (e - s) * 3);
        for (let k = s; k < e; k++) {
          const c = src[k]!;
          if (escape && c === SPACE) {
            out[size] = 0xe2;
            out[size + 1] = 0x96;
            out[size + 2] = 0x81;
            if (trackOffsets) map[size] = map[size + 1] = map[size + 2] = consumed;
            size += 3;
          } else {
            out[size] = c;
            if (trackOffsets) map[size] = consumed;
            size += 1;
          }
        }
        isPrevSpace = src[e - 1] === SPACE;
      }
      consumed += length;
      pos += length;
      if (!removeExtra) isPrevSpace = false;
    }

    // Trailing whitespace (offsets: the input consumed up to the removed space).
    if (removeExtra) {
      const spaceLength = escape ? 3 : 1;
      while (
        size >= spaceLength &&
        (escape
          ? out[size - 3] === 0xe2 && out[size - 2] === 0x96 && out[size - 1] === 0x81
          : out[size - 1] === SPACE)
      ) {
        size -= spaceLength;
        if (trackOffsets) consumed = map[size]!;
      }
    }

    if (this.treatWhitespaceAsSuffix && spec.addDummyPrefix) {
      if (size + 3 > out.length) [out, map] = grow(out, map, size, size + 3);
      if (escape) {
        out[size] = 0xe2;
        out[size + 1] = 0x96;
        out[size + 2] = 0x81;
        if (trackOffsets) map[size] = map[size + 1] = map[size + 2] = consumed;
        size += 3;
      } else {
        out[size] = SPACE;
        if (trackOffsets) map[size] = consumed;
        size += 1;
      }
    }

    if (trackOffsets) {
      map[size] = consumed;
    }
    return {
      bytes: out.subarray(0, size),
      normToOrig: trackOffsets ? map.subarray(0, size + 1) : NO_OFFSETS,
    };
  }
}
