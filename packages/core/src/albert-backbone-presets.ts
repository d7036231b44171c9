import { existsSync } from "node:fs";
import { ensureBackendAsync } from "@albert/backends";
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


/**
 * Resolves and reads a preset, then builds a model with `build` and loads the weights into it.
 * Like KerasHub's `from_preset`, the dtype stored in `config.json` is ignored: float16 and
 * bfloat16 presets load with their weights upcast to float32.
 */
export async function loadPresetBackbone<T>(
  preset: string,
  options: FromPresetOptions,
  build: (config: AlbertBackboneConfig, weights?: WeightMap) => T,
): Promise<T> {
  // Loading is asynchronous anyway: choose "auto" the way initBackend does (WebAssembly before
  // plain JS) when nothing was chosen, rather than the synchronous choice a constructor makes.
  await ensureBackendAsync();
  const loadWeights = options.loadWeights ?? true;
  if (!loadWeights && isBuiltinPreset(preset) && !existsSync(preset)) {
    return build(withoutDtype(getPreset(preset).config));
  }
  // Without weights, a remote preset downloads only its config (and tokenizer) files.
  const dir = await resolvePreset(preset, { ...options, loadWeights });
  const contents = await readPreset(dir, { loadWeights });
  return build(withoutDtype(contents.config), loadWeights ? contents.weights : undefined);
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
