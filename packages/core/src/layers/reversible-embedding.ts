import { tf } from "../tf.js";
import { checkFeatures } from "./check-tensor.js";
import { Embedding } from "./embedding.js";

/**
 * KerasHub's `ReversibleEmbedding`: the token embedding, which can also run backwards,
 * projecting hidden states onto the vocabulary with the transposed table (tied output
 * weights, as masked-language-model heads use them).
 *
 * @example
 * const ids = tf.tensor2d([[2, 15, 3]], undefined, "int32");
 * const vectors = backbone.tokenEmbedding.call(ids);      // [1, 3, embeddingDim]
 * const logits = backbone.tokenEmbedding.reverse(vectors); // [1, 3, vocabularySize]
 */
export class ReversibleEmbedding extends Embedding {
  /** `[..., outputDim]` → `[..., inputDim]` logits: `x · Eᵀ`. */
  reverse(x: tf.Tensor): tf.Tensor {
    const [inputDim, outputDim] = this.embeddings.shape as [number, number];
    checkFeatures(
      x,
      `${this.path}.reverse`,
      outputDim,
      "the embedding size (embeddingDim)",
      `a float32 tensor [..., ${outputDim}] of embedding-space vectors (hidden states of size hiddenDim need the masked-LM head's projection first)`,
    );
    const r = (t: tf.Tensor) => this.store.precision.round(t) as tf.Tensor2D;
    return tf.tidy(() => {
      const rows = tf.reshape(x, [-1, outputDim]) as tf.Tensor2D;
      // In 16 bits, inputs and the table are read in the compute dtype and the product rounded.
      const logits = r(tf.matMul(r(rows), r(this.embeddings), false, true));
      return tf.reshape(logits, [...x.shape.slice(0, -1), inputDim]);
    });
  }
}
