/**
 * KerasHub's `AlbertBackbone` config, as `get_config()` returns it and `config.json` stores
 * it (snake_case). This is the one format every package exchanges; core converts to camelCase
 * at its boundary.
 */
export interface AlbertBackboneConfig {
  name?: string;
  trainable?: boolean;
  /** A dtype name or a serialized Keras `DTypePolicy`. Compute is always float32 here. */
  dtype?: string | KerasDTypePolicy | null;
  vocabulary_size: number;
  num_layers: number;
  num_heads: number;
  num_groups: number;
  num_inner_repetitions: number;
  embedding_dim: number;
  hidden_dim: number;
  intermediate_dim: number;
  dropout: number;
  max_sequence_length: number;
  num_segments: number;
  /** Not in KerasHub (it always uses tanh GELU): set only for checkpoints that differ. */
  activation?: AlbertActivation;
  /** Not in KerasHub (it always uses 1e-12): set only for checkpoints that differ. */
  layer_norm_epsilon?: number;
}

export type AlbertActivation = "gelu_approximate" | "gelu" | "relu";

export interface KerasDTypePolicy {
  module: "keras";
  class_name: "DTypePolicy";
  config: { name: string };
  registered_name: null;
}

/** The `config.json` that KerasHub's `save_to_preset` writes for a backbone. */
export interface KerasBackboneConfigFile {
  module: string;
  class_name: string;
  config: AlbertBackboneConfig;
  registered_name: string;
}

export const KERAS_BACKBONE_MODULE = "keras_hub.src.models.albert.albert_backbone";
export const KERAS_BACKBONE_CLASS = "AlbertBackbone";
export const KERAS_REGISTERED_NAME = "keras_hub>AlbertBackbone";

/** The architecture fields of KerasHub's `AlbertBackbone.get_config()`, in its order. */
export const ARCHITECTURE_FIELDS = [
  "vocabulary_size",
  "num_layers",
  "num_heads",
  "num_groups",
  "num_inner_repetitions",
  "embedding_dim",
  "hidden_dim",
  "intermediate_dim",
  "dropout",
  "max_sequence_length",
  "num_segments",
] as const;
export type IntegerField = Exclude<(typeof ARCHITECTURE_FIELDS)[number], "dropout">;

/** The integer fields of the config, in KerasHub's order. */
export const INTEGER_FIELDS = ARCHITECTURE_FIELDS.filter(
  (field): field is IntegerField => field !== "dropout",
);

/** TF.js tensors and JS typed arrays cannot hold more elements than this. */
export const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1;

/** A problem found in a config: which argument, the value, and what is allowed. */
export interface ConfigProblem {
  field: keyof AlbertBackboneConfig;
  value: unknown;
  allowed: string;
}

/**
 * Every problem of a backbone config, before anything is allocated: fields that must be
 * positive integers, KerasHub's divisibility rules, the dropout range, and weights too large
 * for a tensor (a vocabulary of 10^12 is refused here, not by an out-of-memory crash).
 * `nameOf` spells field names in messages (core reports camelCase argument names).
 */
export function findConfigProblems(
  config: Partial<AlbertBackboneConfig>,
  nameOf: (field: keyof AlbertBackboneConfig) => string = (field) => field,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const field of INTEGER_FIELDS) {
    const value = config[field];
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
      problems.push({ field, value, allowed: "a positive integer" });
    }
  }
  const dropout = config.dropout;
  if (typeof dropout !== "number" || !(dropout >= 0 && dropout < 1)) {
    problems.push({ field: "dropout", value: dropout, allowed: "a number in [0, 1)" });
  }
  if (problems.length > 0) return problems;
  const c = config as AlbertBackboneConfig;
  if (c.num_layers % c.num_groups !== 0) {
    problems.push({
      field: "num_layers",
      value: c.num_layers,
      allowed: `a multiple of ${nameOf("num_groups")} (${c.num_groups})`,
    });
  }
  if (c.hidden_dim % c.num_heads !== 0) {
    problems.push({
      field: "hidden_dim",
      value: c.hidden_dim,
      allowed: `a multiple of ${nameOf("num_heads")} (${c.num_heads})`,
    });
  }
  const largest: [keyof AlbertBackboneConfig, number][] = [
    ["vocabulary_size", c.vocabulary_size * c.embedding_dim],
    ["max_sequence_length", c.max_sequence_length * c.embedding_dim],
    ["num_segments", c.num_segments * c.embedding_dim],
    ["hidden_dim", c.hidden_dim * c.hidden_dim],
    ["intermediate_dim", c.hidden_dim * c.intermediate_dim],
  ];
  for (const [field, elements] of largest) {
    if (elements > MAX_TENSOR_ELEMENTS) {
      problems.push({
        field,
        value: c[field],
        allowed: `a value whose weight matrix fits in one tensor (at most ${MAX_TENSOR_ELEMENTS} elements; this one needs ${elements})`,
      });
    }
  }
  if (c.activation !== undefined && !["gelu_approximate", "gelu", "relu"].includes(c.activation)) {
    problems.push({
      field: "activation",
      value: c.activation,
      allowed: '"gelu_approximate", "gelu" or "relu"',
    });
  }
  const eps = c.layer_norm_epsilon;
  if (eps !== undefined && !(typeof eps === "number" && eps > 0 && eps < 1)) {
    problems.push({ field: "layer_norm_epsilon", value: eps, allowed: "a number in (0, 1)" });
  }
  return problems;
}

/** The dtype name of a config's `dtype` entry (`"float32"` when absent). */
export function dtypeName(dtype: AlbertBackboneConfig["dtype"]): string {
  if (dtype === undefined || dtype === null) return "float32";
  if (typeof dtype === "string") return dtype;
  return dtype.config?.name ?? "float32";
}

/** Keras' serialized form of a dtype policy, as `get_config()` writes it. */
export function dtypePolicy(name: string): KerasDTypePolicy {
  return { module: "keras", class_name: "DTypePolicy", config: { name }, registered_name: null };
}

/** Wraps a backbone config in the `config.json` object that KerasHub writes. */
export function toKerasConfigFile(config: AlbertBackboneConfig): KerasBackboneConfigFile {
  return {
    module: KERAS_BACKBONE_MODULE,
    class_name: KERAS_BACKBONE_CLASS,
    config,
    registered_name: KERAS_REGISTERED_NAME,
  };
}

/** Number of parameters of a backbone with this config (KerasHub's `count_params()`). */
export function countBackboneParams(c: AlbertBackboneConfig): number {
  const { embedding_dim: E, hidden_dim: H, intermediate_dim: I } = c;
  const embeddings = (c.vocabulary_size + c.max_sequence_length + c.num_segments) * E + 2 * E;
  const projection = E * H + H;
  const encoder = 4 * (H * H + H) + 4 * H + 2 * H * I + I + H;
  const pooler = H * H + H;
  return embeddings + projection + c.num_groups * c.num_inner_repetitions * encoder + pooler;
}

/** The backbone config inside a KerasHub `config.json` object, or the object itself when it
 * already is a bare backbone config. `undefined` for anything else (an HF config, say). */
export function unwrapKerasConfig(json: unknown): Record<string, unknown> | undefined {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return undefined;
  const record = json as Record<string, unknown>;
  const inner = record["config"];
  if (
    ("class_name" in record || "registered_name" in record) &&
    typeof inner === "object" &&
    inner !== null &&
    !Array.isArray(inner)
  ) {
    return inner as Record<string, unknown>;
  }
  return "vocabulary_size" in record ? record : undefined;
}
