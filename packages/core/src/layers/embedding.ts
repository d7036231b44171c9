import { tf } from "../tf.js";
import { Layer, type WeightStore } from "./layer.js";
import { albertKernelInitializer } from "./initializers.js";
import { checkIds, checkTensor } from "./check-tensor.js";

/** Keras `Embedding`: row lookup in a [inputDim, outputDim] table (the segment embedding). */
export class Embedding extends Layer {
  readonly embeddings: tf.Variable;

  constructor(store: WeightStore, path: string, inputDim: number, outputDim: number) {
    super(store, path);
    this.embeddings = this.addWeight("embeddings", [inputDim, outputDim], albertKernelInitializer);
  }

  /** `ids` [batch, seq] int32 → [batch, seq, outputDim]. */
  call(ids: tf.Tensor): tf.Tensor {
    const [inputDim] = this.embeddings.shape as [number, number];
    const where = `${this.path}.call`;
    checkTensor(ids, { where, argument: "ids", kind: "int", expected: "an int32 tensor of ids" });
    checkIds(ids, where, "ids", inputDim, "the table's rows:");
    return tf.gather(this.embeddings, ids);
  }
}
