import type { AlbertActivation } from "@albert/presets";
import { MASKED_LOGIT } from "../inputs.js";
import { attr, GraphBuilder } from "./graph-builder.js";
import { DT } from "./saved-model-proto.js";

/** What the graph needs to know about the model. */
export interface AlbertGraphSpec {
  numLayers: number;
  numGroups: number;
  numInnerRepetitions: number;
  numHeads: number;
  hiddenDim: number;
  embeddingDim: number;
  intermediateDim: number;
  activation: AlbertActivation;
  layerNormEpsilon: number;
}

/** Which fused TensorFlow kernels the runtime offers (probed by the caller). */
export interface GraphKernels {
  /** `_FusedMatMul` with `BiasAdd` + `GeluApproximate`/`GeluExact`/`Relu` (oneDNN builds). */
  fusedActivation: boolean;
  /** The intermediate dense as this many column chunks (see `intermediateChunks`). */
  ffnChunks?: number;
}

/**
 * How many square `[H, H]` pieces the feedforward block runs as. oneDNN (TF 2.21, measured on
 * AVX2) runs albert_base's `[768, 3072]` matmul over 64-256 rows at about half its square-matmul
 * rate; four `[768, 768]` pieces (which TensorFlow also runs side by side), each meeting its
 * rows of the output kernel, make the whole forward pass about 20% faster there and cost nothing
 * measurable at 512-1024 rows. At albert_large's width (1024) the split gained nothing, so
 * wider models keep one matmul.
 */
export function intermediateChunks(spec: Pick<AlbertGraphSpec, "hiddenDim" | "intermediateDim">): number {
  const ratio = spec.intermediateDim / spec.hiddenDim;
  return spec.hiddenDim <= 768 && Number.isInteger(ratio) && ratio > 1 ? ratio : 1;
}

const FLOAT = attr.type(DT.FLOAT);
const INT32 = attr.type(DT.INT32);

/** A SavedModel of the forward pass and the weights it takes as inputs, in feed order. */
export interface AlbertGraph {
  savedModel: Uint8Array;
  /** KerasHub variable paths: feed these variables after the three model inputs. */
  weightInputs: string[];
  /** The graph's names for those inputs (`name:0`). */
  weightTensorNames: string[];
}

/**
 * The ALBERT forward pass (KerasHub's math, as the eager path computes it) as a TensorFlow
 * graph: inputs `token_ids`, `segment_ids`, `padding_mask` (int32 [batch, seq]) and every
 * weight, outputs `sequence_output` and `pooled_output`. The weights are inputs, not
 * constants: the model's variables are fed on each run (TensorFlow shares their buffers), so
 * the graph depends only on the architecture, holds no copy of the weights, and never goes
 * stale. TensorFlow runs it as one session call, with oneDNN's fused matmul+bias+activation
 * and LayerNorm kernels.
 */
