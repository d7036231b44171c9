import { initBackend, tf } from "@albert/core";
import { beforeAll, describe, expect, it } from "vitest";
import { tensorPreviewHtml, tensorStats } from "./tensor-preview.js";

/** Text of the table cells, in order. */
function cells(html: string): string[] {
  return [...html.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1] as string);
}

describe("tensorStats", () => {
  it("summarises finite values and counts NaN and infinities", () => {
    expect(tensorStats({ shape: [3], dtype: "float32", values: [1, 2, NaN] })).toEqual({
      size: 3,
      min: 1,
      max: 2,
      mean: 1.5,
      std: 0.5,
      nan: 1,
      infinite: 0,
    });
    const s = tensorStats({ shape: [4], dtype: "float32", values: [2, 4, 4, Infinity] });
    expect(s).toMatchObject({ min: 2, max: 4, infinite: 1 });
    expect(s.mean).toBeCloseTo(10 / 3, 12);
  });
});

describe("tensorPreviewHtml", () => {
  beforeAll(async () => {
    await initBackend("cpu");
  });

  it("shows shape, dtype, size, statistics and the whole of a small matrix", () => {
    const t = tf.tensor2d([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const html = tensorPreviewHtml(t, { name: "x" });
    t.dispose();
    expect(html).toContain("<b>x</b> <code>[2, 3]</code> float32 · 6 values");
    expect(html).toContain("min <code>1</code> · max <code>6</code> · mean <code>3.5</code>");
    expect(cells(html)).toEqual(["1", "2", "3", "4", "5", "6"]);
    expect(html).not.toContain("⋯");
  });

  it("shows the top-left corner of the last two axes of a large tensor, with the last column and what was left out", () => {
    const values = Array.from({ length: 2 * 10 * 12 }, (_, i) => i);
    const html = tensorPreviewHtml(
      { shape: [2, 10, 12], dtype: "int32", values },
      { rows: 2, cols: 3 },
    );
    expect(html).toContain("values [0, :, :]");
    // rows 0 and 1, columns 0-2, then the last column (11)
    expect(cells(html).slice(0, 8)).toEqual(["0", "1", "2", "⋯ 11", "12", "13", "14", "⋯ 23"]);
    expect(html).toContain("8 more rows");
    expect(html).toContain("⋯ 11</th>");
  });

  it("handles scalars, vectors and bools, and escapes the name", () => {
    expect(cells(tensorPreviewHtml({ shape: [], dtype: "float32", values: [0.5] }))).toEqual([
      "0.5",
    ]);
    expect(cells(tensorPreviewHtml({ shape: [3], dtype: "float32", values: [1, 2, 3] }))).toEqual([
      "1",
      "2",
      "3",
    ]);
    const b = tf.tensor1d([true, false], "bool");
    expect(cells(tensorPreviewHtml(b))).toEqual(["true", "false"]);
    b.dispose();
    expect(
      tensorPreviewHtml({ shape: [1], dtype: "float32", values: [1] }, { name: "<mask>" }),
    ).toContain("<b>&lt;mask&gt;</b>");
  });

  it("flags NaN and rejects a shape that does not fit the values", () => {
    expect(tensorPreviewHtml({ shape: [2], dtype: "float32", values: [NaN, 1] })).toContain(
      "NaN ×1",
    );
    expect(() => tensorPreviewHtml({ shape: [2, 2], dtype: "float32", values: [1, 2, 3] })).toThrow(
      /needs 4 values, got 3/,
    );
  });
});
