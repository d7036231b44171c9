import type { FloatDtype } from "../dtype/dtype-policy.js";
import { FLOAT32, Precision, roundTensor, toVariableDtype } from "../dtype/rounding.js";
import { tf } from "../tf.js";
import type { Initializer } from "./initializers.js";

/** A model weight: its KerasHub variable path and the TF.js variable holding it. */
export interface NamedWeight {
  /** KerasHub's `variable.path`, e.g. `group_0_inner_layer_0/self_attention_layer/query/kernel`. */
  path: string;
  variable: tf.Variable;
}


let nextScope = 0;

/**
 * Owns the variables of one model. TF.js keeps one global registry of variable names, so each
 * model registers its variables under a scope of its own (`albert_backbone_3/...`), while
 * `path` keeps the KerasHub name that presets and users see.
 */
export class WeightStore {
  readonly scope: string;
  private readonly weights: NamedWeight[] = [];
  private readonly cleanups: (() => void)[] = [];

  /** The arithmetic layers run in (their `call` rounds to it; float32 by default). */
  readonly precision: Precision;
  /** The dtype variables hold: their float32 values are exactly this dtype's (Keras rounds a
   * value assigned to a bfloat16/float16 variable to nearest even). */
  readonly variableDtype: FloatDtype;
  /** Whether the variables start from their initializers (no initial values given). */
  readonly fromInitializers: boolean;

  /**
   * @param initial values to start from instead of the initializers (checked by the caller).
   * @param dtypes a dtype policy's variable and compute dtypes (default float32).
   */
  constructor(
    name: string,
    private readonly initial?: ReadonlyMap<string, { data: Float32Array }>,
    dtypes: { variableDtype: FloatDtype; computeDtype: FloatDtype } = { variableDtype: "float32", computeDtype: "float32" },
  ) {
    this.scope = `${name}_${nextScope++}`;
    this.fromInitializers = initial === undefined;
    this.variableDtype = dtypes.variableDtype;
    this.precision = dtypes.computeDtype === "float32" ? FLOAT32 : new Precision(dtypes.computeDtype);
  }

  /** A value as a variable of this store holds it (rounded to a 16-bit variable dtype). */
  toVariableValue(value: tf.Tensor): tf.Tensor {
    return this.variableDtype === "float32" ? value : roundTensor(value, this.variableDtype);
  }

  create(path: string, shape: number[], initializer: Initializer): tf.Variable {
    const given = this.initial?.get(path);
    const variable = tf.tidy(() =>
      tf.variable(
        given ? tf.tensor(toVariableDtype(given.data, this.variableDtype), shape, "float32") : this.toVariableValue(initializer(shape)),
        true,
        `${this.scope}/${path}`,
      ),
    );
    this.weights.push({ path, variable });
    return variable;
  }

  all(): readonly NamedWeight[] {
    return this.weights;
  }

  /** The weights whose path is `prefix` or lies under it (`""`: all of them). */
  under(prefix: string): NamedWeight[] {
    return prefix === "" ? [...this.weights] : this.weights.filter(({ path }) => path === prefix || path.startsWith(`${prefix}/`));
  }

  /** Keras' `trainable` for the weights under `prefix`: training leaves frozen weights unchanged. */
  setTrainable(prefix: string, trainable: boolean): void {
    for (const { variable } of this.under(prefix)) variable.trainable = trainable;
  }

  /** Whether every weight under `prefix` is trainable. */
  isTrainable(prefix: string): boolean {
    return this.under(prefix).every(({ variable }) => variable.trainable);
  }

  /** Registers cleanup for tensors derived from the variables (fused copies). */
  onDispose(cleanup: () => void): void {
    this.cleanups.push(cleanup);
  }

  dispose(): void {
    for (const cleanup of this.cleanups) cleanup();
    for (const { variable } of this.weights) variable.dispose();
    this.weights.length = 0;
    this.cleanups.length = 0;
  }
}

/** What every layer shares: a KerasHub name and a place to create its weights. */
export abstract class Layer {
  /** The layer's KerasHub path (`group_0_inner_layer_0/self_attention_layer/query`). */
  readonly path: string;
  protected readonly store: WeightStore;

  constructor(store: WeightStore, path: string) {
    this.store = store;
    this.path = path;
  }

  /**
   * Keras' `layer.trainable`: `false` freezes the layer's weights (`fit` computes no gradient
   * for them and leaves them unchanged); `true` unfreezes them.
   */
  get trainable(): boolean {
    return this.store.isTrainable(this.path);
  }

  set trainable(value: boolean) {
    this.store.setTrainable(this.path, value);
  }

  protected addWeight(name: string, shape: number[], initializer: Initializer): tf.Variable {
    return this.store.create(`${this.path}/${name}`, shape, initializer);
  }
}
