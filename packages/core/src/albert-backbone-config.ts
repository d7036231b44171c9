import {
  findConfigProblems,
  unwrapKerasConfig,
  type AlbertActivation,
  type AlbertBackboneConfig,
} from "@albert/presets";
import { toDTypePolicy, type DTypeArgument, type DTypePolicy } from "./dtype/dtype-policy.js";
import { AlbertConfigError } from "./errors.js";

/** Constructor arguments of `AlbertBackbone`: KerasHub's, in camelCase. */
export interface AlbertBackboneArgs {
  /** Size of the token vocabulary. */
  vocabularySize: number;
  /** Number of "virtual" layers: how many times the groups are applied; a multiple of
   * `numGroups`. */
  numLayers: number;
  /** Attention heads per encoder layer; `hiddenDim` must be a multiple of it. */
  numHeads: number;
  /** Size of the factorized token, position and segment embeddings. */
  embeddingDim: number;
  /** Size of the encoder layers and the pooler. */
  hiddenDim: number;
  /** Width of the feedforward network inside each encoder layer. */
  intermediateDim: number;
  /** Number of groups of encoder layers with their own weights (default 1). */
  numGroups?: number;
  /** Encoder layers per group, applied in order at each group call (default 1). */
  numInnerRepetitions?: number;
  /** Dropout rate of the encoder and embeddings, used only in training (default 0). */
  dropout?: number;
  /** Longest sequence the position embedding covers (default 512). */
  maxSequenceLength?: number;
  /** How many values `segmentIds` can take (default 2). */
  numSegments?: number;
  /**
   * Keras' dtype policy: `"float32"`, `"bfloat16"`, `"float16"`, `"mixed_bfloat16"`,
   * `"mixed_float16"`, a `DTypePolicy`, or its serialized form; `null`/absent means the global
   * policy (`setGlobalDTypePolicy`, float32 by default). See `AlbertBackbone.dtypePolicy`.
   */
  dtype?: DTypeArgument;
  /** Beyond KerasHub (which always uses the tanh GELU): the feedforward activation. */
  activation?: AlbertActivation;
  /** Beyond KerasHub (which always uses 1e-12): the LayerNorm epsilon. */
  layerNormEpsilon?: number;
  /** The model's name (KerasHub's default `"albert_backbone"`). */
  name?: string;
}

/** Every argument with its default applied. */
export type ResolvedAlbertBackboneArgs = Required<Omit<AlbertBackboneArgs, "dtype">> & {
  dtype: DTypePolicy;
};

export const KERAS_ACTIVATION: AlbertActivation = "gelu_approximate";
export const KERAS_LAYER_NORM_EPSILON = 1e-12;

const DEFAULTS = {
  numGroups: 1,
  numInnerRepetitions: 1,
  dropout: 0,
  maxSequenceLength: 512,
  numSegments: 2,
  activation: KERAS_ACTIVATION,
  layerNormEpsilon: KERAS_LAYER_NORM_EPSILON,
  name: "albert_backbone",
} as const;

/** snake_case config field ↔ camelCase argument. */
const FIELDS = {
  vocabulary_size: "vocabularySize",
  num_layers: "numLayers",
  num_heads: "numHeads",
  num_groups: "numGroups",
  num_inner_repetitions: "numInnerRepetitions",
  embedding_dim: "embeddingDim",
  hidden_dim: "hiddenDim",
  intermediate_dim: "intermediateDim",
  dropout: "dropout",
  max_sequence_length: "maxSequenceLength",
  num_segments: "numSegments",
  activation: "activation",
  layer_norm_epsilon: "layerNormEpsilon",
  name: "name",
  dtype: "dtype",
} as const satisfies Partial<Record<keyof AlbertBackboneConfig, keyof AlbertBackboneArgs>>;

const CAMEL_FIELDS = new Set<string>(Object.values(FIELDS));
/** Keras' base-layer keys that a config may carry and that mean nothing for the math. */
const IGNORED_KERAS_KEYS = new Set(["trainable"]);

