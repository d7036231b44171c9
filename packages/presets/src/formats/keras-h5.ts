import type * as H5 from "h5wasm/node";
import type { AlbertBackboneConfig } from "../config.js";
import { PresetError } from "../errors.js";
import {
  backboneWeightSpecs,
  encoderH5Group,
  encoderLayerName,
  sameShape,
  type WeightMap,
} from "../weights.js";
import { h5wasm, hdf5Reason, openH5, readFloatDataset, type H5File, type StoredDtype } from "./h5.js";

export interface KerasWeightsReadResult {
  weights: WeightMap;
  /** The dtypes found in the file (float16/bfloat16 presets are upcast to float32). */
  storedDtypes: Set<StoredDtype>;
}

/**
 * Where the layer groups of a Keras 3 weights store live: one `model.weights.h5`, or the
 * shards of a `model.weights.json`. `label` names the store in messages.
 */
export interface KerasWeightStore {
  label: string;
  /** The open files that may hold the `vars` group of `group` (`layers/dense`, ...). */
  filesFor(group: string): { file: H5File; name: string }[];
  /** Whether any file holds something under `group` (used to find extra encoder layers). */
  hasGroup(group: string): boolean;
}

/** `file.get`, with HDF5 errors of a damaged file turned into a `PresetError`. */
function getEntry(file: H5File, name: string, path: string): H5.Entity | null {
  try {
    return file.get(path);
  } catch (error) {
    throw new PresetError(
      "corrupt_weights",
      `${name} is damaged: reading ${path} failed (${hdf5Reason(error)})`,
      { path: name, cause: error },
    );
  }
}

/** The Keras layer name stored in the `name` attribute of `group/vars`, when present. */
function layerNameIn(file: H5File, name: string, group: string): string | undefined {
  const vars = getEntry(file, name, `${group}/vars`);
  if (!(vars instanceof h5wasm().Group)) return undefined;
  try {
    const value = vars.attrs["name"]?.value;
    return typeof value === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}

function storedLayerName(store: KerasWeightStore, group: string): string | undefined {
  for (const { file, name } of store.filesFor(group)) {
    const found = layerNameIn(file, name, group);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Reads every variable of an `AlbertBackbone` with this config from a Keras 3 weights store.
 * The layer names stored in the files must agree with the config (a preset whose config does
 * not match its weights is refused), and each dataset's shape is checked against the config
 * *before* its values are read, so a hostile file cannot make us allocate what it claims.
 */
export function readKerasWeightStore(
  store: KerasWeightStore,
  config: AlbertBackboneConfig,
): KerasWeightsReadResult {
  const weights: WeightMap = new Map();
  const storedDtypes = new Set<StoredDtype>();
  const mismatch = (message: string): never => {
    throw new PresetError("weights_mismatch", `${store.label}: ${message}`, { path: store.label });
  };
  for (const spec of backboneWeightSpecs(config)) {
    const datasetPath = `${spec.h5Group}/vars/${spec.h5Index}`;
    let found: { dataset: H5.Dataset; name: string } | undefined;
    for (const { file, name } of store.filesFor(spec.h5Group)) {
      const entry = getEntry(file, name, datasetPath);
      if (entry instanceof h5wasm().Dataset) {
        found = { dataset: entry, name };
        break;
      }
    }
    if (found === undefined) {
      return mismatch(
        `no dataset ${datasetPath} for weight ${spec.name}; ` +
          "the file does not hold the weights of a backbone with this config.json",
      );
    }
    const stored = storedLayerName(store, spec.h5Group);
    const expected = spec.layerName.split("/").at(-1);
    if (stored !== undefined && stored !== expected) {
      mismatch(`${spec.h5Group} holds layer '${stored}', config.json implies '${expected}'`);
    }
    let shape: number[];
    try {
      shape = found.dataset.metadata.shape ?? [];
    } catch (error) {
      throw new PresetError(
        "corrupt_weights",
        `${found.name}: cannot read the shape of ${datasetPath} (${hdf5Reason(error)})`,
        { path: found.name, cause: error },
      );
    }
    if (!sameShape(shape, spec.shape)) {
      mismatch(`weight ${spec.name} has shape [${shape}], config.json implies [${spec.shape}]`);
    }
    const read = readFloatDataset(found.dataset, `${found.name}:${datasetPath}`);
    storedDtypes.add(read.dtype);
    weights.set(spec.name, { shape: read.shape, data: read.data });
  }
  for (let g = 0; g < config.num_groups; g++) {
    for (let i = 0; i < config.num_inner_repetitions; i++) {
      const group = encoderH5Group(g * config.num_inner_repetitions + i);
      const stored = storedLayerName(store, group);
      if (stored !== undefined && stored !== encoderLayerName(g, i)) {
        mismatch(
          `${group} holds layer '${stored}', config.json implies '${encoderLayerName(g, i)}'`,
        );
      }
    }
  }
  // An encoder group beyond those the config implies means more groups were saved than the
  // config declares: refuse rather than silently ignore weights.
  const groups = config.num_groups * config.num_inner_repetitions;
  const extra = encoderH5Group(groups);
  if (store.hasGroup(extra)) {
    mismatch(
      `holds encoder layer ${extra} (named '${storedLayerName(store, extra) ?? "?"}'), but config.json ` +
        `implies ${groups} encoder layers (num_groups × num_inner_repetitions)`,
    );
  }
  return { weights, storedDtypes };
}

/**
 * Reads a Keras 3 `model.weights.h5` written by KerasHub for an `AlbertBackbone` with this
 * config. Each variable is found at its h5 path; the layer names stored in the file must agree
 * with the config (a preset whose config does not match its weights is refused), and every
 * shape must be the one the config implies.
 */
export async function readKerasWeights(
  path: string,
  config: AlbertBackboneConfig,
): Promise<KerasWeightsReadResult> {
  const file = await openH5(path);
  try {
    const files = [{ file, name: path }];
    return readKerasWeightStore(
      {
        label: path,
        filesFor: () => files,
        hasGroup: (group) => getEntry(file, path, group) !== null,
      },
      config,
    );
  } finally {
    file.close();
  }
}
