import { dtypePolicy, type AlbertActivation, type AlbertBackboneConfig } from "../config.js";
import { PresetError } from "../errors.js";
import { isJsonObject } from "../json-file.js";

/**
 * The defaults of transformers' `AlbertConfig`, used for keys a `config.json` leaves out (as
 * `from_pretrained` does). Written configs normally list every key.
 */
const HF_ALBERT_DEFAULTS: Readonly<Record<string, unknown>> = {
  vocab_size: 30000,
  embedding_size: 128,
  hidden_size: 4096,
  num_hidden_layers: 12,
  num_hidden_groups: 1,
  num_attention_heads: 64,
  intermediate_size: 16384,
  inner_group_num: 1,
  hidden_act: "gelu_new",
  attention_probs_dropout_prob: 0,
  max_position_embeddings: 512,
  type_vocab_size: 2,
  layer_norm_eps: 1e-12,
  position_embedding_type: "absolute",
};

/** HF config key → KerasHub backbone argument (KerasHub's `convert_albert.py`). */
const HF_TO_KERAS: readonly [string, keyof AlbertBackboneConfig][] = [
  ["vocab_size", "vocabulary_size"],
  ["num_hidden_layers", "num_layers"],
  ["num_attention_heads", "num_heads"],
  ["num_hidden_groups", "num_groups"],
  ["inner_group_num", "num_inner_repetitions"],
  ["embedding_size", "embedding_dim"],
  ["hidden_size", "hidden_dim"],
  ["intermediate_size", "intermediate_dim"],
  ["attention_probs_dropout_prob", "dropout"],
  ["max_position_embeddings", "max_sequence_length"],
  ["type_vocab_size", "num_segments"],
];

/**
 * `hidden_act` values and the activation they mean. `gelu_new`, `gelu_pytorch_tanh` and
 * `gelu_fast` are all the tanh approximation KerasHub hard-codes (the same formula written
 * three ways), so they map to the default; `gelu` is the exact erf GELU.
 */
const HF_ACTIVATIONS: Readonly<Record<string, AlbertActivation | undefined>> = {
  gelu_new: undefined,
  gelu_pytorch_tanh: undefined,
  gelu_fast: undefined,
  gelu: "gelu",
  relu: "relu",
};

/**
 * The activation an HF `hidden_act` means: `gelu_approximate` for the tanh GELUs, `gelu`,
 * `relu`; anything else is a `PresetError` naming the allowed values.
 */
export function activationOfHiddenAct(act: unknown, file: string): AlbertActivation {
  if (typeof act !== "string" || !(act in HF_ACTIVATIONS)) {
    throw new PresetError(
      "invalid_config",
      `${file} has hidden_act=${JSON.stringify(act)}; allowed: ${Object.keys(HF_ACTIVATIONS)
        .map((a) => JSON.stringify(a))
        .join(", ")}`,
      { path: file },
    );
  }
  return HF_ACTIVATIONS[act] ?? "gelu_approximate";
}

/** KerasHub's fixed LayerNorm epsilon. */
export const KERAS_LAYER_NORM_EPSILON = 1e-12;

/**
 * Whether a parsed `config.json` is an HF transformers config: it has `model_type` (and no
 * `registered_name`, which KerasHub checks first and which marks a KerasHub preset).
 */
export function isTransformersConfig(json: unknown): json is Record<string, unknown> {
  return isJsonObject(json) && "model_type" in json && !("registered_name" in json);
}

/**
 * Converts an HF transformers ALBERT `config.json` to KerasHub's backbone config, as KerasHub's
 * converter does (`WEIGHT-MAPPING.md`), plus what it drops: `hidden_act` other than the tanh
 * GELU becomes `activation`, and `layer_norm_eps` other than 1e-12 becomes
 * `layer_norm_epsilon`, so such checkpoints compute what HF computes. Activations we do not
 * implement and relative position embeddings are refused rather than silently computed wrong.
 *
 * @example
 * hfConfigToKeras({ model_type: "albert", vocab_size: 97, ... }, "config.json")
 * // { name: "albert_backbone", trainable: true, dtype: {...float32}, vocabulary_size: 97, ... }
 */
export function hfConfigToKeras(json: Record<string, unknown>, file: string): AlbertBackboneConfig {
  const modelType = json["model_type"];
  if (modelType !== "albert") {
    throw new PresetError(
      "unsupported_format",
      `${file} is a transformers config for model_type ${JSON.stringify(modelType)}; allowed: "albert"`,
      { path: file },
    );
  }
  const get = (key: string): unknown => (key in json ? json[key] : HF_ALBERT_DEFAULTS[key]);
  const config: Record<string, unknown> = {
    name: "albert_backbone",
    trainable: true,
    dtype: dtypePolicy("float32"),
  };
  for (const [hf, keras] of HF_TO_KERAS) config[keras] = get(hf);

  const activation = activationOfHiddenAct(get("hidden_act"), file);
  if (activation !== "gelu_approximate") config["activation"] = activation;

  const eps = get("layer_norm_eps");
  if (typeof eps !== "number" || !(eps > 0 && eps < 1)) {
    throw new PresetError(
      "invalid_config",
      `${file} has layer_norm_eps=${JSON.stringify(eps)}; allowed: a number in (0, 1)`,
      { path: file },
    );
  }
  if (eps !== KERAS_LAYER_NORM_EPSILON) config["layer_norm_epsilon"] = eps;

  const positions = get("position_embedding_type");
  if (positions !== "absolute" && positions !== undefined && positions !== null) {
    throw new PresetError(
      "unsupported_format",
      `${file} has position_embedding_type=${JSON.stringify(positions)}; ALBERT here (as in KerasHub) ` +
        'supports only "absolute" position embeddings',
      { path: file },
    );
  }
  return config as unknown as AlbertBackboneConfig;
}
