import { AlbertInputError } from "../errors.js";
import { checkTensor } from "../layers/check-tensor.js";
import { tf } from "../tf.js";

/**
 * How to turn a sequence of token vectors into one vector per text:
 * - `"mean"`: the mean of `sequenceOutput` over the real tokens (`[CLS]` and `[SEP]` included,
 *   padding excluded), as sentence-transformers and transformers.js pool;
 * - `"cls"`: the final hidden state of the first (`[CLS]`) token, as transformers.js'
 *   `pooling: "cls"`;
 * - `"pooled"`: KerasHub's `pooledOutput` (`tanh` of a dense layer over that `[CLS]` state,
 *   trained by ALBERT's sentence-order objective).
 */
export type Pooling = "mean" | "cls" | "pooled";

export const POOLINGS: readonly Pooling[] = ["mean", "cls", "pooled"];

/** A `[batch, seq]` mask: 1 (or true) for real tokens, 0 for padding. */
export type PaddingMask = tf.Tensor2D | ArrayLike<ArrayLike<number | boolean>>;

/**
 * Mean of `sequenceOutput` [batch, seq, hidden] over the positions where `paddingMask` is 1,
 * giving [batch, hidden]. A row with no real token gives zeros.
 *
 * @example
 * ```ts
 * const { sequenceOutput, pooledOutput } = backbone.predict(inputs);
 * const sentences = meanPool(sequenceOutput, inputs.paddingMask);   // [batch, hidden]
 * const unit = l2Normalize(sentences);                             // cosine = dot product
 * ```
 */
export function meanPool(sequenceOutput: tf.Tensor3D, paddingMask: PaddingMask): tf.Tensor2D {
  checkHidden("meanPool", sequenceOutput);
  const [batch, length] = sequenceOutput.shape;
  const mask = maskValues("meanPool", paddingMask, batch, length);
  return tf.tidy(() => {
    const weights = tf.tensor2d(mask, [batch, length]);
    const summed = tf.sum(tf.mul(sequenceOutput, tf.expandDims(weights, 2)), 1);
    return tf.div(summed, tf.maximum(tf.sum(weights, 1, true), 1)) as tf.Tensor2D;
  });
}

/**
 * Scales each row of `x` [batch, dim] to unit Euclidean length (`x / max(‖x‖, epsilon)`, as
 * PyTorch's `F.normalize`), so cosine similarity becomes a dot product.
 */
export function l2Normalize(x: tf.Tensor2D, epsilon = 1e-12): tf.Tensor2D {
  checkTensor(x, { where: "l2Normalize", argument: "x", kind: "float", rank: 2, expected: "a float32 tensor [batch, dim]" });
  if (!(epsilon > 0)) {
    throw new AlbertInputError("invalid_value", "epsilon", `l2Normalize: epsilon must be a positive number, got ${epsilon}`);
  }
  return tf.tidy(() => tf.div(x, tf.maximum(tf.norm(x, "euclidean", 1, true), epsilon)) as tf.Tensor2D);
}

/**
 * One vector per text from the backbone's outputs, by `pooling` (see `Pooling`), optionally
 * L2-normalized. The caller owns the result; the outputs are not disposed.
 */
export function poolOutputs(
  outputs: { sequenceOutput: tf.Tensor3D; pooledOutput: tf.Tensor2D },
  paddingMask: PaddingMask,
  options: { pooling?: Pooling; normalize?: boolean } = {},
): tf.Tensor2D {
  const pooling = options.pooling ?? "mean";
  if (!POOLINGS.includes(pooling)) {
    throw new AlbertInputError(
      "invalid_value",
      "pooling",
      `poolOutputs: pooling ${JSON.stringify(pooling)} is not one of ${POOLINGS.map((p) => JSON.stringify(p)).join(", ")}`,
    );
  }
  const pooled = (): tf.Tensor2D => {
    if (pooling === "mean") return meanPool(outputs.sequenceOutput, paddingMask);
    if (pooling === "pooled") return tf.clone(outputs.pooledOutput);
    checkHidden("poolOutputs", outputs.sequenceOutput);
    return tf.tidy(() => tf.squeeze(tf.slice(outputs.sequenceOutput, [0, 0, 0], [-1, 1, -1]), [1]) as tf.Tensor2D);
  };
  if (!options.normalize) return pooled();
  return tf.tidy(() => l2Normalize(pooled()));
}

function checkHidden(where: string, sequenceOutput: unknown): asserts sequenceOutput is tf.Tensor3D {
  checkTensor(sequenceOutput, {
    where,
    argument: "sequenceOutput",
    kind: "float",
    rank: 3,
    expected: "a float32 tensor [batch, seq, hidden] (the backbone's sequenceOutput)",
  });
}

/** The mask as 0/1 floats, checked against the sequence's [batch, seq]. */
function maskValues(where: string, mask: PaddingMask, batch: number, length: number): Float32Array {
  const fail = (code: "invalid_value" | "shape_mismatch" | "invalid_type", why: string): never => {
    throw new AlbertInputError(code, "paddingMask", `${where}: paddingMask ${why}`);
  };
  let flat: ArrayLike<number | boolean>;
  if (mask instanceof tf.Tensor) {
    if (mask.isDisposed) fail("invalid_type", "is a disposed tensor");
    if (mask.rank !== 2 || mask.shape[0] !== batch || mask.shape[1] !== length) {
      fail("shape_mismatch", `has shape [${mask.shape.join(", ")}]; sequenceOutput needs [${batch}, ${length}]`);
    }
    flat = mask.dataSync() as ArrayLike<number>;
  } else {
    if (mask === null || typeof mask !== "object" || mask.length !== batch) {
      fail("shape_mismatch", `must have ${batch} rows of ${length} values (sequenceOutput is [${batch}, ${length}, ...])`);
    }
    const values: (number | boolean)[] = [];
    for (let b = 0; b < batch; b++) {
      const row = mask[b];
      if (row === undefined || row === null || row.length !== length) {
        fail("shape_mismatch", `row ${b} has ${row?.length ?? 0} values; sequenceOutput has ${length} positions per row`);
      }
      for (let s = 0; s < length; s++) values.push(row![s]!);
    }
    flat = values;
  }
  const out = new Float32Array(batch * length);
  for (let i = 0; i < out.length; i++) {
    const v = flat[i];
    if (v === 1 || v === true) out[i] = 1;
    else if (v !== 0 && v !== false) fail("invalid_value", `[${Math.floor(i / length)}][${i % length}] = ${String(v)}; allowed: 0 or 1`);
  }
  return out;
}
