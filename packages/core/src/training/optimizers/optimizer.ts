import { AlbertConfigError } from "../../errors.js";
import { tf } from "../../tf.js";

/**
 * The gradient of an embedding table looked up with `tf.gather`, as TensorFlow gives it to
 * Keras: one row per looked-up position (`values` [N, dim]) and the table row it came from
 * (`indices` [N]), duplicates not summed (TensorFlow's `tf.IndexedSlices`).
 */
export interface SparseGradient {
  indices: tf.Tensor1D;
  values: tf.Tensor2D;
}

/** A variable's gradient: dense (same shape as the variable) or per-occurrence rows. */
export type Gradient = tf.Tensor | SparseGradient;

export function isSparseGradient(g: Gradient): g is SparseGradient {
  return !(g instanceof tf.Tensor);
}

/** A variable to update: its TF.js variable and KerasHub path (`logits/kernel`). */
export interface OptimizedVariable {
  path: string;
  variable: tf.Variable;
}

/** One optimizer variable as Keras saves it (`optimizer/vars/N` of `task.weights.h5`). */
export type OptimizerVariableValue =
  | { path: string; shape: []; int64: bigint }
  | { path: string; shape: number[]; data: Float32Array };

export interface OptimizerArgs {
  /** Step size (Keras stores it as a float32 variable, so it is rounded to float32). */
  learningRate?: number;
  /** The optimizer's name (Keras' default differs per class). */
  name?: string;
}

/** Keras' `learning_rate` validation: a positive finite number. */
export function checkPositive(value: unknown, argument: string, what = "a positive number"): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new AlbertConfigError("invalid_argument", `${argument} must be ${what}, got ${JSON.stringify(value)}`, argument);
  }
  return value;
}

/**
 * Keras 3's optimizer base (`keras.optimizers.Optimizer`) for the TensorFlow backend: an
 * `iterations` counter (int64 in Keras), a float32 learning rate, and per-variable slots
 * created on the first `applyGradients` in the order of the variables given then (Keras' order:
 * the model's `trainable_variables`), which is also the order they are saved in. Variables
 * without a gradient are skipped entirely for that step, as Keras' `apply_gradients` does.
 */
export abstract class Optimizer {
  readonly name: string;
  private steps = 0;
  private lr: number;
  /** Per-variable slots, in build order. */
  protected slots: { variable: OptimizedVariable; state: tf.Variable[] }[] = [];
  private slotByVariable = new Map<tf.Variable, tf.Variable[]>();
  private built = false;

  protected constructor(args: OptimizerArgs, defaultName: string) {
    this.lr = Math.fround(checkPositive(args.learningRate ?? 0.001, "learningRate"));
    if (args.name !== undefined && (typeof args.name !== "string" || args.name.length === 0)) {
      throw new AlbertConfigError("invalid_argument", `name must be a non-empty string, got ${JSON.stringify(args.name)}`, "name");
    }
    this.name = args.name ?? defaultName;
  }

  /** Number of steps applied (Keras' `iterations`). */
  get iterations(): number {
    return this.steps;
  }

  set iterations(value: number) {
    this.steps = value;
  }

  /** The learning rate, as the float32 Keras keeps. */
  get learningRate(): number {
    return this.lr;
  }

  set learningRate(value: number) {
    this.lr = Math.fround(checkPositive(value, "learningRate"));
  }

  /** Whether the slots exist (after the first step, or after `build`). */
  get isBuilt(): boolean {
    return this.built;
  }

  /** The names of a variable's slots, in Keras' order (Adam: momentum, velocity). */
  protected abstract slotNames(): string[];

  /** One update of `variable` (weight decay is applied before, by `applyGradients`). */
  protected abstract updateStep(gradient: Gradient, variable: tf.Variable, slots: tf.Variable[], step: number): void;

  /**
   * The loss the gradients are taken of (Keras' `scale_loss`): the loss itself, or, for
   * `LossScaleOptimizer`, the loss times the current loss scale.
   */
  scaleLoss(loss: tf.Scalar): tf.Scalar {
    return loss;
  }

  /** Whether `variable` gets weight decay (AdamW); the base optimizer applies none. */
  protected weightDecayFactor(_variable: OptimizedVariable): number {
    return 0;
  }

  /**
   * Creates the slots for these variables (zeros), in this order, as Keras' `build`. Called by
   * the first `applyGradients`; calling it again does nothing.
   */
  build(variables: readonly OptimizedVariable[]): void {
    if (this.built) return;
    for (const v of variables) {
      const state = this.slotNames().map(() => tf.tidy(() => tf.variable(tf.zerosLike(v.variable), false)));
      this.slots.push({ variable: v, state });
      this.slotByVariable.set(v.variable, state);
    }
    this.built = true;
  }

  /**
   * One optimizer step: `gradients[i]` belongs to `variables[i]` (`undefined`: no gradient,
   * skipped). Builds the slots on the first call. Disposes nothing it was given.
   */
  applyGradients(gradients: readonly (Gradient | undefined)[], variables: readonly OptimizedVariable[]): void {
    this.build(variables);
    const step = this.iterations + 1;
    tf.tidy(() => {
      variables.forEach((v, i) => {
        const gradient = gradients[i];
        if (gradient === undefined) return;
        const state = this.slotByVariable.get(v.variable);
        if (state === undefined) {
          throw new AlbertConfigError(
            "invalid_argument",
            `${this.name}: variable ${v.path} was not among the variables this optimizer was built for; ` +
              "compile the model again to train a different set of variables",
            "variables",
          );
        }
        const decay = this.weightDecayFactor(v);
        if (decay > 0) {
          // Keras: variable.assign_sub(variable * wd * lr), on the pre-step value.
          v.variable.assign(tf.sub(v.variable, tf.mul(tf.mul(v.variable, decay), this.lr)));
        }
        this.updateStep(gradient, v.variable, state, step);
      });
    });
    this.iterations = step;
  }

  /** A variable's slots (Adam: momentum, velocity), once built; `undefined` for a variable
   * the optimizer was not built for. */
  slotsOf(variable: tf.Variable): readonly tf.Variable[] | undefined {
    return this.slotByVariable.get(variable);
  }

  /**
   * Counts a step whose update was applied elsewhere (the native train graph computes the
   * update and assigns variables and slots itself), as `applyGradients` counts its own.
   */
  countStep(): void {
    this.iterations += 1;
  }

  /**
   * The optimizer's variables in Keras' save order: `iterations` (int64), `learning_rate`,
   * then each variable's slots (Adam: momentum, velocity) in build order.
   */
  variables(): OptimizerVariableValue[] {
    const out: OptimizerVariableValue[] = [
      { path: `${this.name}/iteration`, shape: [], int64: BigInt(this.iterations) },
      { path: `${this.name}/learning_rate`, shape: [], data: Float32Array.of(this.lr) },
    ];
    for (const { variable, state } of this.slots) {
      const base = variable.path.replaceAll("/", "_");
      state.forEach((slot, i) => {
        out.push({
          path: `${this.name}/${base}_${this.slotNames()[i]}`,
          shape: [...slot.shape],
          data: Float32Array.from(slot.dataSync() as Float32Array),
        });
      });
    }
    return out;
  }

  /** Keras' `get_config()` of the optimizer (snake_case). */
  abstract getConfig(): Record<string, unknown>;

  /** Frees the slots; the optimizer starts afresh (iterations 0) if used again. */
  dispose(): void {
    for (const { state } of this.slots) tf.dispose(state);
    this.slots = [];
    this.slotByVariable.clear();
    this.built = false;
    this.iterations = 0;
  }
}
