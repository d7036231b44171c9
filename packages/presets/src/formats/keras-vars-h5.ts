import type * as H5 from "h5wasm/node";
import { PresetError } from "../errors.js";
import { sizeOf, type WeightTensor } from "../weights.js";
import { h5wasm, hdf5Reason, openH5, readFloatDataset } from "./h5.js";
import { HalfDatasets } from "./h5-half-datasets.js";
import type { HalfDtype } from "./half-precision.js";

/** An int64 scalar as Keras stores an optimizer's `iterations`. */
export interface KerasInt64Scalar {
  shape: [];
  int64: bigint;
}

/** One variable of a `vars` group: float32 values, or an int64 scalar (optimizer iterations). */
export type KerasVar = StoredWeight | KerasInt64Scalar;

/** float32 values and the dtype they are stored in (float32 unless said; a 16-bit dtype rounds
 * them to nearest even and stores them as Keras does, see `createHalfDataset`). */
export type StoredWeight = WeightTensor & { dtype?: "float32" | HalfDtype };

/**
 * One Keras layer (or optimizer) as `save_weights` stores it: `<group>/vars` with the layer's
 * name in its `name` attribute and one dataset per variable, named `0`, `1`, ... in the layer's
 * variable order. Layers without variables are stored too, as empty `vars` groups.
 */
export interface KerasVarGroup {
  /** The group path without `/vars`: `layers/dense`, `optimizer`, `""` for the model itself. */
  group: string;
  /** The Keras layer name (`logits`, `adam`, `albert_text_classifier`). */
  layerName: string;
  vars: KerasVar[];
}

/** A variable's shape and dtype as stored, without its values. */
export interface KerasVarInfo {
  shape: number[];
  dtype: string;
}

export function isInt64Scalar(v: KerasVar): v is KerasInt64Scalar {
  return "int64" in v;
}

function varsPath(group: string): string {
  return group === "" ? "vars" : `${group}/vars`;
}

/**
 * Writes a Keras 3 `.weights.h5` file from its `vars` groups, as `save_weights` lays it out:
 * every group with its `name` attribute first (in the order given), then the datasets: float
 * arrays (float32, or the 16-bit dtype a variable names) and int64 scalars. The file uses
 * h5py's default format bounds (see `openH5`).
 */
export async function writeKerasVarGroups(
  file: string,
  groups: readonly KerasVarGroup[],
): Promise<void> {
  const halves = new HalfDatasets();
  const h5 = await openH5(file, "w");
  try {
    const created = new Set<string>();
    const ensureGroup = (group: string) => {
      const parts = group.split("/");
      for (let n = 1; n <= parts.length; n++) {
        const prefix = parts.slice(0, n).join("/");
        if (!created.has(prefix)) {
          h5.create_group(prefix);
          created.add(prefix);
        }
      }
    };
    for (const { group, layerName } of groups) {
      ensureGroup(varsPath(group));
      (h5.get(varsPath(group)) as H5.Group).create_attribute("name", layerName);
    }
    for (const { group, vars } of groups) {
      const target = h5.get(varsPath(group)) as H5.Group;
      vars.forEach((v, index) => {
        if (isInt64Scalar(v)) {
          target.create_dataset({
            name: String(index),
            data: BigInt64Array.from([v.int64]),
            shape: [],
            dtype: "<q",
          });
        } else {
          if (v.data.length !== sizeOf(v.shape)) {
            throw new PresetError(
              "weights_mismatch",
              `${varsPath(group)}/${index} holds ${v.data.length} values, its shape [${v.shape}] needs ${sizeOf(v.shape)}`,
              { path: file },
            );
          }
          if (v.dtype === undefined || v.dtype === "float32") {
            target.create_dataset({ name: String(index), data: v.data, shape: v.shape });
          } else {
            halves.create(target, String(index), v.data, v.shape, v.dtype);
          }
        }
      });
    }
  } catch (error) {
    if (error instanceof PresetError) throw error;
    throw new PresetError("write_failed", `Writing ${file} failed: ${hdf5Reason(error)}`, {
      path: file,
      cause: error,
    });
  } finally {
    h5.close();
  }
  await halves.patch(file);
}

