import { existsSync, statSync } from "./platform/fs.js";
import path from "./platform/path.js";
import {
  KERAS_BACKBONE_CLASS,
  KERAS_REGISTERED_NAME,
  findConfigProblems,
  unwrapKerasConfig,
  type AlbertBackboneConfig,
} from "./config.js";
import { PresetError } from "./errors.js";
import { readExtras } from "./formats/extras.js";
import type { StoredDtype } from "./weights.js";
import { hfConfigToKeras, isTransformersConfig } from "./formats/hf-config.js";
import { readTransformersWeights } from "./formats/hf-weights.js";
import { readKerasWeights } from "./formats/keras-h5.js";
import { SHARDED_WEIGHTS_INDEX, readKerasShardedWeights } from "./formats/keras-sharded.js";
import { isJsonObject, readJsonFile } from "./json-file.js";
import type { WeightMap } from "./weights.js";

export { readJsonFile } from "./json-file.js";

/** `keras`: a KerasHub preset (`save_to_preset`); `transformers`: an HF checkpoint. */
export type PresetFormat = "keras" | "transformers";

export interface ReadPresetOptions {
  /** Read the weights too (default true); `false` reads and validates only the config. */
  loadWeights?: boolean;
  /**
   * HF checkpoints only: accept one without pooler weights (transformers builds
   * `AlbertForMaskedLM`, `AlbertForTokenClassification` and `AlbertForQuestionAnswering`
   * without a pooler) and say so with `poolerMissing`, instead of refusing it. For task heads
   * that do not read the pooled output. Default false.
   */
  allowMissingPooler?: boolean;
}

export interface PresetContents {
  /**
   * KerasHub backbone config (snake_case), validated. For HF checkpoints, converted as
   * KerasHub's converter does, with `activation` / `layer_norm_epsilon` set only where the
   * checkpoint differs from KerasHub's fixed tanh GELU / 1e-12; for KerasHub presets, those two
   * come from `albert_ts.json` when `writePreset` stored them there.
   */
  config: AlbertBackboneConfig;
  /** Weights by KerasHub variable path, in Keras shapes; empty when `loadWeights` is false. */
  weights: WeightMap;
  format: PresetFormat;
  /** The directory it was read from. */
  dir: string;
  /** Float encodings found in the weight files (all are widened to float32). */
  storedDtypes: StoredDtype[];
  /** The preset's `metadata.json` (KerasHub presets), when present and valid. */
  metadata?: Record<string, unknown>;
  /** With `allowMissingPooler`: the HF checkpoint has no pooler, and `weights` lacks
   * `pooled_dense/kernel` and `pooled_dense/bias`. */
  poolerMissing?: boolean;
}

/** Validates a KerasHub backbone config read from `file`, or throws naming every problem. */
export function checkPresetConfig(
  raw: Record<string, unknown>,
  file: string,
): AlbertBackboneConfig {
  const problems = findConfigProblems(raw as Partial<AlbertBackboneConfig>);
  if (problems.length > 0) {
    const details = problems
      .map((p) => `${p.field}=${JSON.stringify(p.value) ?? "missing"} (allowed: ${p.allowed})`)
      .join("; ");
    throw new PresetError("invalid_config", `${file} has an invalid ALBERT config: ${details}`, {
      path: file,
    });
  }
  return raw as unknown as AlbertBackboneConfig;
}

function readKerasConfig(
  json: Record<string, unknown>,
  file: string,
  dir: string,
): AlbertBackboneConfig {
  const className = json["class_name"];
  if (typeof className === "string" && className !== KERAS_BACKBONE_CLASS) {
    throw new PresetError(
      "unsupported_format",
      `${file} describes a ${className}; allowed: an ${KERAS_BACKBONE_CLASS} preset`,
      { path: file },
    );
  }
  // KerasHub builds the class that `registered_name` names, whatever `class_name` says.
  const registeredName = json["registered_name"];
  if (registeredName !== undefined && registeredName !== KERAS_REGISTERED_NAME) {
    throw new PresetError(
      "unsupported_format",
      `${file} has registered_name ${JSON.stringify(registeredName)}, another model; allowed: "${KERAS_REGISTERED_NAME}"`,
      { path: file },
    );
  }
  const inner = unwrapKerasConfig(json);
  if (inner === undefined) {
    throw new PresetError("invalid_config", `${file} holds no backbone config`, { path: file });
  }
  const extras = readExtras(dir);
  const merged = extras === undefined ? inner : { ...inner, ...extras };
  return checkPresetConfig(merged, extras === undefined ? file : `${file} (with albert_ts.json)`);
}

