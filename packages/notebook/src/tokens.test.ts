import { describe, expect, it } from "vitest";
import { tokenPiecesHtml } from "./tokens.js";

/** The piece and id of each chip. */
function chips(html: string): { piece: string; id: string }[] {
  const re =
    /<span style="font-family:[^"]*">((?:[^<]|<span style="color:#aaa">▁<\/span>)*)<\/span><span style="font-size:10px;color:#777">(\d+)<\/span>/g;
  return [...html.matchAll(re)].map((m) => ({
    piece: (m[1] as string).replace(/<span style="color:#aaa">▁<\/span>/g, "▁"),
    id: m[2] as string,
  }));
}

describe("tokenPiecesHtml", () => {
  it("draws one chip per piece with its id, escaping every piece", () => {
    const html = tokenPiecesHtml(
      ["[CLS]", "▁the", "<unk>", '"', "&", "[SEP]"],
      [2, 14, 1, 9, 8, 3],
    );
    expect(chips(html)).toEqual([
      { piece: "[CLS]", id: "2" },
      { piece: "▁the", id: "14" },
      { piece: "&lt;unk&gt;", id: "1" },
      { piece: "&quot;", id: "9" },
      { piece: "&amp;", id: "8" },
      { piece: "[SEP]", id: "3" },
    ]);
    expect(html).not.toContain("<unk>");
    expect(html).toContain('<span style="color:#aaa">▁</span>the');
  });

  it("marks special tokens grey and <unk> red, with a tooltip per chip", () => {
    const html = tokenPiecesHtml(["[CLS]", "<unk>", "▁a"], [2, 1, 5]);
    expect(html).toContain(
      'title="position 0 · piece &quot;[CLS]&quot; · id 2" style="display:inline-flex;flex-direction:column;align-items:center;margin:2px;padding:1px 5px;border:1px solid #bbbbbb;border-radius:4px;background:#eeeeee"',
    );
    expect(html).toMatch(/piece &quot;&lt;unk&gt;&quot; · id 1"[^>]*background:#fde0dd/);
    expect(html).toMatch(/piece &quot;▁a&quot; · id 5"[^>]*background:#f5f9ff/);
  });

  it("collapses trailing padding into one chip, but not a single pad", () => {
    const html = tokenPiecesHtml(
      ["[CLS]", "▁a", "[SEP]", "<pad>", "<pad>", "<pad>"],
      [2, 5, 3, 0, 0, 0],
    );
    expect(chips(html).map((c) => c.piece)).toEqual(["[CLS]", "▁a", "[SEP]", "&lt;pad&gt; ×3"]);
    expect(html).toContain("positions 3–5 · padding · id 0");
    expect(chips(tokenPiecesHtml(["▁a", "<pad>"], [5, 0]))).toHaveLength(2);
    expect(
      chips(tokenPiecesHtml(["▁a", "<pad>", "<pad>"], [5, 0, 0], { collapsePadding: false })),
    ).toHaveLength(3);
  });

  it("underlines second segments and shows the source text", () => {
    const html = tokenPiecesHtml(["[CLS]", "▁q", "[SEP]", "▁c", "[SEP]"], [2, 7, 3, 8, 3], {
      segmentIds: [0, 0, 0, 1, 1],
      text: "q & c",
    });
    expect((html.match(/box-shadow:inset 0 -3px 0 #1f77b4/g) ?? []).length).toBe(2);
    expect(html).toContain("<q>q &amp; c</q> · 5 pieces");
  });

  it("rejects mismatched lengths", () => {
    expect(() => tokenPiecesHtml(["a", "b"], [1])).toThrow(/2 pieces but 1 ids/);
    expect(() => tokenPiecesHtml(["a"], [1], { segmentIds: [0, 0] })).toThrow(
      /1 pieces but 2 segment ids/,
    );
  });
});
