import { ensureBackendAsync } from "@albert/backends";
import {
  getPreset,
  isBuiltinPreset,
  presetPathExists,
  readPreset,
  resolvePreset,
  writePreset,
  type AlbertBackboneConfig,
  type ResolveOptions,
  type WeightMap,
} from "@albert/presets";
import { toDTypePolicy, type DTypeArgument, type DTypePolicy } from "./dtype/dtype-policy.js";

export interface FromPresetOptions extends ResolveOptions {
  /** Load the preset's weights (default true); false builds the architecture with random
   * weights (for a built-in name, from the bundled config, with no download). */
  loadWeights?: boolean;
  /**
   * The dtype policy to build with (see `AlbertBackboneArgs.dtype`). As in KerasHub, the
   * dtype saved in `config.json` is not used: leaving this out means the global policy
   * (float32 by default), and the weights are converted to the policy's variable dtype
   * (float32 → bfloat16/float16 rounds to nearest even; 16-bit → float32 is exact).
   */
  dtype?: DTypeArgument;
}

export interface SaveToPresetOptions {
  /** Called with warnings, e.g. that Python KerasHub ignores a non-default activation
   * (default: `console.warn`). */
  onWarning?: (message: string) => void;
}


/**
 * Resolves and reads a preset, then builds a model with `build` and loads the weights into it.
 * Like KerasHub's `from_preset`, the dtype stored in `config.json` is replaced by
 * `options.dtype` (absent: the global policy), so a float16 or bfloat16 preset loads as
 * float32 by default, its weights widened exactly.
 */
export async function loadPresetBackbone<T>(
  preset: string,
  options: FromPresetOptions,
  build: (config: AlbertBackboneConfig, weights?: WeightMap) => T,
): Promise<T> {
  // Loading is asynchronous anyway: choose "auto" the way initBackend does (WebAssembly before
  // plain JS) when nothing was chosen, rather than the synchronous choice a constructor makes.
  const { dtype, ...resolveOptions } = options;
  // Checked before anything is downloaded.
  const policy = toDTypePolicy(dtype);
  await ensureBackendAsync();
  const loadWeights = options.loadWeights ?? true;
  if (!loadWeights && isBuiltinPreset(preset) && !presetPathExists(preset)) {
    return build(withDtype(getPreset(preset).config, policy));
  }
  // Without weights, a remote preset downloads only its config (and tokenizer) files.
  const dir = await resolvePreset(preset, { ...resolveOptions, loadWeights });
  const contents = await readPreset(dir, { loadWeights });
  return build(withDtype(contents.config, policy), loadWeights ? contents.weights : undefined);
}

function withDtype(config: AlbertBackboneConfig, policy: DTypePolicy): AlbertBackboneConfig {
  return { ...config, dtype: policy.serialize() };
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
