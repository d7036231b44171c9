import { AlbertConfigError } from "../../errors.js";
import { tf } from "../../tf.js";
import { Optimizer, checkPositive, isSparseGradient, type Gradient, type OptimizerArgs } from "./optimizer.js";

export interface AdamArgs extends OptimizerArgs {
  /** Decay of the first moment (default 0.9). */
  beta1?: number;
  /** Decay of the second moment (default 0.999). */
  beta2?: number;
  /** Added to `sqrt(v)` (default 1e-7, Keras' value; torch and tf.js use 1e-8). */
  epsilon?: number;
}

function checkBeta(value: number, argument: string): number {
  if (typeof value !== "number" || !(value >= 0 && value < 1)) {
    throw new AlbertConfigError("invalid_argument", `${argument} must be a number in [0, 1), got ${JSON.stringify(value)}`, argument);
  }
  return value;
}

/**
 * Keras 3's `Adam` with the TensorFlow backend's exact float32 update, step `t` (1-based):
 * ```
 * alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t)
 * m = m + (g - m) * (1 - beta1)
 * v = v + (g*g - v) * (1 - beta2)
 * var = var - (m * alpha) / (sqrt(v) + epsilon)
 * ```
 * Embedding tables looked up with a gather get their gradient per looked-up position
 * (`SparseGradient`); there Keras' sparse-aware ops sum the occurrences of a row for `m`
 * (`G`), but square each occurrence before summing for `v` (`S = Σ g_k²`, not `G²`). Every row
 * of `m` and `v` still decays every step. This is what makes fine-tuning here match Keras step
 * for step; textbook Adam (tf.js' `tf.train.adam`) drifts by 1e-3 on those tables.
 *
 * @example
 * ```ts
 * import { Adam } from "@albert/core";
 * classifier.compile({ optimizer: new Adam({ learningRate: 1e-3 }) });
 * ```
 */
export class Adam extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;

  constructor(args: AdamArgs = {}, defaultName = "adam") {
    super(args, defaultName);
    this.beta1 = checkBeta(args.beta1 ?? 0.9, "beta1");
    this.beta2 = checkBeta(args.beta2 ?? 0.999, "beta2");
    this.epsilon = checkPositive(args.epsilon ?? 1e-7, "epsilon");
  }

  protected slotNames(): string[] {
    return ["momentum", "velocity"];
  }

  /**
   * Step `step`'s (1-based) `alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t)`, in float32 as
   * Keras computes it (ops.power on float32 tensors).
   */
  stepSize(step: number): number {
    const f = Math.fround;
    const t = f(step);
    const beta1Power = f(Math.pow(f(this.beta1), t));
    const beta2Power = f(Math.pow(f(this.beta2), t));
    return f(f(f(this.learningRate) * f(Math.sqrt(f(1 - beta2Power)))) / f(1 - beta1Power));
  }

  protected updateStep(gradient: Gradient, variable: tf.Variable, [m, v]: tf.Variable[], step: number): void {
    const alpha = this.stepSize(step);
    const [summed, squared] = isSparseGradient(gradient)
      ? sparseMoments(gradient, variable.shape[0]!)
      : [gradient, tf.square(gradient)];
    m!.assign(tf.add(m!, tf.mul(tf.sub(summed, m!), 1 - this.beta1)));
    v!.assign(tf.add(v!, tf.mul(tf.sub(squared, v!), 1 - this.beta2)));
    variable.assign(tf.sub(variable, tf.div(tf.mul(m!, alpha), tf.add(tf.sqrt(v!), this.epsilon))));
  }

  getConfig(): Record<string, unknown> {
    return {
      name: this.name,
      learning_rate: this.learningRate,
      weight_decay: null,
      beta_1: this.beta1,
      beta_2: this.beta2,
      epsilon: this.epsilon,
      amsgrad: false,
    };
  }
}

/**
 * What Keras' TensorFlow ops make of a `tf.IndexedSlices` gradient inside Adam: `g - m`
 * densifies it (occurrences of a row summed: `G`), `square(g)` squares each occurrence first,
 * so the second moment sees `S[row] = Σ g_k²`.
 */
function sparseMoments(gradient: { indices: tf.Tensor1D; values: tf.Tensor2D }, rows: number): [tf.Tensor, tf.Tensor] {
  return [
    tf.unsortedSegmentSum(gradient.values, gradient.indices, rows),
    tf.unsortedSegmentSum(tf.square(gradient.values), gradient.indices, rows),
  ];
}
