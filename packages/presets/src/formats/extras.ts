import { existsSync } from "../platform/fs.js";
import path from "../platform/path.js";
import type { AlbertActivation, AlbertBackboneConfig } from "../config.js";
import { readConfigSection } from "../json-file.js";
import { PythonFloat, pythonJsonDumps } from "../python-json.js";
import { KERAS_LAYER_NORM_EPSILON } from "./hf-config.js";

/**
 * The file beside `config.json` that keeps the backbone settings Python KerasHub's
 * `AlbertBackbone` does not have (`activation`, `layer_norm_epsilon`). They cannot go into
 * `config.json`: KerasHub's `from_config` passes every key to the constructor, which rejects
 * unknown arguments, so the preset would no longer load in Python. KerasHub ignores this file.
 */
export const EXTRAS_FILE = "albert_ts.json";

/** The settings that differ from what KerasHub hard-codes. */
export interface BackboneExtras {
  activation?: AlbertActivation;
  layer_norm_epsilon?: number;
}

/** The settings of a config that differ from KerasHub's fixed tanh GELU and 1e-12. */
export function backboneExtras(config: AlbertBackboneConfig): BackboneExtras {
  const extras: BackboneExtras = {};
  if (config.activation !== undefined && config.activation !== "gelu_approximate") {
    extras.activation = config.activation;
  }
  if (
    config.layer_norm_epsilon !== undefined &&
    config.layer_norm_epsilon !== KERAS_LAYER_NORM_EPSILON
  ) {
    extras.layer_norm_epsilon = config.layer_norm_epsilon;
  }
  return extras;
}

/** The text of `albert_ts.json` for these settings. */
export function extrasFileText(extras: BackboneExtras): string {
  return pythonJsonDumps({
    about:
      "Backbone settings of @albert/presets that Python KerasHub's AlbertBackbone does not support " +
      "(it always uses the tanh GELU and LayerNorm epsilon 1e-12). KerasHub ignores this file; " +
      "albert-ts applies it when loading.",
    config: {
      activation: extras.activation,
      layer_norm_epsilon:
        extras.layer_norm_epsilon === undefined
          ? undefined
          : new PythonFloat(extras.layer_norm_epsilon),
    },
  });
}

/**
 * Reads `albert_ts.json` from a KerasHub preset folder, or `undefined` when there is none.
 * Only `activation` and `layer_norm_epsilon` are taken; their values are validated with the
 * rest of the config by the caller.
 */
export function readExtras(dir: string): BackboneExtras | undefined {
  const file = path.join(dir, EXTRAS_FILE);
  if (!existsSync(file)) return undefined;
  const config = readConfigSection(file, ["activation", "layer_norm_epsilon"]);
  const extras: BackboneExtras = {};
  if (config["activation"] !== undefined)
    extras.activation = config["activation"] as AlbertActivation;
  if (config["layer_norm_epsilon"] !== undefined) {
    extras.layer_norm_epsilon = config["layer_norm_epsilon"] as number;
  }
  return extras;
}
