import {
  COMBINING_MARK_RANGES,
  PYTHON_DIGIT_RANGES,
  PYTHON_WHITESPACE_RANGES,
} from "./unicode-tables.js";

/**
 * Binary search over sorted entries of `stride` numbers whose first two are an inclusive
 * [first, last] code point range: the index of the entry holding `cp`, or -1.
 */
export function rangeIndex(ranges: readonly number[], cp: number, stride = 2): number {
  let lo = 0;
  let hi = ranges.length / stride - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < ranges[stride * mid]!) hi = mid - 1;
    else if (cp > ranges[stride * mid + 1]!) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/** Whether `cp` lies in one of the inclusive [first, last] pairs of sorted `ranges`. */
export function inRanges(ranges: readonly number[], cp: number): boolean {
  return rangeIndex(ranges, cp) >= 0;
}

/** Python's `str.isspace()` for one code point (what `str.split()` and `strip()` use). */
export function isPythonWhitespace(cp: number): boolean {
  return (
    cp === 0x20 ||
    (cp >= 0x09 && cp <= 0x0d) ||
    (cp > 0x7f && inRanges(PYTHON_WHITESPACE_RANGES, cp)) ||
    (cp >= 0x1c && cp <= 0x1f)
  );
}

/** Python's `unicodedata.combining(c) != 0`: the canonical combining class is not 0. */
export function isCombiningMark(cp: number): boolean {
  return cp >= 0x300 && inRanges(COMBINING_MARK_RANGES, cp);
}

/** Python's `str.isdigit()` for one code point. */
export function isPythonDigit(cp: number): boolean {
  if (cp < 0x80) return cp >= 0x30 && cp <= 0x39;
  return inRanges(PYTHON_DIGIT_RANGES, cp);
}