export function buildAlbertGraph(spec: AlbertGraphSpec, weightShapes: ReadonlyMap<string, number[]>, kernels: GraphKernels): AlbertGraph {
  const chunks = kernels.ffnChunks ?? 1;
  if (!Number.isInteger(chunks) || chunks < 1 || spec.intermediateDim % chunks !== 0) {
    throw new Error(`graph: ffnChunks ${chunks} does not divide intermediateDim ${spec.intermediateDim}`);
  }
  const g = new GraphBuilder();
  const weightInputs: string[] = [];
  const weightTensorNames: string[] = [];
  const w = (name: string) => {
    const shape = weightShapes.get(name);
    if (shape === undefined) throw new Error(`graph: unknown weight ${name}`);
    const node = g.placeholder(`w/${name}`.replace(/[^A-Za-z0-9_./-]/g, "_"), DT.FLOAT, shape);
    weightInputs.push(name);
    weightTensorNames.push(`${node}:0`);
    return node;
  };
  const H = spec.hiddenDim;
  const N = spec.numHeads;
  const D = H / N;

  const tokenIds = g.placeholder("token_ids", DT.INT32, [-1, -1]);
  const segmentIds = g.placeholder("segment_ids", DT.INT32, [-1, -1]);
  const paddingMask = g.placeholder("padding_mask", DT.INT32, [-1, -1]);
  const length = g.op("StridedSlice", [g.op("Shape", [tokenIds], { T: INT32, out_type: INT32 }), g.ints([1]), g.ints([2]), g.ints([1])], {
    T: INT32, Index: INT32, begin_mask: attr.int(0), end_mask: attr.int(0), ellipsis_mask: attr.int(0),
    new_axis_mask: attr.int(0), shrink_axis_mask: attr.int(1),
  }, "seq_length");
  const shape = (dims: (number | string)[], name: string) =>
    g.op("Pack", dims.map((d) => (typeof d === "number" ? g.scalar(d) : d)), { T: INT32, N: attr.int(dims.length), axis: attr.int(0) }, name);
  const reshape = (x: string, to: string) => g.op("Reshape", [x, to], { T: FLOAT, Tshape: INT32 });
  const add = (a: string, b: string) => g.op("AddV2", [a, b], { T: FLOAT });
  const gather = (table: string, ids: string, axis = 0) =>
    g.op("GatherV2", [table, ids, g.scalar(axis)], { Tparams: FLOAT, Tindices: INT32, Taxis: INT32, batch_dims: attr.int(0) });
  /** A LayerNorm's constants once; the returned function applies it. */
  const layerNorm = (prefix: string) => {
    const [gamma, beta] = [w(`${prefix}/gamma`), w(`${prefix}/beta`)];
    return (x: string) =>
      g.op("_MklLayerNorm", [x, gamma, beta], { T: FLOAT, epsilon: attr.float(spec.layerNormEpsilon) }, "layer_norm");
  };
  const fusedOps: Record<AlbertActivation, string> = { gelu_approximate: "GeluApproximate", gelu: "GeluExact", relu: "Relu" };
  const dense = (x: string, kernel: string, bias: string, activation?: AlbertActivation) => {
    const fuse = activation !== undefined && (kernels.fusedActivation || activation === "relu");
    const y = g.op("_FusedMatMul", [x, kernel, bias], {
      T: FLOAT, transpose_a: attr.bool(false), transpose_b: attr.bool(false), num_args: attr.int(1),
      fused_ops: attr.strings(fuse ? ["BiasAdd", fusedOps[activation!]] : ["BiasAdd"]),
      epsilon: attr.float(0.0001), leakyrelu_alpha: attr.float(0.2),
    }, "dense");
    return activation === undefined || fuse ? y : geluComposite(y, activation);
  };
  const matmul = (x: string, kernel: string) =>
    g.op("MatMul", [x, kernel], { T: FLOAT, transpose_a: attr.bool(false), transpose_b: attr.bool(false) });
  /** Without oneDNN's fusion: the same formulas as the eager path. */
  const geluComposite = (x: string, activation: AlbertActivation) => {
    const mul = (a: string, b: string) => g.op("Mul", [a, b], { T: FLOAT });
    if (activation === "gelu") {
      const erf = g.op("Erf", [mul(x, g.floatScalar(Math.SQRT1_2))], { T: FLOAT });
      return mul(mul(x, g.floatScalar(0.5)), add(erf, g.floatScalar(1)));
    }
    const c = 2 * Math.sqrt(2 / Math.PI);
    const inner = add(mul(g.op("Square", [x], { T: FLOAT }), g.floatScalar(c * 0.044715)), g.floatScalar(c));
    return mul(x, g.op("Sigmoid", [mul(x, inner)], { T: FLOAT }));
  };

  // === Embeddings ===
  const positions = g.op("Slice", [w("position_embedding/embeddings"), g.ints([0, 0]), shape([length, -1], "position_size")], { T: FLOAT, Index: INT32 });
  let x = add(add(gather(w("token_embedding/embeddings"), tokenIds), positions), gather(w("segment_embedding/embeddings"), segmentIds));
  x = layerNorm("embeddings_layer_norm")(reshape(x, g.ints([-1, spec.embeddingDim])));
  x = dense(x, w("embedding_projection/kernel"), w("embedding_projection/bias"));

  // === Attention mask: 0 for real keys, KerasHub's masked logit for padding ===
  const mask = g.op("Cast", [paddingMask], { SrcT: INT32, DstT: FLOAT, Truncate: attr.bool(false) });
  const maskBias = reshape(
    g.op("Mul", [g.op("Sub", [g.floatScalar(1), mask], { T: FLOAT }), g.floatScalar(MASKED_LOGIT)], { T: FLOAT }),
    shape([-1, 1, 1, length], "mask_shape"),
  );
  const headsShape = shape([-1, length, 3, N, D], "heads_shape");
  const rowsShape = g.ints([-1, H]);

  // === Encoder: each weight set's constants once, applied in KerasHub's order ===
  const layers = new Map<string, (input: string) => string>();
  const square = g.ints([H, H]);
  const flat = g.ints([H]);
  const concat = (parts: string[], axis: number) =>
    g.op("ConcatV2", [...parts, g.scalar(axis)], { T: FLOAT, N: attr.int(parts.length), Tidx: INT32 });
  /** Q, K and V as one [H, 3H] projection, 1/√D folded into Q (as the eager path does). */
  const fusedQkv = (name: string) => {
    const part = (p: string, what: string, shapeOf: string) => reshape(w(`${name}/self_attention_layer/${p}/${what}`), shapeOf);
    const scale = g.floatScalar(1 / Math.sqrt(D));
    const scaled = (x: string) => g.op("Mul", [x, scale], { T: FLOAT });
    return [
      concat([scaled(part("query", "kernel", square)), part("key", "kernel", square), part("value", "kernel", square)], 1),
      concat([scaled(part("query", "bias", flat)), part("key", "bias", flat), part("value", "bias", flat)], 0),
    ];
  };
  const split = (x: string, axis: number, n: number) => {
    const node = g.op("Split", [g.scalar(axis), x], { T: FLOAT, num_split: attr.int(n) });
    return Array.from({ length: n }, (_, i) => `${node}:${i}`);
  };
  const encoder = (name: string) => {
    const [qkvK, qkvB] = fusedQkv(name) as [string, string];
    const outK = reshape(w(`${name}/self_attention_layer/attention_output/kernel`), square);
    const outB = w(`${name}/self_attention_layer/attention_output/bias`);
    const ffnK1 = w(`${name}/feedforward_intermediate_dense/kernel`);
    const ffnB1 = w(`${name}/feedforward_intermediate_dense/bias`);
    const ffnK1s = chunks > 1 ? split(ffnK1, 1, chunks) : [ffnK1];
    const ffnB1s = chunks > 1 ? split(ffnB1, 0, chunks) : [ffnB1];
    const ffnK2 = w(`${name}/feedforward_output_dense/kernel`);
    const ffnB2 = w(`${name}/feedforward_output_dense/bias`);
    const ffnK2s = chunks > 1 ? split(ffnK2, 0, chunks) : [ffnK2];
    const attentionNorm = layerNorm(`${name}/self_attention_layer_norm`);
    const feedforwardNorm = layerNorm(`${name}/feedforward_layer_norm`);
    return (input: string) => {
      const heads = g.op("Transpose", [reshape(dense(input, qkvK, qkvB), headsShape), g.ints([2, 0, 3, 1, 4])], { T: FLOAT, Tperm: INT32 });
      const unpack = g.op("Unpack", [heads], { T: FLOAT, num: attr.int(3), axis: attr.int(0) }, "qkv");
      const [q, k, v] = [`${unpack}:0`, `${unpack}:1`, `${unpack}:2`];
      const scores = g.op("BatchMatMulV2", [q, k], { T: FLOAT, adj_x: attr.bool(false), adj_y: attr.bool(true) }, "scores");
      const probabilities = g.op("Softmax", [add(scores, maskBias)], { T: FLOAT });
      const context = g.op("BatchMatMulV2", [probabilities, v], { T: FLOAT, adj_x: attr.bool(false), adj_y: attr.bool(false) }, "context");
      const rows = reshape(g.op("Transpose", [context, g.ints([0, 2, 1, 3])], { T: FLOAT, Tperm: INT32 }), rowsShape);
      const h = attentionNorm(add(input, dense(rows, outK, outB)));
      const parts = ffnK1s.map((kk, i) => dense(h, kk, ffnB1s[i]!, spec.activation));
      if (parts.length === 1) return feedforwardNorm(add(h, dense(parts[0]!, ffnK2, ffnB2)));
      // Each piece meets its rows of the output kernel; the partial products, the bias and the
      // residual are summed in one AddN instead of a concat, a matmul and an add.
      const partial = parts.map((p, i) => (i === 0 ? dense(p, ffnK2s[0]!, ffnB2) : matmul(p, ffnK2s[i]!)));
      return feedforwardNorm(g.op("AddN", [h, ...partial], { T: FLOAT, N: attr.int(partial.length + 1) }));
    };
  };
  for (let group = 0; group < spec.numGroups; group++) {
    for (let call = 0; call < spec.numLayers / spec.numGroups; call++) {
      for (let inner = 0; inner < spec.numInnerRepetitions; inner++) {
        const name = `group_${group}_inner_layer_${inner}`;
        if (!layers.has(name)) layers.set(name, encoder(name));
        x = layers.get(name)!(x);
      }
    }
  }

  // === Outputs ===
  const sequence = g.op("Identity", [reshape(x, shape([-1, length, H], "sequence_shape"))], { T: FLOAT }, "sequence_output");
  const first = gather(sequence, g.scalar(0), 1);
  const pooled = g.op("Tanh", [dense(first, w("pooled_dense/kernel"), w("pooled_dense/bias"))], { T: FLOAT }, "pooled_output");
  const savedModel = g.toSavedModel({
    inputs: {
      token_ids: { node: tokenIds, dtype: DT.INT32, shape: [-1, -1] },
      segment_ids: { node: segmentIds, dtype: DT.INT32, shape: [-1, -1] },
      padding_mask: { node: paddingMask, dtype: DT.INT32, shape: [-1, -1] },
    },
    outputs: {
      sequence_output: { node: sequence, dtype: DT.FLOAT, shape: [-1, -1, H] },
      pooled_output: { node: pooled, dtype: DT.FLOAT, shape: [-1, H] },
    },
  });
  return { savedModel, weightInputs, weightTensorNames };
}
