import { existsSync } from "../platform/fs.js";
import path from "../platform/path.js";
import { PresetError } from "../errors.js";
import { isTransformersConfig } from "../formats/hf-config.js";
import {
  PICKLE_WEIGHT_FILES,
  SAFETENSORS_FILE,
  SAFETENSORS_INDEX,
  pickleRefusal,
} from "../formats/hf-weights.js";
import { SHARDED_WEIGHTS_INDEX, readKerasShardIndex } from "../formats/keras-sharded.js";
import { isJsonObject, readJsonFile } from "../json-file.js";
import { safeJoin } from "../safe-paths.js";

/** Files of a KerasHub preset fetched when they exist, besides the config and weights. */
export const KERAS_EXTRA_FILES = [
  "metadata.json",
  "tokenizer.json",
  "preprocessor.json",
  "assets/tokenizer/vocabulary.spm",
  "albert_ts.json",
  // A task preset's own files (KerasHub's `Task.save_to_preset`; labels beside them).
  "task.json",
  "task.weights.h5",
  "albert_ts_task.json",
] as const;

/**
 * Files of an HF transformers checkpoint fetched when they exist, besides config and weights:
 * the tokenizer (`spiece.model`, or `tokenizer.json`, which transformers 5 saves instead) and
 * what transformers reads beside it.
 */
export const TRANSFORMERS_EXTRA_FILES = [
  "spiece.model",
  "tokenizer_config.json",
  "tokenizer.json",
  "special_tokens_map.json",
] as const;

/**
 * Where a preset's files come from: a hub (download on demand) or an extracted archive.
 * `fetch` places `file` in the preset folder and says whether it exists at the source.
 */
export interface PresetFileSource {
  /** Places `file` in the preset folder; `false` when the source does not have it. */
  fetch(file: string): Promise<boolean>;
  /** Whether the source has `file`, without fetching it (used to explain refusals). */
  has(file: string): Promise<boolean>;
}

/** The shard names listed by an index, checked to stay inside the preset folder. */
function transformersShards(dir: string, indexPath: string): string[] {
  const json = readJsonFile(indexPath);
  const weightMap = isJsonObject(json) ? json["weight_map"] : undefined;
  if (!isJsonObject(weightMap) || !Object.values(weightMap).every((v) => typeof v === "string")) {
    throw new PresetError(
      "corrupt_weights",
      `${indexPath} has no "weight_map" of tensor names to shard files`,
      {
        path: indexPath,
      },
    );
  }
  const shards = [...new Set(Object.values(weightMap) as string[])].sort();
  for (const shard of shards) safeJoin(dir, shard, indexPath);
  return shards;
}

/**
 * Fetches what a preset needs into `dir`, in order: `config.json` first (its keys say which
 * format it is), then the weights (unless `weights` is false) and the tokenizer files that
 * exist. KerasHub presets: `model.weights.h5`, or `model.weights.json` and the shards it
 * lists. HF checkpoints: `model.safetensors.index.json` and its shards, or
 * `model.safetensors`; a repository with only PyTorch pickles is refused without downloading
 * them. Returns the files placed, relative to `dir`.
 */
export async function fetchPresetFiles(
  dir: string,
  source: PresetFileSource,
  label: string,
  weights: boolean,
): Promise<string[]> {
  const files: string[] = [];
  const get = async (file: string): Promise<boolean> => {
    const found = await source.fetch(file);
    if (found) files.push(file);
    return found;
  };
  const need = async (file: string, why: string): Promise<void> => {
    if (!(await get(file))) {
      throw new PresetError("missing_file", `${label} has no ${file}${why}`, {
        path: path.join(dir, file),
      });
    }
  };

  await need("config.json", ": it is not a KerasHub preset nor an HF transformers checkpoint");
  const config = readJsonFile(path.join(dir, "config.json"));
  if (!isJsonObject(config)) {
    throw new PresetError("invalid_config", `${label}: config.json must hold a JSON object`, {
      path: path.join(dir, "config.json"),
    });
  }
  if (isTransformersConfig(config)) {
    for (const file of TRANSFORMERS_EXTRA_FILES) await get(file);
    if (!weights) return files;
    if (await get(SAFETENSORS_INDEX)) {
      for (const shard of transformersShards(dir, path.join(dir, SAFETENSORS_INDEX))) {
        await need(shard, `, which ${SAFETENSORS_INDEX} lists`);
      }
    } else if (!(await get(SAFETENSORS_FILE))) {
      for (const pickle of PICKLE_WEIGHT_FILES) {
        if (await source.has(pickle)) throw pickleRefusal(`${label}/${pickle}`);
      }
      throw new PresetError(
        "missing_file",
        `${label} has a transformers config.json but no ${SAFETENSORS_FILE} or ${SAFETENSORS_INDEX}`,
        { path: path.join(dir, SAFETENSORS_FILE) },
      );
    }
    return files;
  }
  if (!("registered_name" in config) && !("vocabulary_size" in config) && !("config" in config)) {
    throw new PresetError(
      "unsupported_format",
      `${label}: config.json is neither a KerasHub preset config (registered_name) nor an HF transformers ` +
        "config (model_type)",
      { path: path.join(dir, "config.json") },
    );
  }
  for (const file of KERAS_EXTRA_FILES) await get(file);
  if (!weights) return files;
  if (!(await get("model.weights.h5"))) {
    if (!(await get(SHARDED_WEIGHTS_INDEX))) {
      throw new PresetError(
        "missing_file",
        `${label} has no model.weights.h5 (nor sharded ${SHARDED_WEIGHTS_INDEX}): the preset's weights are missing`,
        { path: path.join(dir, "model.weights.h5") },
      );
    }
    for (const shard of readKerasShardIndex(path.join(dir, SHARDED_WEIGHTS_INDEX)).files) {
      await need(shard, `, which ${SHARDED_WEIGHTS_INDEX} lists`);
    }
  }
  return files;
}

/**
 * Whether a local folder (another tool's cache) already holds a whole preset: its config and,
 * when `weights`, every weight file the config's format needs.
 */
export function hasPresetFiles(dir: string, weights: boolean): boolean {
  try {
    const config = readJsonFile(path.join(dir, "config.json"));
    if (!isJsonObject(config)) return false;
    if (!weights) return true;
    const has = (f: string) => existsSync(path.join(dir, f));
    if (isTransformersConfig(config)) {
      if (has(SAFETENSORS_INDEX)) {
        return transformersShards(dir, path.join(dir, SAFETENSORS_INDEX)).every((s) =>
          existsSync(safeJoin(dir, s, dir)),
        );
      }
      return has(SAFETENSORS_FILE);
    }
    if (has("model.weights.h5")) return true;
    if (!has(SHARDED_WEIGHTS_INDEX)) return false;
    return readKerasShardIndex(path.join(dir, SHARDED_WEIGHTS_INDEX)).files.every(has);
  } catch {
    return false;
  }
}
