import { sessionBackend } from "../graph/graph-engine.js";
import { attendByHead, attentionByHead, type HeadWeights } from "../kernels/attention-by-head.js";
import { DerivedWeights, isRecordingGradients } from "../kernels/derived-weights.js";
import { tf } from "../tf.js";
import { dropout } from "./dropout.js";
import { checkSequenceInputs } from "./check-tensor.js";
import { albertKernelInitializer, zerosInitializer } from "./initializers.js";
import { Layer, type WeightStore } from "./layer.js";

/** One projection of Keras' `MultiHeadAttention`, with per-head kernels [in, heads, headDim]. */
interface HeadProjection {
  kernel: tf.Variable;
  bias: tf.Variable;
}

export interface AttentionResult {
  output: tf.Tensor3D;
  /** Attention probabilities [batch, heads, query, key], when asked for. */
  scores?: tf.Tensor4D;
}

/**
 * Keras' `MultiHeadAttention` as KerasHub's encoder uses it for self-attention: `softmax(QKᵀ/√D
 * + mask)·V` per head, then the output projection. The variables keep Keras' shapes (query,
 * key and value kernels [H, N, D], biases [N, D]; output kernel [N, D, H]) so presets load
 * unchanged; the computation uses a derived fused copy: one [H, 3H] projection for Q, K and V
 * with the 1/√D scale folded into the query part.
 */
export class MultiHeadAttention extends Layer {
  readonly query: HeadProjection;
  readonly key: HeadProjection;
  readonly value: HeadProjection;
  readonly attentionOutput: HeadProjection;
  readonly numHeads: number;
  readonly headDim: number;
  readonly dropout: number;
  /** [qkvKernel [H, 3H], qkvBias [3H], outputKernel [H, H]] */
  private readonly fused: DerivedWeights<[tf.Tensor2D, tf.Tensor1D, tf.Tensor2D]>;
  /** Per head: query (scaled), key and value kernels [H, D] and biases [D], for `attendByHead`. */
  private readonly byHead: DerivedWeights<tf.Tensor[]>;

  constructor(store: WeightStore, path: string, hiddenDim: number, numHeads: number, dropout: number) {
    super(store, path);
    this.numHeads = numHeads;
    this.headDim = hiddenDim / numHeads;
    this.dropout = dropout;
    const projection = (name: string, kernel: number[], bias: number[]): HeadProjection => ({
      kernel: this.store.create(`${path}/${name}/kernel`, kernel, albertKernelInitializer),
      bias: this.store.create(`${path}/${name}/bias`, bias, zerosInitializer),
    });
    const [N, D, H] = [numHeads, this.headDim, hiddenDim];
    this.query = projection("query", [H, N, D], [N, D]);
    this.key = projection("key", [H, N, D], [N, D]);
    this.value = projection("value", [H, N, D], [N, D]);
    this.attentionOutput = projection("attention_output", [N, D, H], [H]);
    this.fused = new DerivedWeights(
      () => [this.query, this.key, this.value, this.attentionOutput].flatMap((p) => [p.kernel, p.bias]),
      () => this.buildFused(),
    );
    this.byHead = new DerivedWeights(
      () => [this.query, this.key, this.value].flatMap((p) => [p.kernel, p.bias]),
      () => this.buildByHead(),
    );
    store.onDispose(() => {
      this.fused.dispose();
      this.byHead.dispose();
    });
    // Where inference runs as a TensorFlow graph, the eager path serves only training and
    // the optional outputs: computing the fused copy per call there saves its memory.
    if (sessionBackend() === undefined) this.fused.prebuild();
  }

  private buildFused(): [tf.Tensor2D, tf.Tensor1D, tf.Tensor2D] {
    const H = this.numHeads * this.headDim;
    const precision = this.store.precision;
    // In 16 bits the scale multiplies the float32 logits instead (see `call`), and the
    // weights are read in the compute dtype.
    const scale = precision.reduced ? 1 : 1 / Math.sqrt(this.headDim);
    const r = (t: tf.Tensor) => precision.round(t);
    const kernel = (p: HeadProjection, s = 1) => tf.mul(tf.reshape(p.kernel, [H, H]), s);
    const bias = (p: HeadProjection, s = 1) => tf.mul(tf.reshape(p.bias, [H]), s);
    return [
      r(tf.concat([kernel(this.query, scale), kernel(this.key), kernel(this.value)], 1)) as tf.Tensor2D,
      r(tf.concat([bias(this.query, scale), bias(this.key), bias(this.value)])) as tf.Tensor1D,
      r(tf.reshape(this.attentionOutput.kernel, [H, H])) as tf.Tensor2D,
    ];
  }

