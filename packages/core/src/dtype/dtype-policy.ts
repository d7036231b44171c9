import { AlbertConfigError } from "../errors.js";

/** The float dtypes a policy names. TF.js tensors are float32 whatever the policy: values of
 * a 16-bit dtype are held exactly in float32 tensors. */
export type FloatDtype = "float32" | "bfloat16" | "float16";

/** The policies KerasHub's backbones accept (`keras.DTypePolicy` names). */
export const DTYPE_POLICY_NAMES = ["float32", "bfloat16", "float16", "mixed_bfloat16", "mixed_float16"] as const;
export type DTypePolicyName = (typeof DTYPE_POLICY_NAMES)[number];

/** Keras' serialized `DTypePolicy`, as `get_config()` and `config.json` write it. */
export interface SerializedDTypePolicy {
  module: "keras";
  class_name: "DTypePolicy";
  config: { name: DTypePolicyName };
  registered_name: null;
}

/** What a `dtype` argument may be: a name, a `DTypePolicy`, Keras' serialized form, or
 * `null`/`undefined` for the global policy (see `setGlobalDTypePolicy`). */
export type DTypeArgument = string | DTypePolicy | SerializedDTypePolicy | { name: string } | null | undefined;

/**
 * Keras' `DTypePolicy`: the dtype variables are stored in and the dtype computations run in.
 * `"float32"`, `"bfloat16"` and `"float16"` use one dtype for both; `"mixed_bfloat16"` and
 * `"mixed_float16"` keep float32 variables and compute in 16 bits (see `AlbertBackbone` for
 * what runs in float32 regardless).
 *
 * @example
 * ```ts
 * import { AlbertBackbone, DTypePolicy } from "@albert/core";
 *
 * const policy = new DTypePolicy("mixed_bfloat16");
 * console.log(policy.variableDtype, policy.computeDtype); // float32 bfloat16
 * const model = await AlbertBackbone.fromPreset("albert_base_en_uncased", { dtype: policy });
 * ```
 */
export class DTypePolicy {
  readonly name: DTypePolicyName;
  /** Dtype of the variables (and of the weights `saveToPreset` writes). */
  readonly variableDtype: FloatDtype;
  /** Dtype of the computation and of the outputs (widened to float32 tensors). */
  readonly computeDtype: FloatDtype;

  constructor(name: string) {
    if (!(DTYPE_POLICY_NAMES as readonly string[]).includes(name)) throw unsupported(name);
    this.name = name as DTypePolicyName;
    const mixed = this.name.startsWith("mixed_");
    this.computeDtype = (mixed ? this.name.slice("mixed_".length) : this.name) as FloatDtype;
    this.variableDtype = mixed ? "float32" : this.computeDtype;
  }

  /** Whether computation runs in 16 bits. */
  get isReducedPrecision(): boolean {
    return this.computeDtype !== "float32";
  }

  /** Keras' `DTypePolicy.get_config()`. */
  getConfig(): { name: DTypePolicyName } {
    return { name: this.name };
  }

  /** The serialized form `get_config()` and `config.json` hold. */
  serialize(): SerializedDTypePolicy {
    return { module: "keras", class_name: "DTypePolicy", config: { name: this.name }, registered_name: null };
  }

  toJSON(): { name: DTypePolicyName; variableDtype: FloatDtype; computeDtype: FloatDtype } {
    return { name: this.name, variableDtype: this.variableDtype, computeDtype: this.computeDtype };
  }
}

function unsupported(value: unknown): AlbertConfigError {
  const shown = typeof value === "string" ? JSON.stringify(value) : JSON.stringify(value)?.slice(0, 200) ?? String(value);
  return new AlbertConfigError(
    "unsupported_dtype",
    `dtype=${shown} is not supported: allowed ${DTYPE_POLICY_NAMES.map((n) => JSON.stringify(n)).join(", ")}, ` +
      "a DTypePolicy, or Keras' serialized DTypePolicy ({ class_name: \"DTypePolicy\", config: { name } })",
    "dtype",
  );
}

/** Keras class names of float policies in serialized configs (`FloatDTypePolicy` before 3.5). */
const SERIALIZED_CLASSES = new Set(["DTypePolicy", "FloatDTypePolicy"]);

let globalPolicy = new DTypePolicy("float32");

/** Keras' `keras.config.set_dtype_policy`: the policy used where `dtype` is `null` or left out. */
export function setGlobalDTypePolicy(policy: DTypeArgument): void {
  if (policy === null || policy === undefined) {
    globalPolicy = new DTypePolicy("float32");
    return;
  }
  globalPolicy = toDTypePolicy(policy);
}

/** Keras' `keras.config.dtype_policy()`: float32 unless `setGlobalDTypePolicy` changed it. */
export function globalDTypePolicy(): DTypePolicy {
  return globalPolicy;
}

/**
 * A `DTypePolicy` from any form Keras accepts: a name, a `DTypePolicy`, its serialized form, or
 * `null`/`undefined` for the global policy. Anything else is an `AlbertConfigError` naming
 * `dtype` and what is allowed.
 */
export function toDTypePolicy(dtype: DTypeArgument): DTypePolicy {
  if (dtype === null || dtype === undefined) return globalPolicy;
  if (dtype instanceof DTypePolicy) return dtype;
  if (typeof dtype === "string") return new DTypePolicy(dtype);
  if (typeof dtype === "object" && !Array.isArray(dtype)) {
    const record = dtype as Record<string, unknown>;
    if ("class_name" in record) {
      const config = record["config"] as Record<string, unknown> | undefined;
      const name = config?.["name"];
      if (SERIALIZED_CLASSES.has(String(record["class_name"])) && typeof name === "string") {
        return new DTypePolicy(name);
      }
      throw unsupported(dtype);
    }
    // Plain `{ name }` objects, such as another model's `dtypePolicy` serialized to JSON.
    if (typeof record["name"] === "string") {
      const policy = new DTypePolicy(record["name"]);
      for (const key of ["variableDtype", "computeDtype"] as const) {
        if (record[key] !== undefined && record[key] !== policy[key]) throw unsupported(dtype);
      }
      return policy;
    }
  }
  throw unsupported(dtype);
}
