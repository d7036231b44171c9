import { AlbertConfigError } from "../../errors.js";
import { tf } from "../../tf.js";
import { Adam } from "./adam.js";
import { AdamW } from "./adamw.js";
import { Optimizer, isSparseGradient, type Gradient, type OptimizedVariable, type OptimizerVariableValue } from "./optimizer.js";

export interface LossScaleOptimizerArgs {
  /** The loss scale to start from (default 2^15, Keras'). */
  initialScale?: number;
  /** After this many steps in a row with finite gradients the scale doubles (default 2000). */
  dynamicGrowthSteps?: number;
  /** The optimizer's name (default `"loss_scale_optimizer"`, what Keras' `compile` names it). */
  name?: string;
}

/** What Keras registers each optimizer class under (`inner_optimizer` in the config). */
const KERAS_MODULE = "keras.optimizers";

/**
 * Keras 3's `LossScaleOptimizer`, which `compile` wraps around the optimizer of a model under
 * the `mixed_float16` policy (as Keras' `compile` does): the loss is multiplied by a dynamic
 * scale before the gradients are taken, so that small float16 gradients do not underflow, and
 * the gradients are divided by it before the inner optimizer's step. A step whose gradients are
 * not all finite is skipped (no update, the inner optimizer's `iterations` unchanged) and
 * halves the scale; after `dynamicGrowthSteps` finite steps in a row the scale doubles. Its
 * variables are saved as Keras saves them: its own `iteration` and `learning_rate` (unused, 0),
 * `step_counter`, `dynamic_scale`, then the inner optimizer's.
 *
 * @example
 * ```ts
 * import { Adam, LossScaleOptimizer } from "@albert/core";
 * const optimizer = new LossScaleOptimizer(new Adam({ learningRate: 1e-4 }));
 * classifier.compile({ optimizer }); // mixed_float16 classifiers get one anyway
 * ```
 */
export class LossScaleOptimizer extends Optimizer {
  readonly innerOptimizer: Optimizer;
  readonly initialScale: number;
  readonly dynamicGrowthSteps: number;
  /** The current loss scale (Keras' `dynamic_scale`, float32). */
  dynamicScale: number;
  /** Finite steps since the scale last changed (Keras' `step_counter`). */
  stepCounter = 0;

  constructor(innerOptimizer: Optimizer, args: LossScaleOptimizerArgs = {}) {
    if (!(innerOptimizer instanceof Optimizer) || innerOptimizer instanceof LossScaleOptimizer) {
      throw new AlbertConfigError("invalid_argument", "LossScaleOptimizer wraps an optimizer (new Adam(...), new AdamW(...)) that is not itself a LossScaleOptimizer", "innerOptimizer");
    }
    super({ learningRate: innerOptimizer.learningRate, ...(args.name !== undefined ? { name: args.name } : {}) }, "loss_scale_optimizer");
    const { initialScale = 2 ** 15, dynamicGrowthSteps = 2000 } = args;
    if (typeof initialScale !== "number" || !Number.isFinite(initialScale) || initialScale <= 0) {
      throw new AlbertConfigError("invalid_argument", `initialScale must be a positive number, got ${JSON.stringify(initialScale)}`, "initialScale");
    }
    if (!Number.isInteger(dynamicGrowthSteps) || dynamicGrowthSteps < 1) {
      throw new AlbertConfigError("invalid_argument", `dynamicGrowthSteps must be an integer >= 1, got ${JSON.stringify(dynamicGrowthSteps)}`, "dynamicGrowthSteps");
    }
    this.innerOptimizer = innerOptimizer;
    this.initialScale = initialScale;
    this.dynamicGrowthSteps = dynamicGrowthSteps;
    this.dynamicScale = Math.fround(initialScale);
  }

  // === The inner optimizer's state, as Keras' properties forward it ===

  override get iterations(): number {
    return this.innerOptimizer.iterations;
  }

  override set iterations(value: number) {
    this.innerOptimizer.iterations = value;
  }

  override get learningRate(): number {
    return this.innerOptimizer.learningRate;
  }