  private buildByHead(): tf.Tensor[] {
    const [N, D] = [this.numHeads, this.headDim];
    const H = N * D;
    const scale = 1 / Math.sqrt(D);
    const head = (p: HeadProjection, h: number, s = 1) => [
      tf.mul(tf.reshape(tf.slice(p.kernel, [0, h, 0], [H, 1, D]), [H, D]), s),
      tf.mul(tf.reshape(tf.slice(p.bias, [h, 0], [1, D]), [D]), s),
    ];
    return Array.from({ length: N }, (_, h) => [...head(this.query, h, scale), ...head(this.key, h), ...head(this.value, h)]).flat();
  }

  private headWeights(): HeadWeights[] {
    const t = this.byHead.getKept();
    return Array.from({ length: this.numHeads }, (_, h) => {
      const [qk, qb, kk, kb, vk, vb] = t.slice(h * 6, h * 6 + 6) as [tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D];
      return { query: [qk, qb], key: [kk, kb], value: [vk, vb] };
    });
  }

  /**
   * @param x [batch, seq, hidden]
   * @param maskBias [batch, 1, 1, seq]: 0 for real keys, a huge negative number for padding
   */
  call(x: tf.Tensor3D, maskBias: tf.Tensor, training: boolean, returnScores: boolean): AttentionResult {
    checkSequenceInputs(`${this.path}.call`, x, maskBias, this.numHeads * this.headDim);
    if (!training && !this.store.precision.reduced && attentionByHead() && !isRecordingGradients()) {
      return this.callByHead(x, maskBias, returnScores);
    }
    let scores: tf.Tensor4D | undefined;
    const output = tf.tidy(() => {
      const [batch, length, hidden] = x.shape;
      const [N, D] = [this.numHeads, this.headDim];
      const [qkvKernel, qkvBias, outputKernel] = this.fused.get();
      // In 16 bits (KerasHub's arithmetic): every product and bias add rounded; the logits
      // rounded, then scaled, masked and normalized in float32; the probabilities rounded.
      const precision = this.store.precision;
      const r = (t: tf.Tensor) => precision.round(t);
      const rows = r(tf.reshape(x, [-1, hidden])) as tf.Tensor2D;
      const qkv = r(tf.add(r(tf.matMul(rows, qkvKernel)), qkvBias));
      // [T, 3H] → [3, batch, heads, seq, headDim]: one transpose for all three.
      const heads = tf.transpose(tf.reshape(qkv, [batch, length, 3, N, D]), [2, 0, 3, 1, 4]);
      const [q, k, v] = tf.unstack(heads) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
      let logits = tf.matMul(q, k, false, true);
      if (precision.reduced) logits = tf.mul(r(logits), Math.fround(1 / Math.fround(Math.sqrt(D))));
      let probabilities = r(tf.softmax(tf.add(logits, maskBias))) as tf.Tensor4D;
      if (returnScores) scores = tf.keep(probabilities);
      if (training && this.dropout > 0) probabilities = r(dropout(probabilities, this.dropout)) as tf.Tensor4D;
      const context = tf.reshape(tf.transpose(r(tf.matMul(probabilities, v)), [0, 2, 1, 3]), [-1, hidden]);
      const out = r(tf.add(r(tf.matMul(context as tf.Tensor2D, outputKernel)), r(this.attentionOutput.bias)));
      return tf.reshape(out, [batch, length, hidden]) as tf.Tensor3D;
    });
    return scores === undefined ? { output } : { output, scores };
  }

  /** Inference on wasm: the heads one by one (`attendByHead`), then the output projection. */
  private callByHead(x: tf.Tensor3D, maskBias: tf.Tensor, returnScores: boolean): AttentionResult {
    let scores: tf.Tensor4D | undefined;
    const output = tf.tidy(() => {
      const [batch, length, hidden] = x.shape;
      const { context, scores: s } = attendByHead(x, maskBias, this.headWeights(), returnScores);
      if (s !== undefined) scores = tf.keep(s);
      const out = tf.fused.matMul({ a: context, b: this.fused.get()[2], bias: this.attentionOutput.bias });
      return tf.reshape(out, [batch, length, hidden]) as tf.Tensor3D;
    });
    return scores === undefined ? { output } : { output, scores };
  }
}
