import { tf } from "../tf.js";
import { Layer, type WeightStore } from "./layer.js";
import { albertKernelInitializer } from "./initializers.js";

/** Keras `Embedding`: row lookup in a [inputDim, outputDim] table (the segment embedding). */
export class Embedding extends Layer {
  readonly embeddings: tf.Variable;

  constructor(store: WeightStore, path: string, inputDim: number, outputDim: number) {
    super(store, path);
    this.embeddings = this.addWeight("embeddings", [inputDim, outputDim], albertKernelInitializer);
  }

  /** `ids` [batch, seq] int32 → [batch, seq, outputDim]. */
  call(ids: tf.Tensor): tf.Tensor {
    return tf.gather(this.embeddings, ids);
  }
}
