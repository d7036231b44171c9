// The Unicode 9.0 data HfTokenizer normalizes with, and its reliance on the engine's normalize().
import { describe, expect, it } from "vitest";
import { combiningClass, decompose, isMark, lowercaseOf } from "./unicode.js";
import {
  COMBINING_CLASS_RUNS,
  MARK_RANGES,
  NFD_DECOMPOSABLE_RANGES,
  NFKD_DECOMPOSABLE_RANGES,
} from "./unicode-9-tables.js";

function* codePointsOf(ranges: readonly number[]): Generator<number> {
  for (let i = 0; i < ranges.length; i += 2) {
    for (let cp = ranges[i]!; cp <= ranges[i + 1]!; cp++) yield cp;
  }
}

describe("Unicode 9.0 tables", () => {
  it("this engine decomposes every character the tables list (its Unicode is 9.0 or later)", () => {
    for (const [ranges, form] of [
      [NFKD_DECOMPOSABLE_RANGES, "NFKD"],
      [NFD_DECOMPOSABLE_RANGES, "NFD"],
    ] as const) {
      const missing: number[] = [];
      for (const cp of codePointsOf(ranges)) {
        const c = String.fromCodePoint(cp);
        if (c.normalize(form) === c) missing.push(cp);
      }
      expect(missing).toEqual([]);
    }
  });

  it("lists marks and combining classes from U+0300 on, where the lookups start", () => {
    expect(MARK_RANGES[0]).toBeGreaterThanOrEqual(0x300);
    expect(COMBINING_CLASS_RUNS[0]).toBeGreaterThanOrEqual(0x300);
    expect(isMark(0x301)).toBe(true);
    expect(isMark(0x41)).toBe(false);
    expect(combiningClass(0x301)).toBe(230);
    expect(combiningClass(0x323)).toBe(220);
    // U+1AB0..U+1ABE were added in Unicode 7; U+1ABF came in 13: not a mark for tokenizers.
    expect(isMark(0x1ab0)).toBe(true);
    expect(isMark(0x1abf)).toBe(false);
  });

  it("reorders marks by combining class, their change flags moving with them", () => {
    // ǘ (u, diaeresis 230, acute 230) then dot below (220): the dot goes first.
    const t = decompose([0x1d8, 0x323], true);
    expect(t.chars).toEqual([0x75, 0x323, 0x308, 0x301]);
    expect(t.changes).toEqual([0, 0, 1, 1]);
    // A compatibility decomposition: ﬁ -> f i.
    expect(decompose([0xfb01], true).chars).toEqual([0x66, 0x69]);
    expect(decompose([0xfb01], false).chars).toEqual([0xfb01]);
  });

  it("lowercases one character at a time, as Rust's char::to_lowercase", () => {
    expect(lowercaseOf(0x130)).toEqual([0x69, 0x307]); // İ -> i + dot above
    expect(lowercaseOf(0x3a3)).toEqual([0x3c3]); // Σ -> σ, never the final form alone
    expect(lowercaseOf(0x41)).toEqual([0x61]);
  });
});
