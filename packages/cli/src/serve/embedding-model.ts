import { AlbertBackbone, type Pooling } from "@albert/core";
import { EmbeddingModel } from "@albert/serve";
import type { BackendOptions } from "../backend-options.js";
import { chooseBackend } from "../backend-choice.js";
import type { PresetSourceOptions } from "../preset-options.js";
import { presetPreprocessor } from "../preset-preprocessor.js";
import { resolvePresetDir } from "../preset-resolve.js";
import type { Reporter } from "../reporter.js";

export interface EmbeddingModelCliOptions extends PresetSourceOptions, BackendOptions {
  preset: string;
  sequenceLength?: number;
  lowercase?: boolean;
  dtype?: string;
}

/**
 * An `EmbeddingModel` as every command builds models: the backend chosen first (so
 * `--threads` counts), the preset resolved (downloaded once), and the preset's preprocessor
 * with the command line's casing and sequence length (see `presetPreprocessor`).
 */
export async function loadEmbeddingModel(options: EmbeddingModelCliOptions, pooling: Pooling, reporter: Reporter): Promise<EmbeddingModel> {
  const backend = await chooseBackend(options);
  reporter.debug(`backend: ${backend.name} (${backend.version})${backend.fallbackReason ? `; ${backend.fallbackReason}` : ""}`);
  const dir = await resolvePresetDir(options.preset, options);
  reporter.debug(`preset folder: ${dir}`);
  const backbone = await AlbertBackbone.fromPreset(dir, options.dtype === undefined ? {} : { dtype: options.dtype });
  try {
    const preprocessor = await presetPreprocessor(dir, options, backbone);
    reporter.debug(`sequence length ${preprocessor.sequenceLength}, lowercase ${preprocessor.tokenizer.lowercase}, pooling ${pooling}`);
    return new EmbeddingModel(backbone, preprocessor, { pooling });
  } catch (error) {
    backbone.dispose();
    throw error;
  }
}

/** Resolves on the first SIGTERM or SIGINT (what a service manager or Ctrl-C sends). */
export function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off("SIGTERM", on);
      process.off("SIGINT", on);
      resolve(signal);
    };
    process.once("SIGTERM", on);
    process.once("SIGINT", on);
  });
}
