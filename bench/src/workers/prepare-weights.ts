/**
 * Writes the KerasHub preset the load case reads (once, into the cache), from the benchmark's
 * weights: the HF safetensors folder when @albert/presets can read it, else random weights of
 * our own. Reports which weights the TF.js cases should load.
 *
 *   node dist/workers/prepare-weights.js '{"hfDir":"...","kerasDir":"...","spec":{...}}'
 */
import { existsSync, rmSync } from "node:fs";
import type { ModelSpec } from "../cases.js";
import { emit, errorMessage, runWorker, workerArgs } from "./protocol.js";

export interface PrepareWeightsArgs {
  /** The HF folder written by python/make_weights.py, when it could run. */
  hfDir?: string;
  kerasDir: string;
  spec: ModelSpec;
}

runWorker(async () => {
  const args = workerArgs<PrepareWeightsArgs>();
  const { AlbertBackbone, initBackend } = await import("@albert/core");
  const { writePreset } = await import("@albert/presets");
  await initBackend("auto");

  let model;
  let source: "hf" | "random";
  let note: string | undefined;
  if (args.hfDir !== undefined) {
    try {
      model = await AlbertBackbone.fromPreset(args.hfDir);
      source = "hf";
    } catch (error) {
      note = `AlbertBackbone.fromPreset(${args.hfDir}) failed (${errorMessage(error)}): our cases use random weights of their own`;
      source = "random";
    }
  } else {
    source = "random";
  }
  model ??= new AlbertBackbone({ ...args.spec, dropout: 0 });

  if (existsSync(args.kerasDir)) rmSync(args.kerasDir, { recursive: true, force: true });
  const start = performance.now();
  const written = await writePreset(args.kerasDir, {
    config: model.getConfig(),
    weights: model.getWeightMap(),
    onWarning: () => {},
  });
  const writeMs = performance.now() - start;
  model.dispose();
  emit({
    source,
    kerasDir: args.kerasDir,
    files: written.files,
    writeMs,
    ...(note ? { note } : {}),
  });
});
