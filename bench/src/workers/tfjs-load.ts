/**
 * Load time of a KerasHub preset folder in a fresh process: the imports, the backend's
 * initialization, then `AlbertBackbone.fromPreset(dir)` (timed twice: the first call, then a
 * second one in the same process after disposing the first model).
 *
 *   node dist/workers/tfjs-load.js '{"presetDir":"...","backend":"tensorflow"}'
 */
import { emit, peakRssMB, rssMB, runWorker, workerArgs } from "./protocol.js";
import { startTfjs } from "./tfjs-start.js";

export interface TfjsLoadArgs {
  presetDir: string;
  backend: string;
}

runWorker(async () => {
  const args = workerArgs<TfjsLoadArgs>();
  const started = await startTfjs(args.backend);
  if (started === undefined) return;
  const { AlbertBackbone, tf, info, importMs, backendInitMs } = started;

  const loadStart = performance.now();
  const model = await AlbertBackbone.fromPreset(args.presetDir);
  const loadMs = performance.now() - loadStart;
  const rssAfterLoadMB = rssMB();
  const params = model.countParams();
  model.dispose();

  const secondStart = performance.now();
  const again = await AlbertBackbone.fromPreset(args.presetDir);
  const secondLoadMs = performance.now() - secondStart;
  again.dispose();

  emit({
    implementation: `albert-ts/${info.name}`,
    importMs,
    backendInitMs,
    loadMs,
    secondLoadMs,
    rssAfterLoadMB,
    peakRssMB: peakRssMB(),
    params,
    versions: { backend: info.version, tfjsCore: tf.version_core, node: process.versions.node },
  });
});
