import { resolvePreset, type ResolveOptions } from "@albert/presets";
import type { PresetSourceOptions } from "./preset-options.js";

/** `resolvePreset` options from the command line; the download bar follows `--no-progress`. */
export function resolveOptions(options: PresetSourceOptions, loadWeights = true): ResolveOptions {
  return {
    loadWeights,
    ...(options.source === undefined ? {} : { source: options.source }),
    ...(options.revision === undefined ? {} : { revision: options.revision }),
    ...(options.progress ? {} : { progressBar: false }),
  };
}

/** Downloads (once, into the cache) or finds the preset folder. */
export function resolvePresetDir(
  handle: string,
  options: PresetSourceOptions,
  loadWeights = true,
): Promise<string> {
  return resolvePreset(handle, resolveOptions(options, loadWeights));
}
