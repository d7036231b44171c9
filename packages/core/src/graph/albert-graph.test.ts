import { describe, expect, it } from "vitest";
import { backboneWeightSpecs } from "@albert/presets";
import { buildAlbertGraph, intermediateChunks, type GraphPrecision } from "./albert-graph.js";
import { DT, SavedModelMessage } from "./saved-model-proto.js";

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

describe("buildAlbertGraph in 16 bits", () => {
  const spec = {
    numLayers: 2, numGroups: 1, numInnerRepetitions: 1, numHeads: 2, hiddenDim: 16, embeddingDim: 8,
    intermediateDim: 32, activation: "gelu_approximate" as const, layerNormEpsilon: 1e-12,
  };
  const shapes = new Map(
    backboneWeightSpecs({ ...spec, vocabulary_size: 20, num_layers: 2, num_heads: 2, num_groups: 1, num_inner_repetitions: 1,
      embedding_dim: 8, hidden_dim: 16, intermediate_dim: 32, dropout: 0, max_sequence_length: 10, num_segments: 2 })
      .map((s) => [s.name, s.shape]),
  );
  /** Each op of the graph with the dtype it computes in (its `T` attribute). */
  const opsOf = (precision: GraphPrecision) => {
    const graph = buildAlbertGraph(spec, shapes, { fusedActivation: true, ffnChunks: 2 }, precision);
    const message = SavedModelMessage.toObject(SavedModelMessage.decode(graph.savedModel), { defaults: false }) as {
      metaGraphs: { graphDef: { node: { op: string; attr: Record<string, { type?: number }> }[] } }[];
    };
    return message.metaGraphs[0]!.graphDef.node.map((n) => ({ op: n.op, T: n.attr["T"]?.type }));
  };
  const dtypes = (ops: { op: string; T?: number }[], names: string[]) => new Set(ops.filter((o) => names.includes(o.op)).map((o) => o.T));

  it("runs every matmul in bfloat16 and LayerNorm and softmax in float32", () => {
    for (const exact of [false, true]) {
      const ops = opsOf({ compute: "bfloat16", exact });
      expect(dtypes(ops, ["_FusedMatMul", "MatMul", "BatchMatMulV2", "Einsum"]), `exact ${exact}`).toEqual(new Set([DT.BFLOAT16]));
      expect(dtypes(ops, ["Softmax", "_MklLayerNorm", "Rsqrt"])).toEqual(new Set([DT.FLOAT]));
      expect(dtypes(ops, ["AddV2", "AddN"]).has(DT.BFLOAT16)).toBe(true);
    }
    // The exact graph keeps each bias add and GELU op apart from its matmul.
    expect(opsOf({ compute: "bfloat16", exact: true }).some((o) => o.op === "_FusedMatMul")).toBe(false);
    expect(opsOf({ compute: "bfloat16", exact: true }).filter((o) => o.op === "Pow" && o.T === DT.BFLOAT16)).toHaveLength(2);
  });

  it("runs float16 matmuls as KerasHub does on CPU (MatMul and Einsum kernels)", () => {
    const ops = opsOf({ compute: "float16", exact: true });
    expect(dtypes(ops, ["MatMul", "Einsum"])).toEqual(new Set([DT.HALF]));
    expect(ops.some((o) => o.op === "_FusedMatMul" || o.op === "BatchMatMulV2")).toBe(false);
  });
});
