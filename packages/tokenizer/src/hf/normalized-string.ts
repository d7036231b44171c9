import { TokenizerError } from "../errors.js";
import { utf8Length, type Transformation } from "./unicode.js";

/** How `split` treats the pieces that match: `tokenizers`' `SplitDelimiterBehavior`. */
export type SplitBehavior = "removed" | "isolated" | "mergedWithPrevious" | "mergedWithNext";

/**
 * A port of `tokenizers`' `NormalizedString`: text being normalized, and for each of its
 * characters the span of the original text it came from. Every edit goes through `transform`
 * with `(character, change)` pairs, exactly as the Rust library, so that offsets come out the
 * same, quirks included (an inserted character takes the span of the character before it; a
 * removal that no character records shifts the spans after it).
 *
 * Units are code points (Rust works in UTF-8 bytes, but every span starts and ends on a
 * character boundary, so the two agree after converting). Spans are relative to the start of
 * this string's original; `originalShift` is where that original starts in the whole input.
 */
export class NormalizedString {
  /** The normalized text, as code points. */
  chars: number[];
  /** `[starts[i], ends[i])`: the original span of normalized character `i`. */
  starts: number[];
  ends: number[];
  readonly originalShift: number;
  readonly originalLength: number;

  constructor(
    chars: number[],
    starts: number[],
    ends: number[],
    originalShift: number,
    originalLength: number,
  ) {
    this.chars = chars;
    this.starts = starts;
    this.ends = ends;
    this.originalShift = originalShift;
    this.originalLength = originalLength;
  }

  /** An unnormalized string: each character maps to itself. */
  static fromCodePoints(cps: readonly number[]): NormalizedString {
    const n = cps.length;
    const starts = new Array<number>(n);
    const ends = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      starts[i] = i;
      ends[i] = i + 1;
    }
    return new NormalizedString([...cps], starts, ends, 0, n);
  }

  get length(): number {
    return this.chars.length;
  }

  // === Offsets ===

  /** The original span of normalized `[start, end)` (`convert_offsets` of a normalized range). */
  originalRange(start: number, end: number): [number, number] | undefined {
    if (start === end) return [start, end];
    if (start > end || end > this.chars.length) return undefined;
    return [this.starts[start]!, this.ends[end - 1]!];
  }

  /** The normalized range covering the whole original (`convert_offsets` of `Original(..)`). */
  private normalizedRangeOfOriginal(): [number, number] | undefined {
    const target = this.originalLength;
    if (target === 0) return [0, 0];
    let start = -1;
    let end = -1;
    for (let i = 0; i < this.chars.length; i++) {
      if (target < this.ends[i]!) break;
      if (start < 0 && this.starts[i] !== this.ends[i]) start = i;
      end = i + 1;
    }
    if (start >= 0 && end >= 0) return [start, end];
    if (start >= 0) return [start, start];
    if (end >= 0) return [end, end];
    return undefined;
  }

  // === Edits ===

  /**
   * Replaces normalized `[from, to)` by `dest` (`transform_range`): each character of `dest`
   * with change <= 0 takes the span of the next input character, with change > 0 the span of
   * the character before it; `initialOffset` input characters are dropped first.
   */
  transformRange(from: number, to: number, dest: Transformation, initialOffset: number): void {
    const { starts, ends } = this;
    let consumed = from + Math.min(initialOffset, to - from);
    const n = dest.length;
    const newStarts = new Array<number>(n);
    const newEnds = new Array<number>(n);
    for (let k = 0; k < n; k++) {
      const change = dest.changes[k]!;
      let at: number;
      if (change > 0) at = consumed - 1;
      else {
        at = consumed;
        if (at >= ends.length) {
          throw new TokenizerError(
            "invalid_model",
            "a normalizer replaced more characters than the text holds",
          );
        }
      }
      newStarts[k] = at < 0 ? 0 : starts[at]!;
      newEnds[k] = at < 0 ? 0 : ends[at]!;
      if (change <= 0 && consumed < to) consumed++;
      if (change < 0) consumed = Math.min(to, consumed - change);
    }
    // concat, not splice(...spread): texts can be longer than a call's argument limit.
    const tail = (a: number[]) => a.slice(to);
    this.chars = this.chars.slice(0, from).concat(dest.chars, tail(this.chars));
    this.starts = starts.slice(0, from).concat(newStarts, tail(starts));
    this.ends = ends.slice(0, from).concat(newEnds, tail(ends));
  }

  /** `transform`: the whole string (as `Range::Original(..)` resolves it). */
  transform(dest: Transformation, initialOffset: number): void {
    const range = this.normalizedRangeOfOriginal();
    if (range === undefined) return;
    this.transformRange(range[0], range[1], dest, initialOffset);
  }

  /** Keeps the characters for which `keep` is true (`filter`). */
  filter(keep: (cp: number) => boolean, dest: Transformation): void {
    let removed = 0;
    let removedStart = 0;
    let last = -1;
    for (const cp of this.chars) {
      if (keep(cp)) {
        if (last >= 0) dest.push(last, -removed);
        else removedStart = removed;
        last = cp;
        removed = 0;
      } else {
        removed++;
      }
    }
    if (last >= 0) dest.push(last, -removed);
    this.transform(dest, removedStart);
  }

  /** Puts `prefix` before the first character, which lends it its span (`prepend`). */
  prepend(prefix: readonly number[], dest: Transformation): void {
    if (this.chars.length === 0) return;
    prefix.forEach((cp, i) => dest.push(cp, i === 0 ? 0 : 1));
    dest.push(this.chars[0]!, 1);
    this.transformRange(0, 1, dest, 0);
  }

  /**
   * Replaces every non-overlapping occurrence of `pattern` (left to right) by `content`
   * (`replace` with a literal pattern): the inserted characters take the span of the last
   * replaced one.
   */
  replaceAll(pattern: readonly number[], content: readonly number[]): void {
    const matches = findLiteral(this.chars, pattern);
    if (matches.length === 0) return;
    const chars: number[] = [];
    const starts: number[] = [];
    const ends: number[] = [];
    let last = 0;
    for (const start of matches) {
      const end = start + pattern.length;
      for (let i = last; i < start; i++) {
        chars.push(this.chars[i]!);
        starts.push(this.starts[i]!);
        ends.push(this.ends[i]!);
      }
      for (const cp of content) {
        chars.push(cp);
        starts.push(end < 1 ? 0 : this.starts[end - 1]!);
        ends.push(end < 1 ? 0 : this.ends[end - 1]!);
      }
      last = end;
    }
    for (let i = last; i < this.chars.length; i++) {
      chars.push(this.chars[i]!);
      starts.push(this.starts[i]!);
      ends.push(this.ends[i]!);
    }
    this.chars = chars;
    this.starts = starts;
    this.ends = ends;
  }

  /** Removes leading and/or trailing characters for which `isSpace` holds (`lrstrip`). */
  strip(left: boolean, right: boolean, isSpace: (cp: number) => boolean, dest: Transformation) {
    const n = this.chars.length;
    let leading = 0;
    if (left) while (leading < n && isSpace(this.chars[leading]!)) leading++;
    let trailing = 0;
    if (right) while (trailing < n && isSpace(this.chars[n - 1 - trailing]!)) trailing++;
    if (leading === 0 && trailing === 0) return;
    // The Rust code compares a character index with the UTF-8 length here; so do we.
    let bytes = 0;
    for (const cp of this.chars) bytes += utf8Length(cp);
    for (let i = 0; i < n; i++) {
      if (i < leading || i >= n - trailing) continue;
      dest.push(this.chars[i]!, i === bytes - trailing - 1 ? -trailing : 0);
    }
    this.transform(dest, leading);
  }

  // === Splitting ===

  /** The normalized `[start, end)` as a string of its own, spans re-based (`slice`). */
  slice(start: number, end: number): NormalizedString {
    const original = this.originalRange(start, end) ?? [0, 0];
    const shift = original[0];
    return new NormalizedString(
      this.chars.slice(start, end),
      this.starts.slice(start, end).map((s) => s - shift),
      this.ends.slice(start, end).map((e) => e - shift),
      this.originalShift + shift,
      original[1] - original[0],
    );
  }

  /**
   * Splits at the characters for which `isDelimiter` holds (each one a match of its own),
   * treating them as `behavior` says.
   */
  split(isDelimiter: (cp: number) => boolean, behavior: SplitBehavior): NormalizedString[] {
    const pieces: Array<[number, number, boolean]> = [];
    const n = this.chars.length;
    if (n === 0) pieces.push([0, 0, false]);
    let last = 0;
    for (let i = 0; i < n; i++) {
      if (!isDelimiter(this.chars[i]!)) continue;
      if (last < i) pieces.push([last, i, false]);
      pieces.push([i, i + 1, true]);
      last = i + 1;
    }
    if (n > last) pieces.push([last, n, false]);
    return mergeSplits(pieces, behavior).map(([s, e]) => this.slice(s, e));
  }
}

