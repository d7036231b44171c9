import { tf } from "../tf.js";
import { Layer, type WeightStore } from "./layer.js";
import { albertKernelInitializer, zerosInitializer } from "./initializers.js";

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
 * + mask)·V` per head, then the output projection. Weights keep Keras' shapes (query, key and
 * value kernels [H, N, D], biases [N, D]; output kernel [N, D, H]) so presets load unchanged.
 */
export class MultiHeadAttention extends Layer {
  readonly query: HeadProjection;
  readonly key: HeadProjection;
  readonly value: HeadProjection;
  readonly attentionOutput: HeadProjection;
  readonly numHeads: number;
  readonly headDim: number;
  readonly dropout: number;

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
  }

  /** `x` [B, S, H] → heads [B, N, S, D]. */
  private project(rows: tf.Tensor2D, p: HeadProjection, batch: number, length: number): tf.Tensor4D {
    const width = this.numHeads * this.headDim;
    const y = tf.fused.matMul({
      a: rows,
      b: tf.reshape(p.kernel, [-1, width]) as tf.Tensor2D,
      bias: tf.reshape(p.bias, [width]),
    });
    return tf.transpose(tf.reshape(y, [batch, length, this.numHeads, this.headDim]), [0, 2, 1, 3]);
  }

  /**
   * @param x [batch, seq, hidden]
   * @param maskBias [batch, 1, 1, seq]: 0 for real keys, a huge negative number for padding
   */
  call(x: tf.Tensor3D, maskBias: tf.Tensor, training: boolean, returnScores: boolean): AttentionResult {
    let scores: tf.Tensor4D | undefined;
    const output = tf.tidy(() => {
      const [batch, length, hidden] = x.shape;
      const rows = tf.reshape(x, [-1, hidden]) as tf.Tensor2D;
      const q = tf.mul(this.project(rows, this.query, batch, length), 1 / Math.sqrt(this.headDim)) as tf.Tensor4D;
      const k = this.project(rows, this.key, batch, length);
      const v = this.project(rows, this.value, batch, length);
      let probabilities = tf.softmax(tf.add(tf.matMul(q, k, false, true), maskBias)) as tf.Tensor4D;
      if (returnScores) scores = tf.keep(probabilities);
      if (training && this.dropout > 0) probabilities = tf.dropout(probabilities, this.dropout) as tf.Tensor4D;
      const context = tf.reshape(tf.transpose(tf.matMul(probabilities, v), [0, 2, 1, 3]), [-1, hidden]);
      const out = tf.fused.matMul({
        a: context as tf.Tensor2D,
        b: tf.reshape(this.attentionOutput.kernel, [hidden, hidden]) as tf.Tensor2D,
        bias: this.attentionOutput.bias,
      });
      return tf.reshape(out, [batch, length, hidden]) as tf.Tensor3D;
    });
    return scores === undefined ? { output } : { output, scores };
  }
}
