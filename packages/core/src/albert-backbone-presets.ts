import { existsSync } from "node:fs";
import {
  getPreset,
  isBuiltinPreset,
  readPreset,
  resolvePreset,
  writePreset,
  type AlbertBackboneConfig,
  type ResolveOptions,
  type WeightMap,
} from "@albert/presets";

export interface FromPresetOptions extends ResolveOptions {
  /** Load the preset's weights (default true); false builds the architecture with random
   * weights (for a built-in name, from the bundled config, with no download). */
  loadWeights?: boolean;
}

export interface SaveToPresetOptions {
  /** Called with warnings, e.g. that Python KerasHub ignores a non-default activation
   * (default: `console.warn`). */
  onWarning?: (message: string) => void;
}

interface Loadable {
  setWeightMap(weights: Map<string, { shape: number[]; data: Float32Array }>): void;
  dispose(): void;
}

/**
 * Resolves and reads a preset, then builds a model with `build` and loads the weights into it.
 * Like KerasHub's `from_preset`, the dtype stored in `config.json` is ignored: float16 and
 * bfloat16 presets load with their weights upcast to float32.
 */
export async function loadPresetBackbone<T extends Loadable>(
  preset: string,
  options: FromPresetOptions,
  build: (config: AlbertBackboneConfig) => T,
): Promise<T> {
  const loadWeights = options.loadWeights ?? true;
  if (!loadWeights && isBuiltinPreset(preset) && !existsSync(preset)) {
    return build(withoutDtype(getPreset(preset).config));
  }
  // Without weights, a remote preset downloads only its config (and tokenizer) files.
  const dir = await resolvePreset(preset, { ...options, loadWeights });
  const contents = await readPreset(dir, { loadWeights });
  const model = build(withoutDtype(contents.config));
  if (loadWeights) {
    try {
      model.setWeightMap(contents.weights);
    } catch (error) {
      model.dispose();
      throw error;
    }
  }
  return model;
}

function withoutDtype(config: AlbertBackboneConfig): AlbertBackboneConfig {
  const copy = { ...config };
  delete copy.dtype;
  return copy;
}

/**
 * Writes a backbone in KerasHub's preset layout (`config.json`, `model.weights.h5`,
 * `metadata.json`), which Python KerasHub's `from_preset` loads.
 */
export async function savePresetBackbone(
  dir: string,
  config: AlbertBackboneConfig,
  weights: WeightMap,
  options: SaveToPresetOptions,
): Promise<void> {
  await writePreset(dir, { config, weights, ...(options.onWarning ? { onWarning: options.onWarning } : {}) });
}