/** Start indices of the non-overlapping occurrences of `pattern` in `text`, left to right. */
function findLiteral(text: readonly number[], pattern: readonly number[]): number[] {
  const out: number[] = [];
  const m = pattern.length;
  if (m === 0) return out;
  const first = pattern[0]!;
  for (let i = 0; i + m <= text.length;) {
    if (text[i] === first) {
      let k = 1;
      while (k < m && text[i + k] === pattern[k]) k++;
      if (k === m) {
        out.push(i);
        i += m;
        continue;
      }
    }
    i++;
  }
  return out;
}

/** `split`'s handling of matches: which pieces survive, merged how. */
function mergeSplits(
  pieces: Array<[number, number, boolean]>,
  behavior: SplitBehavior,
): Array<[number, number]> {
  switch (behavior) {
    case "removed":
      return pieces.filter((p) => !p[2]).map(([s, e]) => [s, e]);
    case "isolated":
      return pieces.map(([s, e]) => [s, e]);
    case "mergedWithPrevious": {
      const out: Array<[number, number]> = [];
      let previousMatch = false;
      for (const [s, e, isMatch] of pieces) {
        if (isMatch && !previousMatch && out.length > 0) out[out.length - 1]![1] = e;
        else out.push([s, e]);
        previousMatch = isMatch;
      }
      return out;
    }
    case "mergedWithNext": {
      const out: Array<[number, number]> = [];
      let previousMatch = false;
      for (let i = pieces.length - 1; i >= 0; i--) {
        const [s, e, isMatch] = pieces[i]!;
        if (isMatch && !previousMatch && out.length > 0) out[out.length - 1]![0] = s;
        else out.push([s, e]);
        previousMatch = isMatch;
      }
      return out.reverse();
    }
  }
}
