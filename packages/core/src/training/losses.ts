import { AlbertConfigError } from "../errors.js";
import { tf } from "../tf.js";

/** Keras' loss reductions: `sum_over_batch_size` divides the weighted sum by the number of
 * loss values (not by the sum of the weights); `mean_with_sample_weight` by the weights' sum. */
export type LossReduction = "sum_over_batch_size" | "sum" | "none" | "mean_with_sample_weight";

/** A loss as `compile` takes it. */
export interface Loss {
  readonly name: string;
  /**
   * The reduced loss of a batch (a scalar unless `reduction` is `none`), differentiable.
   * `sampleWeight` has `yTrue`'s shape (or fewer trailing axes).
   */
  call(yTrue: tf.Tensor, yPred: tf.Tensor, sampleWeight?: tf.Tensor): tf.Tensor;
  getConfig(): Record<string, unknown>;
}

export interface SparseCategoricalCrossentropyArgs {
  /** `yPred` holds logits (true) or probabilities (false, Keras' default). */
  fromLogits?: boolean;
  reduction?: LossReduction;
  name?: string;
}

const REDUCTIONS: readonly LossReduction[] = ["sum_over_batch_size", "sum", "none", "mean_with_sample_weight"];
/** Keras' `backend.epsilon()`: probabilities are clipped to [eps, 1 - eps] before the log. */
const EPSILON = 1e-7;

/**
 * Keras' `SparseCategoricalCrossentropy`: `-log p[label]` per position, weighted by
 * `sampleWeight`, then reduced as Keras does: `sum_over_batch_size` (the default) divides by
 * the number of loss values, so a masked-LM batch whose padded mask positions have weight 0 is
 * divided by `batch × maskSelectionLength` (Keras 3.15's `reduce_weighted_values`).
 *
 * @example
 * ```ts
 * import { SparseCategoricalCrossentropy } from "@albert/core";
 * classifier.compile({ loss: new SparseCategoricalCrossentropy({ fromLogits: true }) });
 * ```
 */
export class SparseCategoricalCrossentropy implements Loss {
  readonly name: string;
  readonly fromLogits: boolean;
  readonly reduction: LossReduction;

  constructor(args: SparseCategoricalCrossentropyArgs = {}) {
    const { fromLogits = false, reduction = "sum_over_batch_size", name = "sparse_categorical_crossentropy" } = args;
    if (typeof fromLogits !== "boolean") {
      throw new AlbertConfigError("invalid_argument", `fromLogits must be true or false, got ${JSON.stringify(fromLogits)}`, "fromLogits");
    }
    if (!REDUCTIONS.includes(reduction)) {
      throw new AlbertConfigError(
        "invalid_argument",
        `reduction must be one of ${REDUCTIONS.join(", ")}, got ${JSON.stringify(reduction)}`,
        "reduction",
      );
    }
    this.fromLogits = fromLogits;
    this.reduction = reduction;
    this.name = name;
  }

  call(yTrue: tf.Tensor, yPred: tf.Tensor, sampleWeight?: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const classes = yPred.shape[yPred.rank - 1]!;
      const rows = tf.reshape(yPred, [-1, classes]) as tf.Tensor2D;
      // Keras (TF backend) takes log(clip(p)) as logits when given probabilities.
      const logits = this.fromLogits ? rows : tf.log(tf.clipByValue(rows, EPSILON, 1 - EPSILON));
      const logProbabilities = tf.logSoftmax(logits);
      const labels = tf.reshape(tf.cast(yTrue, "int32"), [-1]) as tf.Tensor1D;
      const picked = tf.sum(tf.mul(logProbabilities, tf.oneHot(labels, classes)), -1);
      const losses = tf.reshape(tf.neg(picked), yTrue.shape);
      return reduceWeighted(losses, sampleWeight, this.reduction);
    });
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name, reduction: this.reduction, from_logits: this.fromLogits, ignore_class: null };
  }
}

/** Keras 3.15's `reduce_weighted_values` (no Keras mask here). */
function reduceWeighted(values: tf.Tensor, sampleWeight: tf.Tensor | undefined, reduction: LossReduction): tf.Tensor {
  let weighted = values;
  if (sampleWeight !== undefined) {
    let w = tf.cast(sampleWeight, "float32");
    while (w.rank < values.rank) w = tf.expandDims(w, -1);
    weighted = tf.mul(values, w);
  }
  if (reduction === "none" || weighted.rank === 0) return weighted;
  const sum = tf.sum(weighted);
  if (reduction === "sum") return sum;
  const divisor =
    reduction === "mean_with_sample_weight" && sampleWeight !== undefined ? tf.sum(tf.cast(sampleWeight, "float32")) : tf.scalar(values.size);
  // divide_no_nan: 0 where the divisor is 0.
  return tf.where(tf.equal(divisor, 0), tf.zerosLike(sum), tf.div(sum, divisor));
}