function readMetadata(dir: string): Record<string, unknown> | undefined {
  const file = path.join(dir, "metadata.json");
  if (!existsSync(file)) return undefined;
  try {
    const json = readJsonFile(file);
    return isJsonObject(json) ? json : undefined;
  } catch {
    // metadata.json is informational (KerasHub does not read it when loading).
    return undefined;
  }
}

/**
 * Reads a preset directory: its config and (unless `loadWeights` is false) its weights as
 * plain float32 arrays by KerasHub variable name, converted once here from whichever format
 * the folder holds:
 * - KerasHub presets (`config.json` with `registered_name`): `model.weights.h5`, or sharded
 *   `model.weights.json` + `model_NNNNN.weights.h5`;
 * - HF transformers checkpoints (`config.json` with `model_type: "albert"`):
 *   `model.safetensors` or `model.safetensors.index.json` + shards (never PyTorch pickles).
 *
 * Shapes are checked against the config before weights are read.
 *
 * @example
 * const { config, weights, format } = await readPreset("./testdata/hf/tiny");
 * // format "transformers"; weights.get("token_embedding/embeddings").shape -> [97, 8]
 */
export async function readPreset(
  dir: string,
  options: ReadPresetOptions = {},
): Promise<PresetContents> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new PresetError(
      "not_found",
      `Preset directory ${dir} does not exist or is not a folder`,
      {
        path: dir,
      },
    );
  }
  const configFile = path.join(dir, "config.json");
  if (!existsSync(configFile)) {
    throw new PresetError(
      "missing_file",
      `${dir} has no config.json; a preset folder holds config.json plus its weights ` +
        "(KerasHub: model.weights.h5; HF transformers: model.safetensors)",
      { path: configFile },
    );
  }
  const json = readJsonFile(configFile);
  if (!isJsonObject(json)) {
    throw new PresetError("invalid_config", `${configFile} must hold a JSON object`, {
      path: configFile,
    });
  }
  const loadWeights = options.loadWeights !== false;

  if (isTransformersConfig(json)) {
    const config = checkPresetConfig(
      hfConfigToKeras(json, configFile) as unknown as Record<string, unknown>,
      configFile,
    );
    if (!loadWeights)
      return { config, weights: new Map(), format: "transformers", dir, storedDtypes: [] };
    const { weights, storedDtypes, poolerMissing } = readTransformersWeights(dir, config, {
      allowMissingPooler: options.allowMissingPooler === true,
    });
    return {
      config,
      weights,
      format: "transformers",
      dir,
      storedDtypes: [...storedDtypes],
      ...(poolerMissing === true ? { poolerMissing } : {}),
    };
  }
  if ("architecture" in json && !("registered_name" in json)) {
    throw new PresetError(
      "unsupported_format",
      `${configFile} is a timm config; allowed: a KerasHub ALBERT preset or an HF transformers ALBERT checkpoint`,
      { path: configFile },
    );
  }
  const config = readKerasConfig(json, configFile, dir);
  const metadata = readMetadata(dir);
  const base = { config, format: "keras" as const, dir, ...(metadata ? { metadata } : {}) };
  if (!loadWeights) return { ...base, weights: new Map(), storedDtypes: [] };
  const weightsFile = path.join(dir, "model.weights.h5");
  let read;
  if (existsSync(weightsFile)) read = await readKerasWeights(weightsFile, config);
  else if (existsSync(path.join(dir, SHARDED_WEIGHTS_INDEX)))
    read = await readKerasShardedWeights(dir, config);
  else {
    throw new PresetError(
      "missing_file",
      `${dir} has no model.weights.h5 (nor sharded ${SHARDED_WEIGHTS_INDEX}): the preset's weights are missing`,
      { path: weightsFile },
    );
  }
  return { ...base, weights: read.weights, storedDtypes: [...read.storedDtypes] };
}