  override set learningRate(value: number) {
    this.innerOptimizer.learningRate = value;
  }

  override get isBuilt(): boolean {
    return this.innerOptimizer.isBuilt;
  }

  override build(variables: readonly OptimizedVariable[]): void {
    this.innerOptimizer.build(variables);
  }

  override slotsOf(variable: tf.Variable): readonly tf.Variable[] | undefined {
    return this.innerOptimizer.slotsOf(variable);
  }

  protected slotNames(): string[] {
    return [];
  }

  protected updateStep(): void {
    throw new Error("LossScaleOptimizer applies its inner optimizer's steps");
  }

  // === Loss scaling ===

  override scaleLoss(loss: tf.Scalar): tf.Scalar {
    return tf.mul(loss, tf.scalar(this.dynamicScale));
  }

  /**
   * Keras' `apply`: with finite gradients, unscales them and applies the inner optimizer's
   * step, then doubles the scale every `dynamicGrowthSteps` steps; otherwise skips the step
   * and halves the scale. Gradients are those of the scaled loss.
   */
  override applyGradients(gradients: readonly (Gradient | undefined)[], variables: readonly OptimizedVariable[]): void {
    this.build(variables);
    const present = gradients.filter((g): g is Gradient => g !== undefined);
    const finite = tf.tidy(() => {
      if (present.length === 0) return true;
      const checks = present.map((g) => tf.all(tf.isFinite(isSparseGradient(g) ? g.values : g)));
      return tf.all(tf.stack(checks)).dataSync()[0] === 1;
    });
    if (!finite) {
      this.stepCounter = 0;
      this.dynamicScale = Math.fround(this.dynamicScale * 0.5);
      return;
    }
    const scale = this.dynamicScale;
    const unscaled = tf.tidy(() =>
      gradients.map((g) => {
        if (g === undefined) return undefined;
        if (isSparseGradient(g)) return { indices: tf.keep(g.indices.clone()), values: tf.keep(tf.div(g.values, scale) as tf.Tensor2D) };
        return tf.keep(tf.div(g, scale));
      }),
    );
    try {
      this.innerOptimizer.applyGradients(unscaled, variables);
    } finally {
      tf.dispose(unscaled.flatMap((g) => (g === undefined ? [] : isSparseGradient(g) ? [g.indices, g.values] : [g])));
    }
    if (this.stepCounter === this.dynamicGrowthSteps - 1) {
      this.stepCounter = 0;
      this.dynamicScale = Math.fround(this.dynamicScale * 2);
    } else {
      this.stepCounter += 1;
    }
  }

  // === Saving ===

  /** Keras' order: its own `iteration` and `learning_rate` (never used: 0), `step_counter`,
   * `dynamic_scale`, then the inner optimizer's variables. */
  override variables(): OptimizerVariableValue[] {
    return [
      { path: `${this.name}/iteration`, shape: [], int64: 0n },
      { path: `${this.name}/learning_rate`, shape: [], data: Float32Array.of(0) },
      { path: `${this.name}/step_counter`, shape: [], int64: BigInt(this.stepCounter) },
      { path: `${this.name}/dynamic_scale`, shape: [], data: Float32Array.of(this.dynamicScale) },
      ...this.innerOptimizer.variables(),
    ];
  }

  getConfig(): Record<string, unknown> {
    const inner = this.innerOptimizer;
    const className = inner instanceof AdamW ? "AdamW" : inner instanceof Adam ? "Adam" : inner.constructor.name;
    return {
      name: this.name,
      inner_optimizer: { module: KERAS_MODULE, class_name: className, config: inner.getConfig(), registered_name: null },
      initial_scale: this.initialScale,
      dynamic_growth_steps: this.dynamicGrowthSteps,
    };
  }

  /** Frees the inner optimizer's slots and starts the scale afresh. */
  override dispose(): void {
    this.innerOptimizer.dispose();
    this.stepCounter = 0;
    this.dynamicScale = Math.fround(this.initialScale);
  }
}
