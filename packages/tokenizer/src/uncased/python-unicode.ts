import {
  COMBINING_MARK_RANGES,
  PYTHON_DIGIT_RANGES,
  PYTHON_WHITESPACE_RANGES,
} from "./unicode-tables.js";

/** Whether `cp` lies in one of the inclusive [first, last] pairs of sorted `ranges`. */
export function inRanges(ranges: readonly number[], cp: number): boolean {
  // Binary search over inclusive [first, last] pairs.
  let lo = 0;
  let hi = ranges.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < ranges[2 * mid]!) hi = mid - 1;
    else if (cp > ranges[2 * mid + 1]!) lo = mid + 1;
    else return true;
  }
  return false;
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
