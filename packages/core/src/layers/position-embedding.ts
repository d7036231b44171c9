import { tf } from "../tf.js";
import { Layer, type WeightStore } from "./layer.js";
import { albertKernelInitializer } from "./initializers.js";

/** KerasHub's `PositionEmbedding`: a learned vector per position 0..sequenceLength-1. */
export class PositionEmbedding extends Layer {
  readonly embeddings: tf.Variable;

  constructor(store: WeightStore, path: string, sequenceLength: number, dim: number) {
    super(store, path);
    this.embeddings = this.addWeight("embeddings", [sequenceLength, dim], albertKernelInitializer);
  }

  /** The first `length` positions, [length, dim] (broadcast over the batch by the caller). */
  call(length: number): tf.Tensor {
    return tf.slice(this.embeddings, [0, 0], [length, -1]);
  }
}