function camel(field: keyof AlbertBackboneConfig): string {
  return (FIELDS as Record<string, string>)[field] ?? field;
}

/** Applies defaults and validates every argument up front, before anything is allocated. */
export function resolveArgs(args: AlbertBackboneArgs): ResolvedAlbertBackboneArgs {
  if (typeof args !== "object" || args === null) {
    throw new AlbertConfigError(
      "invalid_argument",
      `AlbertBackbone expects an object of arguments, got ${JSON.stringify(args)}`,
    );
  }
  for (const key of Object.keys(args)) {
    if (!CAMEL_FIELDS.has(key)) {
      throw new AlbertConfigError(
        "invalid_argument",
        `Unknown AlbertBackbone argument '${key}'; allowed: ${[...CAMEL_FIELDS].join(", ")}`,
        key,
      );
    }
  }
  const dtype = toDTypePolicy(args.dtype);
  // Required fields may still be missing here: findConfigProblems reports them.
  const resolved = { ...DEFAULTS, ...withoutUndefined(args), dtype } as ResolvedAlbertBackboneArgs;
  const problems = findConfigProblems(toKerasConfig(resolved), camel);
  const first = problems[0];
  if (first !== undefined) {
    throw new AlbertConfigError(
      "invalid_argument",
      problems.map((p) => `${camel(p.field)}=${JSON.stringify(p.value) ?? "undefined"} is invalid: allowed ${p.allowed}`).join("; "),
      camel(first.field),
    );
  }
  if (typeof resolved.name !== "string" || resolved.name.length === 0) {
    throw new AlbertConfigError("invalid_argument", `name must be a non-empty string, got ${JSON.stringify(resolved.name)}`, "name");
  }
  return resolved;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * KerasHub's `get_config()` for these arguments, keys in KerasHub's order. `activation` and
 * `layer_norm_epsilon` appear only when they differ from KerasHub's fixed choices.
 */
export function toKerasConfig(args: ResolvedAlbertBackboneArgs): AlbertBackboneConfig {
  const config: AlbertBackboneConfig = {
    name: args.name,
    trainable: true,
    dtype: args.dtype.serialize(),
    vocabulary_size: args.vocabularySize,
    num_layers: args.numLayers,
    num_heads: args.numHeads,
    num_groups: args.numGroups,
    num_inner_repetitions: args.numInnerRepetitions,
    embedding_dim: args.embeddingDim,
    hidden_dim: args.hiddenDim,
    intermediate_dim: args.intermediateDim,
    dropout: args.dropout,
    max_sequence_length: args.maxSequenceLength,
    num_segments: args.numSegments,
  };
  if (args.activation !== KERAS_ACTIVATION) config.activation = args.activation;
  if (args.layerNormEpsilon !== KERAS_LAYER_NORM_EPSILON) config.layer_norm_epsilon = args.layerNormEpsilon;
  return config;
}

/**
 * Constructor arguments from any config form: `getConfig()` output (snake_case), a whole
 * KerasHub `config.json` object, or camelCase arguments. Unknown keys are refused.
 */
export function argsFromConfig(config: unknown): AlbertBackboneArgs {
  const snake = unwrapKerasConfig(config);
  if (snake === undefined) {
    if (typeof config === "object" && config !== null && "vocabularySize" in config) {
      return { ...(config as AlbertBackboneArgs) };
    }
    throw new AlbertConfigError(
      "invalid_config",
      "fromConfig expects an AlbertBackbone config: getConfig() output, a KerasHub config.json " +
        `object, or camelCase constructor arguments; got ${JSON.stringify(config)?.slice(0, 200)}`,
    );
  }
  const args: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(snake)) {
    if (IGNORED_KERAS_KEYS.has(key)) continue;
    const argument = (FIELDS as Record<string, string>)[key];
    if (argument === undefined) {
      throw new AlbertConfigError(
        "invalid_config",
        `Unknown AlbertBackbone config field '${key}'; allowed: ${Object.keys(FIELDS).join(", ")}`,
        key,
      );
    }
    args[argument] = value;
  }
  return args as unknown as AlbertBackboneArgs;
}

