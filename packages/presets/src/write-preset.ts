import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from "./platform/fs.js";
import path from "./platform/path.js";
import {
  ARCHITECTURE_FIELDS,
  countBackboneParams,
  dtypeName,
  dtypePolicy,
  findConfigProblems,
  toKerasConfigFile,
  type AlbertBackboneConfig,
} from "./config.js";
import { PresetError } from "./errors.js";
import { EXTRAS_FILE, backboneExtras, extrasFileText } from "./formats/extras.js";
import { writeKerasWeights } from "./formats/keras-h5-writer.js";
import { SHARDED_WEIGHTS_INDEX, readKerasShardIndex } from "./formats/keras-sharded.js";
import { PythonFloat, pythonJsonDumps, type PythonJsonValue } from "./python-json.js";
import { findWeightMapProblems, type WeightMap } from "./weights.js";

/**
 * The Keras and KerasHub versions written into `metadata.json`: the versions whose
 * `save_to_preset` output `writePreset` reproduces (checked against the fixtures they wrote)
 * and whose `from_preset` loads it.
 */
export const WRITTEN_KERAS_VERSION = "3.15.1";
export const WRITTEN_KERAS_HUB_VERSION = "0.32.0.dev0";

/** KerasHub's `metadata.json`. */
export interface PresetMetadata {
  keras_version: string;
  keras_hub_version: string;
  parameter_count: number;
  /** Local time as `YYYY-MM-DD@HH:MM:SS`, like KerasHub's `strftime("%Y-%m-%d@%H:%M:%S")`. */
  date_saved: string;
  /** KerasHub task classes built on this backbone. */
  tasks: string[];
}

export interface WritePresetOptions {
  /** KerasHub backbone config (snake_case), e.g. from `readPreset` or `backbone.getConfig()`. */
  config: AlbertBackboneConfig;
  /** Every backbone weight by KerasHub variable path, and nothing else. */
  weights: WeightMap;
  /** Replaces fields of the `metadata.json` written (and may add others). */
  metadata?: Partial<PresetMetadata> & Record<string, unknown>;
  /**
   * Told when the preset holds settings Python KerasHub does not support (`activation`,
   * `layer_norm_epsilon` differing from its fixed values). Default `console.warn`.
   */
  onWarning?: (message: string) => void;
}

/** What `writePreset` wrote. */
export interface WrittenPreset {
  dir: string;
  /** The files written, relative to `dir`. */
  files: string[];
}

/** The backbone's `config.json` object exactly as KerasHub serializes it (`get_config()`'s
 * keys, order and float types); also the `backbone` entry of a task's `task.json`. */
export function kerasConfigJson(config: AlbertBackboneConfig): PythonJsonValue {
  const inner: Record<string, PythonJsonValue> = {
    name: config.name ?? "albert_backbone",
    trainable: config.trainable ?? true,
    dtype:
      typeof config.dtype === "object" && config.dtype !== null
        ? { ...config.dtype, config: { ...config.dtype.config } }
        : { ...dtypePolicy(dtypeName(config.dtype)) },
  };
  for (const key of ARCHITECTURE_FIELDS) {
    inner[key] = key === "dropout" ? new PythonFloat(config.dropout) : config[key];
  }
  const file = toKerasConfigFile(config);
  return {
    module: file.module,
    class_name: file.class_name,
    config: inner,
    registered_name: file.registered_name,
  };
}

function dateSaved(now: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return (
    `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}` +
    `@${p(now.getHours())}:${p(now.getMinutes())}:${p(now.getSeconds())}`
  );
}

/** Writes `text` next to `file` and renames it into place, so readers never see half a file. */
export function writeAtomically(
  file: string,
  write: (tmp: string) => void | Promise<void>,
): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  return (async () => {
    try {
      await write(tmp);
      renameSync(tmp, file);
    } catch (error) {
      rmSync(tmp, { force: true });
      if (error instanceof PresetError) throw error;
      throw new PresetError("write_failed", `Cannot write ${file}: ${(error as Error).message}`, {
        path: file,
        cause: error,
      });
    }
  })();
}

