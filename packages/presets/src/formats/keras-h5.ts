import * as h5wasm from "h5wasm/node";
import type { AlbertBackboneConfig } from "../config.js";
import { PresetError } from "../errors.js";
import { backboneWeightSpecs, encoderH5Group, encoderLayerName, sameShape, type WeightMap } from "../weights.js";
import { openH5, readFloatDataset, type StoredDtype } from "./h5.js";

export interface KerasWeightsReadResult {
  weights: WeightMap;
  /** The dtypes found in the file (float16/bfloat16 presets are upcast to float32). */
  storedDtypes: Set<StoredDtype>;
}

function layerNameOf(file: h5wasm.File, group: string): string | undefined {
  const vars = file.get(`${group}/vars`);
  if (!(vars instanceof h5wasm.Group)) return undefined;
  const value = vars.attrs["name"]?.value;
  return typeof value === "string" ? value : undefined;
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
    const weights: WeightMap = new Map();
    const storedDtypes = new Set<StoredDtype>();
    const mismatch = (message: string): never => {
      throw new PresetError("weights_mismatch", `${path}: ${message}`, { path });
    };
    for (const spec of backboneWeightSpecs(config)) {
      const datasetPath = `${spec.h5Group}/vars/${spec.h5Index}`;
      const dataset = file.get(datasetPath);
      if (!(dataset instanceof h5wasm.Dataset)) {
        mismatch(
          `no dataset ${datasetPath} for weight ${spec.name}; ` +
            "the file does not hold the weights of a backbone with this config.json",
        );
      }
      const stored = layerNameOf(file, spec.h5Group);
      const expected = spec.layerName.split("/").at(-1);
      if (stored !== undefined && stored !== expected) {
        mismatch(`${spec.h5Group} holds layer '${stored}', config.json implies '${expected}'`);
      }
      const read = readFloatDataset(dataset as h5wasm.Dataset, `${path}:${datasetPath}`);
      if (!sameShape(read.shape, spec.shape)) {
        mismatch(
          `weight ${spec.name} has shape [${read.shape}], config.json implies [${spec.shape}]`,
        );
      }
      storedDtypes.add(read.dtype);
      weights.set(spec.name, { shape: read.shape, data: read.data });
    }
    for (let g = 0; g < config.num_groups; g++) {
      for (let i = 0; i < config.num_inner_repetitions; i++) {
        const k = g * config.num_inner_repetitions + i;
        const group = encoderH5Group(k);
        const stored = layerNameOf(file, group);
        if (stored !== undefined && stored !== encoderLayerName(g, i)) {
          mismatch(`${group} holds layer '${stored}', config.json implies '${encoderLayerName(g, i)}'`);
        }
      }
    }
    // An encoder group beyond those the config implies means more groups were saved than the
    // config declares: refuse rather than silently ignore weights.
    const groups = config.num_groups * config.num_inner_repetitions;
    const extra = encoderH5Group(groups);
    if (file.get(extra) !== null) {
      mismatch(
        `holds encoder layer ${extra} (named '${layerNameOf(file, extra) ?? "?"}'), but config.json ` +
          `implies ${groups} encoder layers (num_groups × num_inner_repetitions)`,
      );
    }
    return { weights, storedDtypes };
  } finally {
    file.close();
  }
}
