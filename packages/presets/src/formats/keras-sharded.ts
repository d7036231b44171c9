import { existsSync } from "../platform/fs.js";
import path from "../platform/path.js";
import type { AlbertBackboneConfig } from "../config.js";
import { PresetError } from "../errors.js";
import { readJsonFile } from "../json-file.js";
import { safeBaseName } from "../safe-paths.js";
import { hdf5Reason, openH5, type H5File } from "./h5.js";
import { readKerasWeightStore, type KerasWeightsReadResult } from "./keras-h5.js";

/** The index of Keras 3 sharded weights (`save_weights(path, max_shard_size=...)`). */
export const SHARDED_WEIGHTS_INDEX = "model.weights.json";

/** The most shard files an index may name (KerasHub's largest presets use a few dozen). */
const MAX_SHARDS = 10_000;

/**
 * A parsed `model.weights.json`. Keras writes
 * `{"metadata": {"total_size": bytes}, "weight_map": {"/layers/dense/vars": "model_00000.weights.h5", ...}}`;
 * a layer whose variables straddle a shard boundary lists several files. Keys are turned into
 * group paths (`layers/dense`; `""` for the model's own `/vars`).
 */
export interface KerasShardIndex {
  /** Shard files by layer group, in the order Keras listed them. */
  groups: Map<string, string[]>;
  /** Every shard file, sorted (what KerasHub downloads). */
  files: string[];
}

/** Reads and validates a `model.weights.json`: shard names must be plain files beside it. */
export function readKerasShardIndex(indexPath: string): KerasShardIndex {
  const json = readJsonFile(indexPath);
  const bad = (what: string): never => {
    throw new PresetError(
      "corrupt_weights",
      `${indexPath} is not a Keras sharded-weights index: ${what}`,
      {
        path: indexPath,
      },
    );
  };
  if (typeof json !== "object" || json === null || Array.isArray(json))
    return bad("not a JSON object");
  const weightMap = (json as Record<string, unknown>)["weight_map"];
  if (typeof weightMap !== "object" || weightMap === null || Array.isArray(weightMap)) {
    return bad('no "weight_map" object');
  }
  const dir = path.dirname(indexPath);
  const groups = new Map<string, string[]>();
  const files = new Set<string>();
  for (const [key, value] of Object.entries(weightMap)) {
    const match = /^\/(?:(.+)\/)?vars$/.exec(key);
    if (match === null) bad(`weight_map key ${JSON.stringify(key)} is not "/<layer path>/vars"`);
    const names = typeof value === "string" ? [value] : value;
    if (!Array.isArray(names) || names.length === 0 || !names.every((n) => typeof n === "string")) {
      return bad(`weight_map[${JSON.stringify(key)}] must be a file name or a list of them`);
    }
    for (const name of names as string[]) {
      safeBaseName(dir, name, indexPath);
      files.add(name);
    }
    groups.set(match![1] ?? "", names as string[]);
  }
  if (files.size > MAX_SHARDS) bad(`it names ${files.size} shard files (at most ${MAX_SHARDS})`);
  return { groups, files: [...files].sort() };
}

/**
 * Reads the weights of a KerasHub preset saved with sharded weights: `model.weights.json`
 * plus the `model_NNNNN.weights.h5` shards it names, all in `dir`. Each variable is looked up
 * in the shards the index lists for its layer, with the same name and shape checks as a
 * single `model.weights.h5`.
 */
export async function readKerasShardedWeights(
  dir: string,
  config: AlbertBackboneConfig,
): Promise<KerasWeightsReadResult> {
  const indexPath = path.join(dir, SHARDED_WEIGHTS_INDEX);
  const index = readKerasShardIndex(indexPath);
  const open = new Map<string, H5File>();
  try {
    for (const name of index.files) {
      const file = safeBaseName(dir, name, indexPath);
      open.set(name, await openShard(file, indexPath));
    }
    const filesFor = (group: string) =>
      (index.groups.get(group) ?? []).map((name) => ({
        file: open.get(name)!,
        name: path.join(dir, name),
      }));
    const hasGroup = (group: string) =>
      [...index.groups.keys()].some((g) => g === group || g.startsWith(`${group}/`));
    return readKerasWeightStore({ label: indexPath, filesFor, hasGroup }, config);
  } finally {
    for (const file of open.values()) {
      try {
        file.close();
      } catch (error) {
        // Closing a damaged file can fail; the read error (if any) is the one to report.
        void hdf5Reason(error);
      }
    }
  }
}

async function openShard(file: string, indexPath: string): Promise<H5File> {
  if (!existsSync(file)) {
    throw new PresetError(
      "missing_file",
      `${file} is missing: ${indexPath} lists it as a weights shard. Copy or download the whole preset again.`,
      { path: file },
    );
  }
  return openH5(file);
}