export interface ReadKerasVarGroupsOptions {
  /** Groups to leave out, by group path (e.g. the optimizer's). */
  skip?: (group: string) => boolean;
}

/** Every `vars` group of an open file, depth first in h5's (sorted) order. */
function findVarsGroups(file: H5.File): string[] {
  const found: string[] = [];
  const visit = (path: string) => {
    const entry = path === "" ? file : file.get(path);
    if (!(entry instanceof h5wasm().Group)) return;
    for (const key of entry.keys()) {
      const child = path === "" ? key : `${path}/${key}`;
      if (key === "vars") found.push(path);
      else visit(child);
    }
  };
  visit("");
  return found;
}

function varIndexes(group: H5.Group, where: string): number[] {
  const keys = group.keys();
  const indexes = keys.map(Number).sort((a, b) => a - b);
  if (indexes.some((n, i) => n !== i)) {
    throw new PresetError(
      "corrupt_weights",
      `${where} must hold datasets named 0..${keys.length - 1}, found ${keys.join(", ")}`,
      { path: where },
    );
  }
  return indexes;
}

/**
 * Reads the `vars` groups of a Keras 3 `.weights.h5` file (`task.weights.h5`, say) that hold
 * variables, as float32 (float16, bfloat16 and float64 are widened); empty groups (layers
 * without variables) and the groups `skip` names are left out. An int64 dataset is read as an
 * int64 scalar.
 */
export async function readKerasVarGroups(
  file: string,
  options: ReadKerasVarGroupsOptions = {},
): Promise<KerasVarGroup[]> {
  const h5 = await openH5(file);
  try {
    const groups: KerasVarGroup[] = [];
    for (const group of findVarsGroups(h5)) {
      if (options.skip?.(group)) continue;
      const vars = h5.get(varsPath(group));
      if (!(vars instanceof h5wasm().Group) || vars.keys().length === 0) continue;
      const where = `${file}:${varsPath(group)}`;
      const name = vars.attrs["name"]?.value;
      const read = varIndexes(vars, where).map((index): KerasVar => {
        const dataset = vars.get(String(index));
        if (!(dataset instanceof h5wasm().Dataset)) {
          throw new PresetError("corrupt_weights", `${where}/${index} is not a dataset`, {
            path: file,
          });
        }
        const meta = dataset.metadata;
        if ((meta.shape ?? []).length === 0) {
          // Scalars (the optimizer's iterations and learning rate) come back as plain values.
          const value = dataset.value as number | bigint;
          if (meta.type === 0) return { shape: [], int64: BigInt(value) };
          if (meta.type === 1) return { shape: [], data: Float32Array.of(Number(value)) };
        }
        const { shape, data } = readFloatDataset(dataset, `${where}/${index}`);
        return { shape, data };
      });
      groups.push({ group, layerName: typeof name === "string" ? name : "", vars: read });
    }
    return groups;
  } catch (error) {
    if (error instanceof PresetError) throw error;
    throw new PresetError("corrupt_weights", `${file}: ${hdf5Reason(error)}`, {
      path: file,
      cause: error,
    });
  } finally {
    h5.close();
  }
}

/**
 * Every `vars` group of a `.weights.h5` file, empty ones included, with each variable's shape
 * and dtype but not its values: what `save_weights` wrote, for inspection and layout checks.
 */
export async function describeKerasVarGroups(
  file: string,
): Promise<{ group: string; layerName: string; vars: KerasVarInfo[] }[]> {
  const h5 = await openH5(file);
  try {
    return findVarsGroups(h5).map((group) => {
      const vars = h5.get(varsPath(group)) as H5.Group;
      const name = vars.attrs["name"]?.value;
      const infos = varIndexes(vars, `${file}:${varsPath(group)}`).map((index) => {
        const meta = (vars.get(String(index)) as H5.Dataset).metadata;
        const dtype =
          meta.type === 1
            ? `float${meta.size * 8}`
            : meta.type === 0
              ? `${meta.signed ? "int" : "uint"}${meta.size * 8}`
              : `class${meta.type}/${meta.size}`;
        return { shape: meta.shape ?? [], dtype };
      });
      return { group, layerName: typeof name === "string" ? name : "", vars: infos };
    });
  } finally {
    h5.close();
  }
}
