import { initBackend, tf } from "@albert/core";
import { beforeAll, describe, expect, it } from "vitest";
import { interpolateColor } from "./color.js";
import { cosineSimilarityMatrix, similarityHeatmapSvg } from "./similarity.js";
import { cellRects, parseSvg, texts } from "./test-utils/svg.js";

describe("cosineSimilarityMatrix", () => {
  beforeAll(async () => {
    await initBackend("cpu");
  });

  it("computes known similarities", () => {
    const m = cosineSimilarityMatrix([
      [1, 0],
      [1, 1],
      [0, 2],
      [-3, 0],
    ]);
    const s = Math.SQRT1_2;
    const expected = [
      [1, s, 0, -1],
      [s, 1, s, -s],
      [0, s, 1, 0],
      [-1, -s, 0, 1],
    ];
    m.forEach((row, i) =>
      row.forEach((v, j) => expect(v).toBeCloseTo(expected[i]?.[j] as number, 12)),
    );
  });

  it("centres the rows first when asked", () => {
    const m = cosineSimilarityMatrix(
      [
        [1, 1],
        [1, 3],
      ],
      { center: true },
    );
    expect(m[0]?.[1]).toBeCloseTo(-1, 12);
    // Three rows sharing a large common offset: raw similarities are all high, centred ones are not.
    const rows = [
      [10, 0, 1],
      [10, 0, -1],
      [10, 1, 0],
      [10, -1, 0],
    ];
    expect(Math.min(...cosineSimilarityMatrix(rows).flat())).toBeGreaterThan(0.98);
    const centred = cosineSimilarityMatrix(rows, { center: true });
    expect(centred[0]?.[1]).toBeCloseTo(-1, 12);
    expect(centred[0]?.[2]).toBeCloseTo(0, 12);
  });

  it("gives a zero vector similarity 0 with others and 1 with itself", () => {
    expect(
      cosineSimilarityMatrix([
        [0, 0],
        [1, 2],
      ]),
    ).toEqual([
      [1, 0],
      [0, 1],
    ]);
  });

  it("accepts a rank-2 tensor and refuses other ranks and ragged rows", () => {
    const t = tf.tensor2d([
      [3, 4],
      [4, 3],
    ]);
    expect(cosineSimilarityMatrix(t)[0]?.[1]).toBeCloseTo(24 / 25, 6);
    t.dispose();
    const v = tf.tensor1d([1, 2]);
    expect(() => cosineSimilarityMatrix(v)).toThrow(/rank-2 tensor, got shape \[2\]/);
    v.dispose();
    expect(() => cosineSimilarityMatrix([[1, 2], [3]])).toThrow(/row 1 has 1 values, row 0 has 2/);
  });
});

describe("similarityHeatmapSvg", () => {
  it("draws [-1, 1] on the red-blue scale with values and escaped sentence labels", () => {
    const labels = ['He said "hi"', "<b>bold</b>", "cats & dogs"];
    const svg = similarityHeatmapSvg(
      [
        [1, 0],
        [-1, 0],
        [0, 1],
      ],
      labels,
    );
    parseSvg(svg);
    const fills = cellRects(svg).map((c) => c.fill);
    expect(fills[0]).toBe(interpolateColor("redBlue", 1)); // self-similarity: dark red
    expect(fills[1]).toBe(interpolateColor("redBlue", 0)); // opposite: dark blue
    expect(fills[2]).toBe(interpolateColor("redBlue", 0.5)); // orthogonal: white
    const t = texts(svg);
    expect(t).toEqual(
      expect.arrayContaining([
        "Cosine similarity",
        "He said &quot;hi&quot;",
        "&lt;b&gt;bold&lt;/b&gt;",
        "cats &amp; dogs",
        "1.00",
        "-1.00",
        "0.00",
      ]),
    );
    expect(svg).not.toContain("<b>");
    expect(
      texts(
        similarityHeatmapSvg(
          [
            [1, 1],
            [1, 3],
          ],
          ["a", "b"],
          { center: true },
        ),
      ),
    ).toContain("Cosine similarity (centred)");
  });
});
