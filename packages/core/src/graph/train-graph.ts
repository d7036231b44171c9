import type { AlbertActivation } from "@albert/presets";
import { MASKED_LOGIT } from "../inputs.js";
import { applyEncoderLayers, type AlbertGraphSpec } from "./albert-graph.js";
import { DiffGraph } from "./diff-graph.js";
import { attr, type SignatureTensor } from "./graph-builder.js";
import { DT } from "./saved-model-proto.js";

/** A classifier head's output activation (KerasHub's `activation`). */
export type HeadActivation = "linear" | "softmax" | "sigmoid" | "relu" | "tanh";

/**
 * The task head on the backbone, as the train graph builds it:
 * - `pooled`: dropout and the Dense `logits` on the pooled output, then `activation`;
 *   `choices` regroups the scores as `[-1, choices]` (multiple choice).
 * - `sequence`: dropout and the Dense `logits` on every position ([B, S, units]);
 *   `transpose` returns `[B, units, S]` (question answering's start/end rows).
 * - `masked_lm`: KerasHub's `MaskedLMHead` at `mask_positions`, tied to the token embedding.
 */
export type TrainHead =
  | { kind: "pooled"; dropout: number; activation: HeadActivation; choices?: number }
  | { kind: "sequence"; dropout: number; transpose?: boolean }
  | { kind: "masked_lm"; activation: AlbertActivation; layerNormEpsilon: number };

/** Keras' `SparseCategoricalCrossentropy` as compiled. */
export interface TrainLoss {
  fromLogits: boolean;
  reduction: "sum_over_batch_size" | "sum" | "mean_with_sample_weight";
}

/** A variable the step reads: its KerasHub path (task paths for the head), shape, whether it
 * trains, and its weight decay (AdamW's factor; 0 for none). */
export interface TrainVariable {
  path: string;
  shape: number[];
  trainable: boolean;
  weightDecay: number;
}

/** Keras' Adam constants. */
export interface AdamRule {
  beta1: number;
  beta2: number;
  epsilon: number;
}

export interface TrainGraphSpec {
  model: AlbertGraphSpec & { dropout: number };
  head: TrainHead;
  loss: TrainLoss;
  /** Every variable of the task, backbone and head. */
  variables: readonly TrainVariable[];
  /** Adam's constants: the graph applies the update. Absent: it returns the gradients. */
  optimizer?: AdamRule;
}

/** One fed tensor: its graph name and dtype. */
export interface GraphFeed {
  name: string;
  tfDtype: "DT_INT32" | "DT_FLOAT";
}

/** The data and scalar inputs, in feed order (`mask_positions` only for the masked LM). */
export const TRAIN_DATA_INPUTS = [
  "token_ids",
  "segment_ids",
  "padding_mask",
  "mask_positions",
  "labels",
  "sample_weight",
  "seed",
  "learning_rate",
  "alpha",
] as const;
export type TrainDataInput = (typeof TRAIN_DATA_INPUTS)[number];

export interface TrainGraph {
  savedModel: Uint8Array;
  /** The data inputs this graph takes, in feed order. */
  dataInputs: TrainDataInput[];
  /** Variable paths fed after the data inputs, in this order. */
  weightInputs: string[];
  /**
   * The variables the step updates (trainable, and reached by the loss's gradient), in the
   * spec's order: after the weights, each one's two Adam slots are fed (momentum, velocity),
   * and the graph returns its new value and new slots. With no optimizer: their gradients.
   */
  updated: string[];
  /** Every fed tensor's name and dtype, in feed order. */
  feeds: GraphFeed[];
  /** `loss`, `y_pred`, then per updated variable its new value, momentum and velocity (or
   * its dense gradient). */
  outputs: string[];
}

const F = attr.type(DT.FLOAT);
const I = attr.type(DT.INT32);

/** Float32 constants as Keras' float32 arithmetic sees Python floats. */
const f32 = Math.fround;

