import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import {
  KERAS_BACKBONE_CLASS,
  findConfigProblems,
  unwrapKerasConfig,
  type AlbertBackboneConfig,
} from "./config.js";
import { PresetError } from "./errors.js";
import { readKerasWeights } from "./formats/keras-h5.js";
import type { StoredDtype } from "./formats/h5.js";
import type { WeightMap } from "./weights.js";

export type PresetFormat = "keras" | "transformers";

export interface ReadPresetOptions {
  /** Read the weights too (default true); `false` reads and validates only the config. */
  loadWeights?: boolean;
}

export interface PresetContents {
  /** KerasHub backbone config (snake_case), validated. */
  config: AlbertBackboneConfig;
  /** Weights by KerasHub variable path; empty when `loadWeights` is false. */
  weights: WeightMap;
  format: PresetFormat;
  /** The directory it was read from. */
  dir: string;
  /** Float encodings found in the weight files (all are widened to float32). */
  storedDtypes: StoredDtype[];
}

/** Reads and parses a JSON file, with errors that name the file. */
export function readJsonFile(file: string): unknown {
  if (!existsSync(file)) {
    throw new PresetError("missing_file", `${file} does not exist`, { path: file });
  }
  const text = readFileSync(file, "utf8");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PresetError(
      "invalid_json",
      `${file} is not valid JSON: ${(error as Error).message}`,
      { path: file, cause: error },
    );
  }
}

/** Validates a KerasHub backbone config read from `file`, or throws naming every problem. */
export function checkPresetConfig(raw: Record<string, unknown>, file: string): AlbertBackboneConfig {
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

function readKerasConfig(json: unknown, file: string): AlbertBackboneConfig {
  const record = json as Record<string, unknown>;
  const className = record["class_name"];
  if (typeof className === "string" && className !== KERAS_BACKBONE_CLASS) {
    throw new PresetError(
      "unsupported_format",
      `${file} describes a ${className}; allowed: an ${KERAS_BACKBONE_CLASS} preset`,
      { path: file },
    );
  }
  const inner = unwrapKerasConfig(json);
  if (inner === undefined) {
    throw new PresetError("invalid_config", `${file} holds no backbone config`, { path: file });
  }
  return checkPresetConfig(inner, file);
}

/**
 * Reads a preset directory: its config and (unless `loadWeights` is false) its weights as
 * plain float32 arrays by KerasHub variable name. KerasHub presets (`config.json` with
 * `registered_name`, weights in `model.weights.h5`) are read here.
 */
export async function readPreset(
  dir: string,
  options: ReadPresetOptions = {},
): Promise<PresetContents> {
  const configFile = path.join(dir, "config.json");
  const json = readJsonFile(configFile);
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new PresetError("invalid_config", `${configFile} must hold a JSON object`, {
      path: configFile,
    });
  }
  if ("model_type" in json) {
    throw new PresetError(
      "unsupported_format",
      `${configFile} is a Hugging Face transformers config; this version reads KerasHub presets only`,
      { path: configFile },
    );
  }
  const config = readKerasConfig(json, configFile);
  if (options.loadWeights === false) {
    return { config, weights: new Map(), format: "keras", dir, storedDtypes: [] };
  }
  const weightsFile = path.join(dir, "model.weights.h5");
  if (!existsSync(weightsFile)) {
    throw new PresetError("missing_file", `${dir} has no model.weights.h5`, { path: weightsFile });
  }
  const { weights, storedDtypes } = await readKerasWeights(weightsFile, config);
  return { config, weights, format: "keras", dir, storedDtypes: [...storedDtypes] };
}
