import type { WeightMap } from "@albert/presets";
import { AlbertConfigError } from "./errors.js";
import type { NamedWeight } from "./layers/layer.js";
import { tf } from "./tf.js";

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

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
 * Assigns variables from a weight map. Every variable must be present with its exact shape,
 * and the map must hold nothing else: a preset for another architecture is refused before any
 * variable changes.
 */
export function writeWeightMap(weights: readonly NamedWeight[], map: WeightMap): void {
  const problems: string[] = [];
  for (const { path, variable } of weights) {
    const entry = map.get(path);
    if (entry === undefined) problems.push(`missing weight ${path} [${variable.shape}]`);
    else if (!sameShape(entry.shape, variable.shape)) {
      problems.push(`weight ${path} has shape [${entry.shape}], the model needs [${variable.shape}]`);
    } else if (entry.data.length !== variable.size) {
      problems.push(`weight ${path} holds ${entry.data.length} values for shape [${entry.shape}]`);
    }
  }
  const known = new Set(weights.map((w) => w.path));
  const extra = [...map.keys()].filter((k) => !known.has(k));
  if (extra.length > 0) problems.push(`unexpected weights: ${extra.slice(0, 5).join(", ")}${extra.length > 5 ? ", ..." : ""}`);
  if (problems.length > 0) {
    throw new AlbertConfigError(
      "weights_mismatch",
      `The weights do not match the model's config: ${problems.slice(0, 5).join("; ")}${problems.length > 5 ? `; and ${problems.length - 5} more` : ""}`,
    );
  }
  for (const { path, variable } of weights) {
    const entry = map.get(path)!;
    tf.tidy(() => variable.assign(tf.tensor(entry.data, entry.shape, "float32")));
  }
}