/**
 * Writes a backbone as a KerasHub preset folder, the layout of KerasHub's `save_to_preset`:
 * `config.json` (`registered_name` `keras_hub>AlbertBackbone`, indented like Python's
 * `json.dumps(indent=4)`), `model.weights.h5` (Keras 3 layout: every layer's `vars` group
 * with its `name` attribute, datasets in the policy's variable dtype) and `metadata.json`. The folder is created if
 * needed; files of an earlier preset there are replaced.
 *
 * `activation` and `layer_norm_epsilon` differing from KerasHub's fixed tanh GELU and 1e-12
 * cannot go into `config.json` (Python KerasHub's `from_config` would reject the unknown
 * arguments): they are written to `albert_ts.json`, which `readPreset` applies, and
 * `onWarning` is told that Python KerasHub will compute with its own fixed values.
 *
 * Weights are stored in the variable dtype of the config's dtype policy, as KerasHub's
 * `save_to_preset` stores them: float16 and bfloat16 for those policies (values rounded to
 * nearest even; a float16/bfloat16 preset read here round-trips bit for bit), float32 for
 * `float32` and the mixed policies.
 *
 * @example
 * const { config, weights } = await readPreset(await resolvePreset("hf://albert/albert-base-v2"));
 * await writePreset("./albert_base_keras", { config, weights });
 * // Python: keras_hub.models.AlbertBackbone.from_preset("./albert_base_keras")
 */
export async function writePreset(
  dir: string,
  options: WritePresetOptions,
): Promise<WrittenPreset> {
  const { config, weights, metadata = {}, onWarning = (m: string) => console.warn(m) } = options;
  const problems = findConfigProblems(config ?? {});
  if (problems.length > 0) {
    throw new PresetError(
      "invalid_config",
      `writePreset(${JSON.stringify(dir)}): invalid config: ${problems
        .map((p) => `${p.field}=${JSON.stringify(p.value) ?? "missing"} (allowed: ${p.allowed})`)
        .join("; ")}`,
    );
  }
  if (!(weights instanceof Map)) {
    throw new PresetError(
      "weights_mismatch",
      `writePreset(${JSON.stringify(dir)}): weights must be a Map`,
    );
  }
  const weightProblems = findWeightMapProblems(config, weights);
  if (weightProblems.length > 0) {
    throw new PresetError(
      "weights_mismatch",
      `writePreset(${JSON.stringify(dir)}): the weights do not match the config: ${weightProblems
        .slice(0, 5)
        .join("; ")}${weightProblems.length > 5 ? `; and ${weightProblems.length - 5} more` : ""}`,
    );
  }
  const root = path.resolve(dir);
  try {
    mkdirSync(root, { recursive: true });
  } catch (error) {
    throw new PresetError(
      "write_failed",
      `Cannot create the preset folder ${root}: ${(error as Error).message}`,
      {
        path: root,
        cause: error,
      },
    );
  }
  if (!statSync(root).isDirectory()) {
    throw new PresetError("write_failed", `${root} exists and is not a folder`, { path: root });
  }

  const files = ["config.json", "model.weights.h5", "metadata.json"];
  await writeAtomically(path.join(root, "config.json"), (tmp) =>
    writeFileSync(tmp, pythonJsonDumps(kerasConfigJson(config))),
  );

  const extras = backboneExtras(config);
  const extrasFile = path.join(root, EXTRAS_FILE);
  if (Object.keys(extras).length > 0) {
    const settings = Object.entries(extras)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(", ");
    onWarning(
      `writePreset(${JSON.stringify(dir)}): ${settings} differ from Python KerasHub's AlbertBackbone, which ` +
        "always uses the tanh GELU and LayerNorm epsilon 1e-12 and has no such arguments. They are kept in " +
        `${EXTRAS_FILE} (read back by @albert/presets); Python KerasHub loads this preset but ignores them, ` +
        "so its outputs will differ.",
    );
    await writeAtomically(extrasFile, (tmp) => writeFileSync(tmp, extrasFileText(extras)));
    files.push(EXTRAS_FILE);
  } else {
    rmSync(extrasFile, { force: true });
  }

  await writeAtomically(path.join(root, "model.weights.h5"), (tmp) =>
    writeKerasWeights(tmp, config, weights),
  );
  removeStaleShards(root);

  const meta: Record<string, unknown> = {
    keras_version: WRITTEN_KERAS_VERSION,
    keras_hub_version: WRITTEN_KERAS_HUB_VERSION,
    parameter_count: countBackboneParams(config),
    date_saved: dateSaved(new Date()),
    tasks: ["MaskedLM", "TextClassifier"],
    ...metadata,
  };
  await writeAtomically(path.join(root, "metadata.json"), (tmp) =>
    writeFileSync(tmp, pythonJsonDumps(meta as PythonJsonValue)),
  );
  return { dir: root, files };
}

/**
 * A sharded-weights index left by an earlier save would sit beside the new `model.weights.h5`;
 * loaders prefer the single file, but the stale shards would mislead a reader of the folder.
 */
function removeStaleShards(root: string): void {
  const index = path.join(root, SHARDED_WEIGHTS_INDEX);
  if (!existsSync(index)) return;
  try {
    for (const name of readKerasShardIndex(index).files)
      rmSync(path.join(root, name), { force: true });
  } catch {
    // An unreadable index names nothing we can safely delete; remove only the index itself.
  }
  rmSync(index, { force: true });
}
