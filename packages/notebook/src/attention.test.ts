import { AlbertBackbone, tf } from "@albert/core";
import { afterAll, describe, expect, it } from "vitest";
import { attentionHeatmapSvg, attentionMatrix } from "./attention.js";
import { interpolateColor } from "./color.js";
import { cellRects, parseSvg, texts } from "./test-utils/svg.js";

// [batch 1, heads 2, seq 3, seq 3]
const nested = [
  [
    [
      [1, 0, 0],
      [0.5, 0.5, 0],
      [0.2, 0.3, 0.5],
    ],
    [
      [0, 1, 0],
      [0, 0, 1],
      [1, 0, 0],
    ],
  ],
];

describe("attentionMatrix", () => {
  it("picks a head of a batch row from nested arrays", () => {
    expect(attentionMatrix(nested, { head: 1 })).toEqual(nested[0]?.[1]);
    expect(() => attentionMatrix(nested, { head: 2 })).toThrow(
      /head 2 does not exist; there are 2 heads/,
    );
    expect(() => attentionMatrix(nested, { batch: 1 })).toThrow(/batch row 1 does not exist/);
  });
});

describe("attention of a real backbone", () => {
  const backbone = new AlbertBackbone({
    vocabularySize: 50,
    numLayers: 4,
    numHeads: 2,
    embeddingDim: 4,
    hiddenDim: 8,
    intermediateDim: 16,
    maxSequenceLength: 6,
    numGroups: 2,
    numInnerRepetitions: 1,
  });
  afterAll(() => backbone.dispose());
  const out = backbone.predict(
    {
      tokenIds: [[2, 10, 11, 3, 0]],
      segmentIds: [[0, 0, 0, 0, 0]],
      paddingMask: [[1, 1, 1, 1, 0]],
    },
    { returnAttentionScores: true },
  );
  const scores = out.attentionScores ?? [];
  afterAll(() => tf.dispose([out.sequenceOutput, out.pooledOutput, ...scores]));

  it("selects one application's tensor and gives rows that are probability distributions", () => {
    expect(scores).toHaveLength(4);
    const m = attentionMatrix(scores, { application: 3, head: 1 });
    expect(m).toHaveLength(5);
    for (const row of m) {
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(row[4]).toBeCloseTo(0, 6); // the padded key gets no attention
    }
    expect(m).toEqual((scores[3]?.arraySync() as number[][][][])[0]?.[1]);
    expect(() => attentionMatrix(scores, { application: 4 })).toThrow(
      /application 4 does not exist; there are 4 \(0 to 3\)/,
    );
    expect(() => attentionMatrix(scores[0] as tf.Tensor, { application: 1 })).toThrow(
      /per-application list/,
    );
    expect(() => attentionMatrix(out.sequenceOutput)).toThrow(
      /expected \[batch, heads, seq, seq\], got shape \[1, 5, 8\]/,
    );
  });

  it("draws the map on a fixed [0, 1] scale, cut to the given tokens (hiding padding)", () => {
    const tokens = ["[CLS]", "▁a", "<unk>", "[SEP]"];
    const svg = attentionHeatmapSvg(scores, {
      application: 2,
      head: 0,
      tokens,
      layerNames: backbone.layerSchedule().map((l) => l.name),
    });
    parseSvg(svg);
    const cells = cellRects(svg);
    expect(cells).toHaveLength(16);
    const m = attentionMatrix(scores, { application: 2, head: 0 });
    expect(cells.map((c) => c.fill)).toEqual(
      m
        .slice(0, 4)
        .flatMap((row) => row.slice(0, 4))
        .map((v) => interpolateColor("blues", v)),
    );
    expect(texts(svg)).toEqual(
      expect.arrayContaining([
        "Attention · application 2 (group_1_inner_layer_0) · head 0",
        "&lt;unk&gt;",
        "query",
        "key",
        "1.00",
        "0.00",
      ]),
    );
    expect(() => attentionHeatmapSvg(scores, { tokens: ["a", "b", "c", "d", "e", "f"] })).toThrow(
      /6 tokens for a sequence of 5/,
    );
  });
});
