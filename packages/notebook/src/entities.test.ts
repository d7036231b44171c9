import { describe, expect, it } from "vitest";
import { entitiesHtml, scoreBarHtml } from "./entities.js";

describe("entitiesHtml", () => {
  it("marks each span with its type (prefix dropped), one colour per type, text escaped", () => {
    const html = entitiesHtml("john <b> lives in york", [
      { entity_group: "PER", start: 0, end: 4, score: 0.5 },
      { entity: "B-LOC", start: 18, end: 22 },
      { entity_group: "PER", start: 5, end: 8 },
    ]);
    expect(html).toContain('title="PER 0.500"');
    expect(html).toContain("&lt;b&gt;");
    expect(html).not.toContain("<b>");
    expect(html.match(/<mark /g)).toHaveLength(3);
    expect(html).toContain(">york<span");
    const colors = [...html.matchAll(/<mark title="(\w+)[^"]*" style="background:(#\w+)/g)].map((m): [string, string] => [m[1]!, m[2]!]);
    expect(new Map(colors).size).toBe(2);
    expect(colors.filter(([t]) => t === "PER").map(([, c]) => c)).toEqual([colors[0]![1], colors[0]![1]]);
  });

  it("indexes code points, as transformers' offsets", () => {
    const html = entitiesHtml("😀 anna", [{ entity_group: "PER", start: 2, end: 6 }]);
    expect(html).toContain("😀 <mark");
    expect(html).toContain(">anna<span");
  });

  it("ignored types stay plain; an overlapping span is drawn from where the earlier one ends", () => {
    expect(entitiesHtml("a b", [{ entity_group: "O", start: 0, end: 1 }], { ignore: ["O"] })).not.toContain("<mark");
    const html = entitiesHtml("abcd", [{ entity: "X", start: 0, end: 2 }, { entity: "Y", start: 1, end: 3 }, { entity: "Z", start: 0, end: 1 }]);
    expect(html.match(/<mark /g)).toHaveLength(2);
    expect(html).toContain(">ab<span");
    expect(html).toContain(">c<span");
    expect(() => entitiesHtml("abc", [{ entity: "X", start: 2, end: 5 }])).toThrow(RangeError);
  });
});

describe("scoreBarHtml", () => {
  it("a bar as wide as the score and the number, clamped to [0, 1]", () => {
    expect(scoreBarHtml(0.25, { width: 100 })).toContain("width:25px;height:10px;background:#4c78a8");
    expect(scoreBarHtml(0.25, { width: 100 })).toContain(">0.2500<");
    expect(scoreBarHtml(1.5, { width: 100 })).toContain("width:100px;height:10px;background:#4c78a8");
  });
});
