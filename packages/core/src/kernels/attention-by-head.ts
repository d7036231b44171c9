import { tf } from "../tf.js";

/** One head's projections: query (scale folded in), key and value kernels [H, D] and biases [D]. */
export interface HeadWeights {
  query: [tf.Tensor2D, tf.Tensor1D];
  key: [tf.Tensor2D, tf.Tensor1D];
  value: [tf.Tensor2D, tf.Tensor1D];
}

/**
 * Whether inference attention should go head by head: on TF.js' wasm backend, which hands a
 * product to XNNPACK only when it is one untransposed matrix pair. A batched product (all
 * heads at once) runs through a scalar loop there at about a tenth of XNNPACK's speed, a
 * quarter of albert_base's forward pass; splitting the heads out of one tensor copies the
 * whole tensor per slice. Head by head, every product is a plain 2D one, the projections'
 * packed weights are cached by XNNPACK, and only cheap concatenations join the heads.
 */
export function attentionByHead(): boolean {
  return tf.getBackend() === "wasm";
}

/**
 * Self-attention for inference, head by head: per row and head, Q, K and V from the row's
 * hidden states, `softmax(QKᵀ + mask)·V`, the heads joined side by side, then the output
 * projection. The same arithmetic as the batched form, in float32.
 *
 * @param x [batch, seq, H]
 * @param maskBias [batch, 1, 1, seq]
 * @returns the joined heads' context [batch · seq, H] (before the output projection), and the
 *   probabilities [batch, heads, seq, seq] when asked for
 */
export function attendByHead(
  x: tf.Tensor3D,
  maskBias: tf.Tensor,
  heads: readonly HeadWeights[],
  returnScores: boolean,
): { context: tf.Tensor2D; scores?: tf.Tensor4D } {
  const [batch, length, hidden] = x.shape;
  const rows = tf.reshape(x, [batch * length, hidden]) as tf.Tensor2D;
  const masks = tf.reshape(maskBias, [batch, 1, length]) as tf.Tensor3D;
  const contexts: tf.Tensor2D[] = [];
  const probabilities: tf.Tensor2D[] = [];
  for (let b = 0; b < batch; b++) {
    const xb = batch === 1 ? rows : tf.slice(rows, [b * length, 0], [length, hidden]);
    const mask = tf.reshape(tf.slice(masks, [b, 0, 0], [1, 1, length]), [1, length]);
    const perHead = heads.map((h) => {
      const q = tf.fused.matMul({ a: xb, b: h.query[0], bias: h.query[1] });
      const k = tf.fused.matMul({ a: xb, b: h.key[0], bias: h.key[1] });
      const v = tf.fused.matMul({ a: xb, b: h.value[0], bias: h.value[1] });
      const p = tf.softmax(tf.add(tf.matMul(q, tf.transpose(k)), mask)) as tf.Tensor2D;
      if (returnScores) probabilities.push(p);
      return tf.matMul(p, v);
    });
    contexts.push(tf.concat(perHead, 1) as tf.Tensor2D);
  }
  const context = batch === 1 ? contexts[0]! : (tf.concat(contexts, 0) as tf.Tensor2D);
  if (!returnScores) return { context };
  const scores = tf.reshape(tf.stack(probabilities), [batch, heads.length, length, length]) as tf.Tensor4D;
  return { context, scores };
}
