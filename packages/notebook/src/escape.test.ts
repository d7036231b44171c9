import { describe, expect, it } from "vitest";
import { escapeHtml, truncate } from "./escape.js";

describe("escapeHtml", () => {
  it.each([
    ["<unk>", "&lt;unk&gt;"],
    ['"quoted"', "&quot;quoted&quot;"],
    ["it's", "it&#39;s"],
    ["a & b", "a &amp; b"],
    ["&amp;", "&amp;amp;"],
    ["▁the", "▁the"],
    ["[CLS]", "[CLS]"],
    ["</svg><script>alert(1)</script>", "&lt;/svg&gt;&lt;script&gt;alert(1)&lt;/script&gt;"],
  ])("escapes %j", (text, expected) => {
    expect(escapeHtml(text)).toBe(expected);
  });

  it("replaces characters XML forbids, keeps tab, newline and surrogate pairs", () => {
    expect(escapeHtml("a\u0000b\u001Fc\uFFFF")).toBe("a\uFFFDb\uFFFDc\uFFFD");
    expect(escapeHtml("x\ty\nz\r")).toBe("x\ty\nz\r");
    expect(escapeHtml("😀")).toBe("😀");
    expect(escapeHtml("a\uD83Db")).toBe("a\uFFFDb");
    expect(escapeHtml("a\uDE00b")).toBe("a\uFFFDb");
  });
});

describe("truncate", () => {
  it("keeps short text and cuts long text with an ellipsis, by code point", () => {
    expect(truncate("▁the", 8)).toBe("▁the");
    expect(truncate("▁internationalization", 8)).toBe("▁intern…");
    expect(truncate("😀😀😀", 2)).toBe("😀…");
  });
});
