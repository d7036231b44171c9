import { describe, expect, it } from "vitest";
import { isCombiningMark, isPythonDigit, isPythonWhitespace } from "./python-unicode.js";
import {
  endsWithDigitComma,
  preprocessUncased,
  preprocessUncasedText,
} from "./uncased-preprocessing.js";

describe("preprocessUncased (HF AlbertTokenizer.preprocess_text, albert-*-v2 settings)", () => {
  it.each([
    ["  Hello \t\n World  ", "hello world"],
    ["``quoted'' and 'single'", "\"quoted\" and 'single'"],
    ["Café NAÏVE résumé", "cafe naive resume"],
    ["Ｆｕｌｌｗｉｄｔｈ ﬁle ①", "fullwidth file 1"],
    ["ΟΔΥΣΣΕΥΣ", "οδυσσευς"], // final sigma, as Python's str.lower()
    ["İstanbul", "istanbul"], // NFKD splits the dot above, which is then dropped
    ["a\u00a0b\u3000c\u2028d\x1fe\x85f", "a b c d e f"], // Python's str.split() whitespace
    ["a\u200bb\ufeffc", "a\u200bb\ufeffc"], // not whitespace for Python
    ["", ""],
    ["  ¨x\u00a8 ", " x "], // NFKD of ¨ is a space + a combining mark, after collapsing
    ["𝐀𝟗 ᴬ ﷺ", "a9 a صلى الله عليه وسلم"],
  ])("%j -> %j", (input, output) => {
    expect(preprocessUncased(input).text).toBe(output);
    expect(preprocessUncasedText(input)).toBe(output);
  });

  it("the fast and the aligned versions agree on random text", () => {
    let seed = 3;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const pool = [..." \t\n\u3000\u00a0aZé`'ＡﬁΣσ①²İ\u0301\u0338ǅ😀東\u200b\u00a8"];
    for (let i = 0; i < 2000; i++) {
      let text = "";
      for (let k = rand(12); k > 0; k--) text += pool[rand(pool.length)];
      expect(preprocessUncasedText(text)).toBe(preprocessUncased(text).text);
    }
  });

  it("maps every output character back to its source span", () => {
    const text = "  ÉCOLE  ``x''";
    const { text: out, origStart, origEnd } = preprocessUncased(text);
    expect(out).toBe('ecole "x"');
    expect(text.slice(origStart[0]!, origEnd[0]!)).toBe("É");
    expect(text.slice(origStart[5]!, origEnd[5]!)).toBe("  "); // the collapsed run
    expect(text.slice(origStart[6]!, origEnd[6]!)).toBe("``");
    expect(text.slice(origStart[8]!, origEnd[8]!)).toBe("''");
  });
});

describe("Python character classes", () => {
  it("whitespace is Python's str.isspace()", () => {
    for (const c of [
      0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000,
      0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
    ]) {
      expect(isPythonWhitespace(c)).toBe(true);
    }
    for (const c of [0x08, 0x41, 0x180e, 0x200b, 0xfeff]) expect(isPythonWhitespace(c)).toBe(false);
  });

  it("combining marks have a non-zero canonical combining class", () => {
    expect(isCombiningMark(0x0301)).toBe(true);
    expect(isCombiningMark(0x0338)).toBe(true);
    expect(isCombiningMark(0x0041)).toBe(false);
    expect(isCombiningMark(0x200d)).toBe(false); // ZWJ: class 0
  });

  it("digits are Python's str.isdigit()", () => {
    for (const c of "09²①９٣𝟗") expect(isPythonDigit(c.codePointAt(0)!)).toBe(true);
    for (const c of "a½Ⅻ,") expect(isPythonDigit(c.codePointAt(0)!)).toBe(false);
  });

  it("finds pieces that end in digit + comma", () => {
    expect(endsWithDigitComma("▁9,")).toBe(true);
    expect(endsWithDigitComma("0,")).toBe(true);
    expect(endsWithDigitComma("𝟗,")).toBe(true);
    expect(endsWithDigitComma(",")).toBe(false);
    expect(endsWithDigitComma("a,")).toBe(false);
    expect(endsWithDigitComma("9")).toBe(false);
  });
});
