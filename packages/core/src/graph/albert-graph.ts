import type { AlbertActivation } from "@albert/presets";
import type { FloatDtype } from "../dtype/dtype-policy.js";
import { MASKED_LOGIT } from "../inputs.js";
import { attr, GraphBuilder } from "./graph-builder.js";
import { DT, type DataType } from "./saved-model-proto.js";

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
  /**
   * Dense layers as oneDNN's `_MklNativeFusedMatMul` with constant weights: it reorders each
   * weight once into the blocked layout of its bfloat16 kernels (brgemm) and keeps it, instead
   * of packing the plain weights on every call (about 10% of a bfloat16 forward pass at batch
   * 1, measured on AVX512_BF16). The graph then holds that reordered copy, and is only valid
   * for the weights of its first run. Needs a oneDNN build of TensorFlow; implies one FFN
   * matmul (`ffnChunks` 1).
   */
  cachedWeights?: boolean;
}

/** The arithmetic the graph runs in (what each policy computes: `AlbertBackbone.dtypePolicy`). */
export interface GraphPrecision {
  /** Matmuls, adds and activations run in this dtype; LayerNorm and the attention softmax in
   * float32 whatever it is. */
  compute: FloatDtype;
  /**
   * In 16 bits: round exactly where KerasHub's eager call rounds (the bias add after its
   * matmul, each op of the GELU) instead of letting oneDNN fuse matmul, bias and activation
   * and round once, as KerasHub's compiled `predict` does. Slower; for checking.
   */
  exact?: boolean;
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
const DTYPES: Record<FloatDtype, DataType> = { float32: DT.FLOAT, bfloat16: DT.BFLOAT16, float16: DT.HALF };

/** Whether a weight runs in the compute dtype (every one but LayerNorm's gamma and beta,
 * which KerasHub keeps unrounded under mixed policies and upcasts under pure ones). */
export function isComputeWeight(path: string): boolean {
  return !/(?:^|\/)[^/]*layer_norm\/(?:gamma|beta)$/.test(path);
}

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
 * weight, outputs `sequence_output` and `pooled_output` (float32 whatever the compute dtype).
 * The weights are inputs, not constants: the model's variables are fed on each run
 * (TensorFlow shares their buffers), so the graph depends only on the architecture, holds no
 * copy of the weights, and never goes stale. TensorFlow runs it as one session call, with
 * oneDNN's fused matmul+bias+activation and LayerNorm kernels.
 *
 * In bfloat16 or float16 (`precision.compute`) every matmul, bias add, residual add and
 * activation runs in 16 bits (oneDNN's bfloat16 kernels on CPUs that have them) while
 * LayerNorm and the attention logits after `q·k` (scale, mask, softmax) stay float32, as
 * KerasHub computes them.
 */
/**
 * Runs `x` through the encoder in KerasHub's order: each group's inner layers in turn,
 * `numLayers / numGroups` times per group. `encoder(name)` builds a layer's weight set once
 * (`group_0_inner_layer_0`, ...); every call of that layer reuses it.
 */
export function applyEncoderLayers(
  spec: Pick<AlbertGraphSpec, "numLayers" | "numGroups" | "numInnerRepetitions">,
  x: string,
  encoder: (name: string) => (input: string) => string,
): string {
  const layers = new Map<string, (input: string) => string>();
  for (let group = 0; group < spec.numGroups; group++) {
    for (let call = 0; call < spec.numLayers / spec.numGroups; call++) {
      for (let inner = 0; inner < spec.numInnerRepetitions; inner++) {
        const name = `group_${group}_inner_layer_${inner}`;
        if (!layers.has(name)) layers.set(name, encoder(name));
        x = layers.get(name)!(x);
      }
    }
  }
  return x;
}

export function buildAlbertGraph(
  spec: AlbertGraphSpec,
  weightShapes: ReadonlyMap<string, number[]>,
  kernels: GraphKernels,
  precision: GraphPrecision = { compute: "float32" },
): AlbertGraph {
  const chunks = kernels.ffnChunks ?? 1;
  if (!Number.isInteger(chunks) || chunks < 1 || spec.intermediateDim % chunks !== 0) {
    throw new Error(`graph: ffnChunks ${chunks} does not divide intermediateDim ${spec.intermediateDim}`);
  }
  const reduced = precision.compute !== "float32";
  const exact = reduced && precision.exact === true;
  const cached = !exact && kernels.cachedWeights === true;
  const CT = DTYPES[precision.compute];
  const C = attr.type(CT);
  const g = new GraphBuilder();
  const weightInputs: string[] = [];
  const weightTensorNames: string[] = [];
  const cast = (x: string, from: DataType, to: DataType) =>
    from === to ? x : g.op("Cast", [x], { SrcT: attr.type(from), DstT: attr.type(to), Truncate: attr.bool(false) });
  const reshapeAs = (x: string, to: string, T = C) => g.op("Reshape", [x, to], { T, Tshape: INT32 });
  /** A weight as fed: the float32 variable. */
  const input = (name: string) => {
    const shape = weightShapes.get(name);
    if (shape === undefined) throw new Error(`graph: unknown weight ${name}`);
    const node = g.placeholder(`w/${name}`.replace(/[^A-Za-z0-9_./-]/g, "_"), DT.FLOAT, shape);
    weightInputs.push(name);
    weightTensorNames.push(`${node}:0`);
    return node;
  };
  const weights = new Map<string, string>();
  /** A weight in the compute dtype (LayerNorm parameters: float32), one input per variable. */
  const w = (name: string) => {
    let node = weights.get(name);
    if (node === undefined) {
      node = input(name);
      if (isComputeWeight(name)) node = cast(node, DT.FLOAT, CT);
      weights.set(name, node);
    }
    return node;
  };
  /** A constant in the compute dtype (rounded to it, as Python scalars are by TensorFlow). */
  const constant = (value: number) => cast(g.floatScalar(value), DT.FLOAT, CT);
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
  const reshape = (x: string, to: string) => reshapeAs(x, to);
  const add = (a: string, b: string) => g.op("AddV2", [a, b], { T: C });
  const mul = (a: string, b: string, T = C) => g.op("Mul", [a, b], { T });
  const gather = (table: string, ids: string, axis = 0) =>
    g.op("GatherV2", [table, ids, g.scalar(axis)], { Tparams: C, Tindices: INT32, Taxis: INT32, batch_dims: attr.int(0) });

  // === LayerNorm: float32 inside, whatever the compute dtype ===
  /** A LayerNorm's constants once; the returned function applies it. */
  const layerNorm = (prefix: string) => {
    const [gamma, beta] = [w(`${prefix}/gamma`), w(`${prefix}/beta`)];
    const eps = g.floatScalar(spec.layerNormEpsilon);
    const axis = g.ints([-1]);
    return (x: string) => {
      const x32 = cast(x, CT, DT.FLOAT);
      if (!exact) {
        const y = g.op("_MklLayerNorm", [x32, gamma, beta], { T: FLOAT, epsilon: attr.float(spec.layerNormEpsilon) }, "layer_norm");
        return cast(y, DT.FLOAT, CT);
      }
      // Keras' formula: inv = rsqrt(var + eps)·gamma, out = x·inv + (−mean·inv + beta).
      const mean = g.op("Mean", [x32, axis], { T: FLOAT, Tidx: INT32, keep_dims: attr.bool(true) });
      const variance = g.op("Mean", [g.op("SquaredDifference", [x32, mean], { T: FLOAT }), axis], {
        T: FLOAT, Tidx: INT32, keep_dims: attr.bool(true),
      });
      const inv = mul(g.op("Rsqrt", [g.op("AddV2", [variance, eps], { T: FLOAT })], { T: FLOAT }), gamma, FLOAT);
      const res = g.op("AddV2", [mul(g.op("Neg", [mean], { T: FLOAT }), inv, FLOAT), beta], { T: FLOAT });
      return cast(g.op("AddV2", [mul(x32, inv, FLOAT), res], { T: FLOAT }), DT.FLOAT, CT);
    };
  };

  // === Dense layers ===
  const fusedOps: Record<AlbertActivation, string> = { gelu_approximate: "GeluApproximate", gelu: "GeluExact", relu: "Relu" };
  const matmul = (x: string, kernel: string) =>
    g.op("MatMul", [x, kernel], { T: C, transpose_a: attr.bool(false), transpose_b: attr.bool(false) });
  /** `activation(x·W + b)`: one fused kernel where rounding allows it. */
  const dense = (x: string, kernel: string, bias: string, activation?: AlbertActivation) => {
    if (exact) {
      // Rounded after the matmul and again after the bias add, as KerasHub's eager Dense. In
      // bfloat16 the product is an Einsum (the same oneDNN matmul): Grappler would fuse a
      // MatMul with the add that follows it, which rounds once.
      const product = precision.compute === "bfloat16"
        ? g.op("Einsum", [x, kernel], { equation: attr.string("ab,bc->ac"), N: attr.int(2), T: C })
        : matmul(x, kernel);
      const y = add(product, bias);
      return activation === undefined ? y : activationOps(y, activation);
    }
    const fuse = activation !== undefined && (kernels.fusedActivation || activation === "relu");
    const y = g.op(cached ? "_MklNativeFusedMatMul" : "_FusedMatMul", [x, kernel, bias], {
      T: C, transpose_a: attr.bool(false), transpose_b: attr.bool(false), num_args: attr.int(1),
      fused_ops: attr.strings(fuse ? ["BiasAdd", fusedOps[activation!]] : ["BiasAdd"]),
      epsilon: attr.float(0.0001), leakyrelu_alpha: attr.float(0.2),
      // oneDNN's own op, told its weights are constant: it reorders them once for its bfloat16
      // kernels and keeps that copy (the session is rebuilt when a weight changes).
      ...(cached ? { is_filter_const: attr.bool(true), _kernel: attr.string("MklNameChangeOp") } : {}),
    }, "dense");
    return activation === undefined || fuse ? y : activationOps(y, activation);
  };
  /** The activation op by op, as `tf.nn.gelu` computes it in the compute dtype. */
  const activationOps = (x: string, activation: AlbertActivation) => {
    if (activation === "relu") return g.op("Relu", [x], { T: C });
    if (activation === "gelu") {
      const erf = g.op("Erf", [mul(x, constant(Math.SQRT1_2))], { T: C });
      return mul(mul(constant(0.5), x), add(constant(1), erf));
    }
    if (!reduced) {
      // float32: the identical x·σ(2√(2/π)·x·(1 + 0.044715·x²)), as the eager path.
      const c = 2 * Math.sqrt(2 / Math.PI);
      const inner = add(mul(g.op("Square", [x], { T: C }), g.floatScalar(c * 0.044715)), g.floatScalar(c));
      return mul(x, g.op("Sigmoid", [mul(x, inner)], { T: C }));
    }
    // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), each op rounded. The exponent comes through
    // a PlaceholderWithDefault so that Grappler cannot rewrite the cube as products.
    const three = g.op("PlaceholderWithDefault", [constant(3)], { dtype: C, shape: attr.shape([]) }, "three");
    const cube = g.op("Pow", [x, three], { T: C });
    const inner = add(x, mul(constant(0.044715), cube));
    const tanh = g.op("Tanh", [mul(constant(Math.sqrt(2 / Math.PI)), inner)], { T: C });
    return mul(mul(constant(0.5), x), add(constant(1), tanh));
  };

  // === Embeddings ===
  // Tables are read in float32 and only the rows used are cast (the same values).
  const lookup = (name: string, ids: string) =>
    cast(g.op("GatherV2", [input(name), ids, g.scalar(0)], { Tparams: FLOAT, Tindices: INT32, Taxis: INT32, batch_dims: attr.int(0) }), DT.FLOAT, CT);
  const positions = cast(
    g.op("Slice", [input("position_embedding/embeddings"), g.ints([0, 0]), shape([length, -1], "position_size")], { T: FLOAT, Index: INT32 }),
    DT.FLOAT,
    CT,
  );
  let x = add(add(lookup("token_embedding/embeddings", tokenIds), positions), lookup("segment_embedding/embeddings", segmentIds));
  x = layerNorm("embeddings_layer_norm")(reshape(x, g.ints([-1, spec.embeddingDim])));
  x = dense(x, w("embedding_projection/kernel"), w("embedding_projection/bias"));

  // === Attention mask: 0 for real keys, KerasHub's masked logit for padding (float32) ===
  const mask = g.op("Cast", [paddingMask], { SrcT: INT32, DstT: FLOAT, Truncate: attr.bool(false) });
  const maskBias = reshapeAs(
    g.op("Mul", [g.op("Sub", [g.floatScalar(1), mask], { T: FLOAT }), g.floatScalar(MASKED_LOGIT)], { T: FLOAT }),
    shape([-1, 1, 1, length], "mask_shape"),
    FLOAT,
  );
  const rowsShape = g.ints([-1, H]);

  // === Encoder: each weight set's constants once, applied in KerasHub's order ===
  const square = g.ints([H, H]);
  const flat = g.ints([H]);
  const concat = (parts: string[], axis: number) =>
    g.op("ConcatV2", [...parts, g.scalar(axis)], { T: C, N: attr.int(parts.length), Tidx: INT32 });
  // KerasHub scales the float32 logits by 1/√D (an f32 sqrt and division). In float32 the
  // scale is folded into Q instead (equal to rounding); in 16 bits the logits are scaled, as
  // there (folding would round differently, and cost a pass over Q's weights per call).
  const scaleValue = Math.fround(1 / Math.fround(Math.sqrt(D)));
  const foldScale = !reduced;
  const attentionWeight = (name: string, p: string, what: string, shapeOf: string) =>
    reshape(w(`${name}/self_attention_layer/${p}/${what}`), shapeOf);
  /** Q, K and V as one [H, 3H] projection. */
  const fusedQkv = (name: string): [string, string] => {
    const scaled = (t: string) => (foldScale ? mul(t, cast(g.floatScalar(scaleValue), DT.FLOAT, CT)) : t);
    const part = (p: string, what: string, shapeOf: string) => attentionWeight(name, p, what, shapeOf);
    return [
      concat([scaled(part("query", "kernel", square)), part("key", "kernel", square), part("value", "kernel", square)], 1),
      concat([scaled(part("query", "bias", flat)), part("key", "bias", flat), part("value", "bias", flat)], 0),
    ];
  };
  const split = (t: string, axis: number, n: number) => {
    const node = g.op("Split", [g.scalar(axis), t], { T: C, num_split: attr.int(n) });
    return Array.from({ length: n }, (_, i) => `${node}:${i}`);
  };
  /** softmax(q·kᵀ·scale + mask)·v with its projections: logits rounded to the compute dtype,
   * then float32. Returns [rows, H] before the output projection. */
  const attention = (name: string) => {
    if (!exact) {
      const [qkvK, qkvB] = fusedQkv(name);
      return (input: string) => {
        const qkv = dense(input, qkvK, qkvB);
        const heads = g.op("Transpose", [reshape(qkv, shape([-1, length, 3, N, D], "heads_shape")), g.ints([2, 0, 3, 1, 4])], { T: C, Tperm: INT32 });
        const unpack = g.op("Unpack", [heads], { T: C, num: attr.int(3), axis: attr.int(0) }, "qkv");
        const [q, k, v] = [`${unpack}:0`, `${unpack}:1`, `${unpack}:2`];
        let scores = cast(g.op("BatchMatMulV2", [q, k], { T: C, adj_x: attr.bool(false), adj_y: attr.bool(true) }, "scores"), CT, DT.FLOAT);
        if (!foldScale) scores = mul(scores, g.floatScalar(scaleValue), FLOAT);
        const probabilities = cast(g.op("Softmax", [g.op("AddV2", [scores, maskBias], { T: FLOAT })], { T: FLOAT }), DT.FLOAT, CT);
        const context = g.op("BatchMatMulV2", [probabilities, v], { T: C, adj_x: attr.bool(false), adj_y: attr.bool(false) }, "context");
        return reshape(g.op("Transpose", [context, g.ints([0, 2, 1, 3])], { T: C, Tperm: INT32 }), rowsShape);
      };
    }
    // KerasHub's layout: separate projections to [batch, seq, heads, headDim] and its two
    // einsums, run by TensorFlow's own Einsum kernel.
    const projection = (p: string) => {
      const [kernel, bias] = [attentionWeight(name, p, "kernel", square), attentionWeight(name, p, "bias", flat)];
      return (input: string) => reshape(dense(input, kernel, bias), shape([-1, length, N, D], "heads_shape"));
    };
    const [query, key, value] = [projection("query"), projection("key"), projection("value")];
    const einsum = (equation: string, a: string, b: string) =>
      g.op("Einsum", [a, b], { equation: attr.string(equation), N: attr.int(2), T: C });
    return (input: string) => {
      const logits = mul(cast(einsum("BTNH,BSNH->BNTS", query(input), key(input)), CT, DT.FLOAT), g.floatScalar(scaleValue), FLOAT);
      const probabilities = cast(g.op("Softmax", [g.op("AddV2", [logits, maskBias], { T: FLOAT })], { T: FLOAT }), DT.FLOAT, CT);
      return reshape(einsum("BNTS,BSNH->BTNH", probabilities, value(input)), rowsShape);
    };
  };
  const encoder = (name: string) => {
    const selfAttention = attention(name);
    const outK = reshape(w(`${name}/self_attention_layer/attention_output/kernel`), square);
    const outB = w(`${name}/self_attention_layer/attention_output/bias`);
    const ffnK1 = w(`${name}/feedforward_intermediate_dense/kernel`);
    const ffnB1 = w(`${name}/feedforward_intermediate_dense/bias`);
    const pieces = exact || cached ? 1 : chunks;
    const ffnK1s = pieces > 1 ? split(ffnK1, 1, pieces) : [ffnK1];
    const ffnB1s = pieces > 1 ? split(ffnB1, 0, pieces) : [ffnB1];
    const ffnK2 = w(`${name}/feedforward_output_dense/kernel`);
    const ffnB2 = w(`${name}/feedforward_output_dense/bias`);
    const ffnK2s = pieces > 1 ? split(ffnK2, 0, pieces) : [ffnK2];
    const attentionNorm = layerNorm(`${name}/self_attention_layer_norm`);
    const feedforwardNorm = layerNorm(`${name}/feedforward_layer_norm`);
    return (input: string) => {
      const h = attentionNorm(add(input, dense(selfAttention(input), outK, outB)));
      const parts = ffnK1s.map((kk, i) => dense(h, kk, ffnB1s[i]!, spec.activation));
      if (parts.length === 1) return feedforwardNorm(add(h, dense(parts[0]!, ffnK2, ffnB2)));
      // Each piece meets its rows of the output kernel; the partial products, the bias and the
      // residual are summed in one AddN instead of a concat, a matmul and an add.
      const partial = parts.map((p, i) => (i === 0 ? dense(p, ffnK2s[0]!, ffnB2) : matmul(p, ffnK2s[i]!)));
      return feedforwardNorm(g.op("AddN", [h, ...partial], { T: C, N: attr.int(partial.length + 1) }));
    };
  };
  x = applyEncoderLayers(spec, x, encoder);

  // === Outputs, widened to float32 ===
  const sequenceC = reshape(x, shape([-1, length, H], "sequence_shape"));
  const first = gather(sequenceC, g.scalar(0), 1);
  const pooledC = g.op("Tanh", [dense(first, w("pooled_dense/kernel"), w("pooled_dense/bias"))], { T: C });
  const sequence = g.op("Identity", [cast(sequenceC, CT, DT.FLOAT)], { T: FLOAT }, "sequence_output");
  const pooled = g.op("Identity", [cast(pooledC, CT, DT.FLOAT)], { T: FLOAT }, "pooled_output");
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
