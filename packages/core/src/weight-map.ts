import { findWeightMapProblems, type AlbertBackboneConfig, type WeightMap } from "@albert/presets";
import type { FloatDtype } from "./dtype/dtype-policy.js";
import { toVariableDtype } from "./dtype/rounding.js";
import { AlbertConfigError } from "./errors.js";
import type { NamedWeight } from "./layers/layer.js";
import { tf } from "./tf.js";

/** Copies variables out as plain float32 arrays keyed by KerasHub path. */
export function readWeightMap(weights: readonly NamedWeight[]): WeightMap {
  return new Map(
    weights.map(({ path, variable }) => [
      path,
      { shape: [...variable.shape], data: Float32Array.from(variable.dataSync() as Float32Array) },
    ]),
  );
}

/**
 * Refuses a weight map that does not fit a model with this config: every variable present
 * with its exact shape and nothing else (a preset for another architecture fails here, before
 * anything is allocated or changed).
 */
export function checkWeightMap(config: AlbertBackboneConfig, map: WeightMap): void {
  if (!(map instanceof Map)) {
    throw new AlbertConfigError(
      "weights_mismatch",
      `weights must be a Map from KerasHub variable path to { shape, data: Float32Array } (what readPreset and getWeightMap return), got ${map === null ? "null" : typeof map}`,
      "weights",
    );
  }
  const problems = findWeightMapProblems(config, map);
  if (problems.length > 0) {
    throw new AlbertConfigError(
      "weights_mismatch",
      `The weights do not match the model's config: ${problems.slice(0, 5).join("; ")}` +
        (problems.length > 5 ? `; and ${problems.length - 5} more` : ""),
    );
  }
}

/** Assigns every variable from a checked weight map, rounding values to 16-bit variables'
 * dtype as Keras' assignment does. */
export function writeWeightMap(
  weights: readonly NamedWeight[],
  config: AlbertBackboneConfig,
  map: WeightMap,
  variableDtype: FloatDtype = "float32",
): void {
  checkWeightMap(config, map);
  for (const { path, variable } of weights) {
    const entry = map.get(path)!;
    tf.tidy(() => variable.assign(tf.tensor(toVariableDtype(entry.data, variableDtype), entry.shape, "float32")));
  }
}
