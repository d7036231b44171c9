import { tf } from "../tf.js";
import { Layer, type WeightStore } from "./layer.js";
import { AlbertInputError } from "../errors.js";
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
    const [sequenceLength] = this.embeddings.shape as [number, number];
    if (!Number.isInteger(length) || length < 1 || length > sequenceLength) {
      throw new AlbertInputError(
        Number.isInteger(length) ? "out_of_range" : "invalid_value",
        "length",
        `${this.path}.call: length = ${String(length)} is not allowed: an integer in [1, ${sequenceLength}] (maxSequenceLength ${sequenceLength})`,
      );
    }
    return tf.tidy(() => this.store.precision.round(tf.slice(this.embeddings, [0, 0], [length, -1])));
  }
}
