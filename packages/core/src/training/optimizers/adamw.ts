import { AlbertConfigError } from "../../errors.js";
import { tf } from "../../tf.js";
import { Adam, type AdamArgs } from "./adam.js";
import type { OptimizedVariable } from "./optimizer.js";

/** Which variables get no weight decay (Keras' `exclude_from_weight_decay`). */
export interface WeightDecayExclusion {
  /** These variables (TF.js variables, or weights with a `variable`). */
  varList?: readonly (tf.Variable | { variable: tf.Variable })[];
  /**
   * Regular expressions searched (not matched) in each variable's TensorFlow name, which is its
   * KerasHub path plus `:0` (`embeddings_layer_norm/gamma:0`): `["LayerNorm", "layer_norm",
   * "bias"]` excludes every LayerNorm weight and every bias.
   */
  varNames?: readonly string[];
}

export interface AdamWArgs extends AdamArgs {
  /** Decoupled weight decay per step: `var -= var * weightDecay * lr` (default 0.004). */
  weightDecay?: number;
  /** Variables left out of weight decay (or call `excludeFromWeightDecay` before training). */
  excludeFromWeightDecay?: WeightDecayExclusion;
}

/**
 * Keras 3's `AdamW`: `Adam` with decoupled weight decay, applied to each variable before its
 * Adam update as `var = var - var * weightDecay * lr`. Variables can be excluded by name with
 * Keras' regex rule (see `WeightDecayExclusion.varNames`).
 *
 * @example
 * ```ts
 * import { AdamW } from "@albert/core";
 * // keras-hub's tools/glue.py recipe:
 * const optimizer = new AdamW({ learningRate: 1e-3, weightDecay: 0.01 });
 * optimizer.excludeFromWeightDecay({ varNames: ["LayerNorm", "layer_norm", "bias"] });
 * classifier.compile({ optimizer });
 * ```
 */
export class AdamW extends Adam {
  readonly weightDecay: number;
  private excludedVariables = new Set<tf.Variable>();
  private excludedPattern: RegExp | undefined;

  constructor(args: AdamWArgs = {}) {
    super(args, "adam_w");
    const decay = args.weightDecay ?? 0.004;
    if (typeof decay !== "number" || !Number.isFinite(decay) || decay < 0) {
      throw new AlbertConfigError("invalid_argument", `weightDecay must be a number >= 0, got ${JSON.stringify(decay)}`, "weightDecay");
    }
    this.weightDecay = decay;
    if (args.excludeFromWeightDecay !== undefined) this.excludeFromWeightDecay(args.excludeFromWeightDecay);
  }

  /**
   * Excludes variables from weight decay (replacing an earlier exclusion), as Keras'
   * `exclude_from_weight_decay(var_list, var_names)`; only before the first training step.
   */
  excludeFromWeightDecay(exclusion: WeightDecayExclusion): void {
    if (this.isBuilt) {
      throw new AlbertConfigError(
        "invalid_argument",
        "excludeFromWeightDecay can only be configured before the optimizer is built (before the first training step)",
        "excludeFromWeightDecay",
      );
    }
    const { varList = [], varNames = [] } = exclusion ?? {};
    if (!Array.isArray(varNames) || varNames.some((n) => typeof n !== "string")) {
      throw new AlbertConfigError(
        "invalid_argument",
        `excludeFromWeightDecay: varNames must be an array of strings (regular expressions), got ${JSON.stringify(varNames)}`,
        "varNames",
      );
    }
    this.excludedVariables = new Set(varList.map((v) => (v instanceof tf.Variable ? v : v.variable)));
    try {
      this.excludedPattern = varNames.length > 0 ? new RegExp([...new Set(varNames)].join("|")) : undefined;
    } catch (error) {
      throw new AlbertConfigError(
        "invalid_argument",
        `excludeFromWeightDecay: varNames ${JSON.stringify(varNames)} is not a valid regular expression: ${(error as Error).message}`,
        "varNames",
      );
    }
  }

  /** Whether weight decay applies to this variable (Keras' `_use_weight_decay`). */
  usesWeightDecay(variable: OptimizedVariable): boolean {
    if (this.excludedVariables.has(variable.variable)) return false;
    return this.excludedPattern === undefined || !this.excludedPattern.test(`${variable.path}:0`);
  }

  protected override weightDecayFactor(variable: OptimizedVariable): number {
    return this.usesWeightDecay(variable) ? this.weightDecay : 0;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), weight_decay: this.weightDecay };
  }
}
