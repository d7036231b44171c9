import { tf } from "../tf.js";
import { Layer, type WeightStore } from "./layer.js";
import { albertKernelInitializer } from "./initializers.js";
import { checkIds, checkTensor } from "./check-tensor.js";

/** Looked-up rows to use instead of gathering them again (see `withPrecomputedLookups`). */
const precomputed = new Map<Embedding, tf.Tensor>();

/**
 * Runs `fn` with these embedding layers returning the given rows from `call` instead of
 * gathering them. Training uses it to get TensorFlow's per-occurrence gradient of a lookup
 * (what Keras' sparse Adam rule needs): the rows are gathered before the gradient tape starts
 * and are then differentiated as an input. Each row tensor must have the shape `call` would
 * return for the ids it is called with.
 */
export function withPrecomputedLookups<T>(rows: ReadonlyMap<Embedding, tf.Tensor>, fn: () => T): T {
  for (const [layer, tensor] of rows) precomputed.set(layer, tensor);
  try {
    return fn();
  } finally {
    for (const layer of rows.keys()) precomputed.delete(layer);
  }
}

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
    const rows = precomputed.get(this);
    if (rows !== undefined) {
      if (rows.shape.slice(0, -1).join() !== ids.shape.join()) {
        throw new Error(`${where}: precomputed rows [${rows.shape}] do not fit ids [${ids.shape}]`);
      }
      return this.store.precision.round(rows);
    }
    checkIds(ids, where, "ids", inputDim, "the table's rows:");
    // In 16 bits, Keras gathers from the table and casts the rows (the same values).
    return tf.tidy(() => this.store.precision.round(tf.gather(this.embeddings, ids)));
  }
}