/**
 * One whole Keras training step as a TensorFlow graph: the task's forward pass with dropout
 * (drawn from the fed `seed`), Keras' weighted cross-entropy loss, the backward pass (gradient
 * rules written out in `DiffGraph`), and Keras 3's float32 Adam/AdamW update, including its
 * sparse rule for the looked-up token and segment tables (momentum from the summed gradient,
 * velocity from the sum of squared per-occurrence gradients). Inputs: the batch
 * (`TRAIN_DATA_INPUTS`), the step's scalars (`learning_rate`, Adam's `alpha` for the step),
 * every variable, and the slots of the updated ones. Outputs: the loss before the step, the
 * model's output (for the metrics), and the new variables and slots.
 *
 * The weights are inputs, so the graph depends only on the architecture, the head, which
 * variables train, and the optimizer's constants; TensorFlow frees each forward value as soon
 * as the last backward op that reads it has run.
 */
export function buildTrainGraph(spec: TrainGraphSpec): TrainGraph {
  const d = new DiffGraph();
  const g = d.g;
  const { model, head } = spec;
  const H = model.hiddenDim;
  const E = model.embeddingDim;
  const N = model.numHeads;
  const D = H / N;
  const variables = new Map(spec.variables.map((v) => [v.path, v]));
  const weightInputs: string[] = [];
  const weightNodes = new Map<string, string>();
  /** A variable's placeholder (one per variable, however often it is read); tracked when it trains. */
  const w = (path: string) => {
    let node = weightNodes.get(path);
    if (node === undefined) {
      const v = variables.get(path);
      if (v === undefined) throw new Error(`graph: unknown variable ${path}`);
      node = g.placeholder(`w/${path}`.replace(/[^A-Za-z0-9_./-]/g, "_"), DT.FLOAT, v.shape);
      if (v.trainable) d.track(node);
      weightNodes.set(path, node);
      weightInputs.push(path);
    }
    return node;
  };
  const ints = (values: number[]) => g.ints(values);

  // === Data inputs ===
  const dataInputs: TrainDataInput[] = [];
  const dataNodes = new Map<TrainDataInput, string>();
  const input = (name: TrainDataInput, dtype: typeof DT.INT32 | typeof DT.FLOAT, shape: number[]) => {
    const node = g.placeholder(name, dtype, shape);
    dataInputs.push(name);
    dataNodes.set(name, node);
    return node;
  };
  const tokenIds = input("token_ids", DT.INT32, [-1, -1]);
  const segmentIds = input("segment_ids", DT.INT32, [-1, -1]);
  const paddingMask = input("padding_mask", DT.INT32, [-1, -1]);
  const maskPositions = head.kind === "masked_lm" ? input("mask_positions", DT.INT32, [-1, -1]) : undefined;
  const labels = input("labels", DT.INT32, [-1]);
  const sampleWeight = input("sample_weight", DT.FLOAT, [-1]);
  const seed = input("seed", DT.INT32, []);
  const learningRate = input("learning_rate", DT.FLOAT, []);
  const alpha = input("alpha", DT.FLOAT, []);
  const batch = d.dim(tokenIds, 0, true);
  const length = d.dim(tokenIds, 1, true);

  // === Building blocks ===
  let site = 0;
  /** Dropout with a seed of its own per site: [step seed, site]. */
  const dropout = (x: string, rate: number) => {
    if (rate === 0) return x;
    const siteSeed = g.op("Pack", [seed, g.scalar(site++)], { T: I, N: attr.int(2), axis: attr.int(0) }, "dropout_seed");
    return d.dropout(x, rate, siteSeed);
  };
  const dense = (x: string, prefix: string) => d.biasAdd(d.matMul(x, w(`${prefix}/kernel`)), w(`${prefix}/bias`));
  const layerNorm = (x: string, prefix: string, epsilon: number) => d.layerNorm(x, w(`${prefix}/gamma`), w(`${prefix}/beta`), epsilon);
  const activate = (x: string, activation: AlbertActivation) =>
    activation === "gelu_approximate" ? d.geluApproximate(x) : activation === "gelu" ? d.geluExact(x) : d.relu(x);

  // === Embeddings ===
  const tokens = d.lookup(w("token_embedding/embeddings"), tokenIds, E);
  const positions = d.slice(w("position_embedding/embeddings"), [0, 0], d.pack([length, -1]));
  const segments = d.lookup(w("segment_embedding/embeddings"), segmentIds, E);
  let x = d.add(d.addBroadcast(tokens, positions, [0]), segments);
  x = layerNorm(d.reshape(x, ints([-1, E])), "embeddings_layer_norm", model.layerNormEpsilon);
  x = dense(dropout(x, model.dropout), "embedding_projection");

  // === Attention mask: 0 for real keys, KerasHub's masked logit for padding ===
  const mask = g.op("Cast", [paddingMask], { SrcT: I, DstT: F, Truncate: attr.bool(false) });
  const maskBias = g.op("Reshape", [
    d.binary("Mul", d.binary("Sub", g.floatScalar(1), mask), g.floatScalar(MASKED_LOGIT)),
    d.pack([-1, 1, 1, length]),
  ], { T: F, Tshape: I });

  // === Encoder: each weight set's fused projections once, applied in KerasHub's order ===
  // The 1/√D scale is folded into the query projection, as the eager path does.
  const scale = g.floatScalar(f32(1 / f32(Math.sqrt(D))));
  const encoder = (name: string) => {
    const attention = `${name}/self_attention_layer`;
    const part = (p: string, what: "kernel" | "bias", scaled: boolean) => {
      const t = d.reshape(w(`${attention}/${p}/${what}`), ints(what === "kernel" ? [H, H] : [H]));
      return scaled ? d.mulConstant(t, scale) : t;
    };
    const qkvKernel = d.concat([part("query", "kernel", true), part("key", "kernel", false), part("value", "kernel", false)], 1, [H, H, H]);
    const qkvBias = d.concat([part("query", "bias", true), part("key", "bias", false), part("value", "bias", false)], 0, [H, H, H]);
    const outputKernel = d.reshape(w(`${attention}/attention_output/kernel`), ints([H, H]));
    const outputBias = w(`${attention}/attention_output/bias`);
    return (input: string) => {
      const qkv = d.biasAdd(d.matMul(input, qkvKernel), qkvBias);
      const heads = d.transpose(d.reshape(qkv, d.pack([-1, length, 3, N, D])), [2, 0, 3, 1, 4]);
      const [q, k, v] = d.unpack(heads, 3, 0) as [string, string, string];
      const scores = d.addConstant(d.batchMatMul(q, k, false, true), maskBias);
      const probabilities = dropout(d.softmax(scores), model.dropout);
      const context = d.reshape(d.transpose(d.batchMatMul(probabilities, v), [0, 2, 1, 3]), ints([-1, H]));
      const attended = d.biasAdd(d.matMul(context, outputKernel), outputBias);
      const h = layerNorm(d.add(input, dropout(attended, model.dropout)), `${name}/self_attention_layer_norm`, model.layerNormEpsilon);
      const inner = activate(dense(h, `${name}/feedforward_intermediate_dense`), model.activation);
      const ff = dense(inner, `${name}/feedforward_output_dense`);
      return layerNorm(d.add(h, dropout(ff, model.dropout)), `${name}/feedforward_layer_norm`, model.layerNormEpsilon);
    };
  };
  x = applyEncoderLayers(model, x, encoder);
  const sequenceRows = x;

  // === Head ===
  let yPred: string;
  if (head.kind === "pooled") {
    const sequence = d.reshape(sequenceRows, d.pack([-1, length, H]));
    const first = d.reshape(d.slice(sequence, [0, 0, 0], ints([-1, 1, -1])), ints([-1, H]));
    const pooled = d.tanh(dense(first, "pooled_dense"));
    const logits = dense(dropout(pooled, head.dropout), "logits");
    const activated = { linear: (t: string) => t, softmax: d.softmax.bind(d), sigmoid: d.sigmoid.bind(d), relu: d.relu.bind(d), tanh: d.tanh.bind(d) }[head.activation](logits);
    yPred = head.choices === undefined ? activated : d.reshape(activated, ints([-1, head.choices]));
  } else if (head.kind === "sequence") {
    const logits = dense(dropout(sequenceRows, head.dropout), "logits");
    yPred = d.reshape(logits, d.pack([batch, length, d.dim(logits, -1)]));
    if (head.transpose) yPred = d.transpose(yPred, [0, 2, 1]);
  } else {
    // take_along_axis on axis 1, as one gather over the flattened batch.
    const offsets = g.op("ExpandDims", [
      g.op("Mul", [g.op("Range", [g.scalar(0), batch, g.scalar(1)], { Tidx: I }), length], { T: I }),
      g.scalar(1),
    ], { T: I, Tdim: I });
    const flat = g.op("Reshape", [g.op("AddV2", [maskPositions!, offsets], { T: I }), ints([-1])], { T: I, Tshape: I });
    const rows = d.gatherRows(sequenceRows, flat);
    const hidden = activate(dense(rows, "mlm_head/intermediate_dense"), head.activation);
    const normed = layerNorm(hidden, "mlm_head/intermediate_layer_norm", head.layerNormEpsilon);
    const logits = d.biasAdd(d.matMul(normed, w("token_embedding/embeddings"), false, true), w("mlm_head/output_bias"));
    yPred = d.reshape(logits, d.pack([batch, d.dim(maskPositions!, 1, true), d.dim(logits, -1)]));
  }

  // === Loss: Keras' weighted sparse categorical cross-entropy ===
  const classes = d.dim(yPred, -1);
  const predicted = spec.loss.fromLogits ? yPred : d.log(d.clip(yPred, 1e-7, 1 - 1e-7));
  const perExample = d.sparseCrossEntropy(d.reshape(predicted, d.pack([-1, classes])), labels);
  const total = d.sumAll(d.mulConstant(perExample, sampleWeight));
  const reduction = spec.loss.reduction;
  const divisor =
    reduction === "sum"
      ? undefined
      : reduction === "mean_with_sample_weight"
        ? d.sum(sampleWeight, [0])
        : g.op("Cast", [g.op("Size", [perExample], { T: F, out_type: I })], { SrcT: I, DstT: F, Truncate: attr.bool(false) });
  const lossValue = divisor === undefined ? total : d.divNoNan(total, divisor);
  const loss = g.op("Identity", [lossValue], { T: F }, "loss");
  const yPredOut = g.op("Identity", [yPred], { T: F }, "y_pred");

  // === Backward ===
  const grads = d.gradients(lossValue, g.op("OnesLike", [lossValue], { T: F }));

  // === Optimizer: Keras 3's Adam/AdamW, float32 ===
  const updated: string[] = [];
  const slotFeeds: string[] = [];
  const outputs: string[] = [`${loss}:0`, `${yPredOut}:0`];
  const signatureOutputs: Record<string, SignatureTensor> = {
    loss: { node: loss, dtype: DT.FLOAT, shape: [] },
    y_pred: { node: yPredOut, dtype: DT.FLOAT, shape: [-1] },
  };
  const opt = spec.optimizer;
  const c1 = opt && g.floatScalar(f32(1 - opt.beta1));
  const c2 = opt && g.floatScalar(f32(1 - opt.beta2));
  const epsilon = opt && g.floatScalar(f32(opt.epsilon));
  for (const v of spec.variables) {
    const node = weightNodes.get(v.path);
    if (node === undefined || !v.trainable) continue;
    const dense = grads.dense.get(node);
    const sparse = grads.sparse.get(node) ?? [];
    if (dense === undefined && sparse.length === 0) continue;
    const rows = g.scalar(v.shape[0]!);
    const indices = sparse.length === 1 ? sparse[0]!.indices : sparse.length > 1 ? g.op("ConcatV2", [...sparse.map((s) => s.indices), g.scalar(0)], { T: I, N: attr.int(sparse.length), Tidx: I }) : "";
    const values = sparse.length === 1 ? sparse[0]!.values : sparse.length > 1 ? g.op("ConcatV2", [...sparse.map((s) => s.values), g.scalar(0)], { T: F, N: attr.int(sparse.length), Tidx: I }) : "";
    const segmentSum = (t: string) => g.op("UnsortedSegmentSum", [t, indices, rows], { T: F, Tindices: I, Tnumsegments: I });
    // A table also used densely (the masked LM's tied output) gets TensorFlow's sum of both:
    // a dense gradient.
    const densified = dense === undefined ? undefined : sparse.length > 0 ? d.binary("AddV2", dense, segmentSum(values)) : dense;
    const index = updated.length;
    updated.push(v.path);
    const name = (what: string) => `out/${index}/${what}`;
    if (opt === undefined) {
      const gradient = g.op("Identity", [densified ?? segmentSum(values)], { T: F }, name("gradient"));
      outputs.push(`${gradient}:0`);
      signatureOutputs[name("gradient")] = { node: gradient, dtype: DT.FLOAT, shape: v.shape };
      continue;
    }
    const m = g.placeholder(`slot/${index}/momentum`, DT.FLOAT, v.shape);
    const velocity = g.placeholder(`slot/${index}/velocity`, DT.FLOAT, v.shape);
    slotFeeds.push(m, velocity);
    // Keras' sparse rule: `g - m` sums a row's occurrences, `square(g)` squares each first.
    const [summed, squared] =
      densified !== undefined ? [densified, d.unary("Square", densified)] : [segmentSum(values), segmentSum(d.unary("Square", values))];
    let value = node;
    if (v.weightDecay > 0) {
      // AdamW: var -= var * wd * lr, on the value before the step.
      value = d.binary("Sub", value, d.binary("Mul", d.binary("Mul", value, g.floatScalar(f32(v.weightDecay))), learningRate));
    }
    const m1 = d.binary("AddV2", m, d.binary("Mul", d.binary("Sub", summed, m), c1!));
    const v1 = d.binary("AddV2", velocity, d.binary("Mul", d.binary("Sub", squared, velocity), c2!));
    const step = d.binary("RealDiv", d.binary("Mul", m1, alpha), d.binary("AddV2", d.unary("Sqrt", v1), epsilon!));
    const next = d.binary("Sub", value, step);
    for (const [what, t] of [["value", next], ["momentum", m1], ["velocity", v1]] as const) {
      const out = g.op("Identity", [t], { T: F }, name(what));
      outputs.push(`${out}:0`);
      signatureOutputs[name(what)] = { node: out, dtype: DT.FLOAT, shape: v.shape };
    }
  }

  const feeds: GraphFeed[] = [
    ...dataInputs.map((name): GraphFeed => ({ name: `${dataNodes.get(name)!}:0`, tfDtype: name === "sample_weight" || name === "learning_rate" || name === "alpha" ? "DT_FLOAT" : "DT_INT32" })),
    ...weightInputs.map((path): GraphFeed => ({ name: `${weightNodes.get(path)!}:0`, tfDtype: "DT_FLOAT" })),
    ...slotFeeds.map((node): GraphFeed => ({ name: `${node}:0`, tfDtype: "DT_FLOAT" })),
  ];
  const signatureInputs: Record<string, SignatureTensor> = Object.fromEntries(
    dataInputs.map((name) => [name, { node: dataNodes.get(name)!, dtype: feeds[dataInputs.indexOf(name)]!.tfDtype === "DT_FLOAT" ? DT.FLOAT : DT.INT32, shape: [-1] }]),
  );
  const savedModel = g.toSavedModel({ inputs: signatureInputs, outputs: signatureOutputs });
  return { savedModel, dataInputs, weightInputs, updated, feeds, outputs };
}
