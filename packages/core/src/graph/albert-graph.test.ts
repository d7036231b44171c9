import { describe, expect, it } from "vitest";
import { buildAlbertGraph, intermediateChunks } from "./albert-graph.js";

describe("intermediateChunks", () => {
  it("splits albert_base's intermediate dense into square pieces", () => {
    expect(intermediateChunks({ hiddenDim: 768, intermediateDim: 3072 })).toBe(4);
    // The tiny fixtures (16 -> 32) run the split graph in the parity tests.
    expect(intermediateChunks({ hiddenDim: 16, intermediateDim: 32 })).toBe(2);
  });

  it("keeps one matmul where no gain was measured or the widths do not divide", () => {
    expect(intermediateChunks({ hiddenDim: 1024, intermediateDim: 4096 })).toBe(1);
    expect(intermediateChunks({ hiddenDim: 4096, intermediateDim: 16384 })).toBe(1);
    // The `wide` fixture (48 -> 64) runs the single-matmul graph in the parity tests.
    expect(intermediateChunks({ hiddenDim: 48, intermediateDim: 64 })).toBe(1);
    expect(intermediateChunks({ hiddenDim: 64, intermediateDim: 64 })).toBe(1);
  });
});

describe("buildAlbertGraph", () => {
  it("refuses a split that does not divide the intermediate width", () => {
    const spec = {
      numLayers: 1,
      numGroups: 1,
      numInnerRepetitions: 1,
      numHeads: 2,
      hiddenDim: 16,
      embeddingDim: 8,
      intermediateDim: 32,
      activation: "gelu_approximate" as const,
      layerNormEpsilon: 1e-12,
    };
    expect(() =>
      buildAlbertGraph(spec, new Map(), { fusedActivation: true, ffnChunks: 3 }),
    ).toThrow(/ffnChunks 3 does not divide intermediateDim 32/);
  });
});
