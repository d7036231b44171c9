import { tf } from "../tf.js";

/** A metric as `compile` takes it: accumulated over batches, reset per epoch. */
export interface Metric {
  readonly name: string;
  /** Adds a batch. `sampleWeight` (optional) has `yTrue`'s shape or fewer trailing axes. */
  updateState(yTrue: tf.Tensor, yPred: tf.Tensor, sampleWeight?: tf.Tensor): void;
  result(): number;
  resetState(): void;
}

const f = Math.fround;

/**
 * Keras' `Mean`: a weighted running mean kept in float32 (`total`, `count`) exactly as Keras
 * accumulates it, so logs agree with Keras' to float32 rounding.
 */
export class Mean {
  private total = 0;
  private count = 0;

  constructor(readonly name = "mean") {}

  /**
   * Adds values of shape `shape` (rank ≤ 2) with optional weights: one number (the loss
   * tracker's batch size), one per row, or one per value. As Keras' `Mean` with
   * `reduce_to_samplewise_values`: a [batch, n] batch adds, per row, the mean of its weighted
   * values to `total` and the mean of its weights (or 1) to `count`.
   */
  update(values: ArrayLike<number>, shape: readonly number[], weights?: ArrayLike<number> | number): void {
    const rows = shape.length === 0 ? 1 : shape[0]!;
    const perRow = shape.length === 2 ? shape[1]! : 1;
    const weightOf = (r: number, j: number): number =>
      weights === undefined ? 1 : typeof weights === "number" ? weights : weights.length === rows ? weights[r]! : weights[r * perRow + j]!;
    let batchTotal = 0;
    let batchCount = 0;
    for (let r = 0; r < rows; r++) {
      let sum = 0;
      let weightSum = 0;
      for (let j = 0; j < perRow; j++) {
        const w = weightOf(r, j);
        sum = f(sum + (weights === undefined ? f(values[r * perRow + j]!) : f(f(values[r * perRow + j]!) * w)));
        weightSum = f(weightSum + w);
      }
      batchTotal = f(batchTotal + (perRow === 1 ? sum : f(sum / perRow)));
      batchCount = f(batchCount + (perRow === 1 ? weightSum : f(weightSum / perRow)));
    }
    this.total = f(this.total + batchTotal);
    this.count = f(this.count + batchCount);
  }

  result(): number {
    return this.count === 0 ? 0 : f(this.total / this.count);
  }

  reset(): void {
    this.total = 0;
    this.count = 0;
  }
}

/**
 * Keras' `SparseCategoricalAccuracy`: how often the arg-max class equals the label, as a
 * (weighted) running mean.
 *
 * @example
 * ```ts
 * import { SparseCategoricalAccuracy } from "@albert/core";
 * classifier.compile({ metrics: [new SparseCategoricalAccuracy()] });
 * ```
 */
export class SparseCategoricalAccuracy implements Metric {
  readonly name: string;
  private readonly mean: Mean;

  constructor(name = "sparse_categorical_accuracy") {
    this.name = name;
    this.mean = new Mean(name);
  }

  updateState(yTrue: tf.Tensor, yPred: tf.Tensor, sampleWeight?: tf.Tensor): void {
    const matches = tf.tidy(() => tf.cast(tf.equal(tf.argMax(yPred, -1), tf.cast(yTrue, "int32")), "float32"));
    try {
      this.mean.update(matches.dataSync(), matches.shape, sampleWeight?.dataSync());
    } finally {
      matches.dispose();
    }
  }

  result(): number {
    return this.mean.result();
  }

  resetState(): void {
    this.mean.reset();
  }
}
