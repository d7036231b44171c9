/**
 * Load time of a KerasHub preset folder in a fresh process: the imports, the backend's
 * initialization, then `AlbertBackbone.fromPreset(dir)` (timed twice: the first call, then a
 * second one in the same process after disposing the first model).
 *
 *   node dist/workers/tfjs-load.js '{"presetDir":"...","backend":"tensorflow"}'
 */
import { emit, errorMessage, peakRssMB, rssMB, runWorker, workerArgs } from "./protocol.js";

export interface TfjsLoadArgs {
  presetDir: string;
  backend: string;
}

runWorker(async () => {
  const args = workerArgs<TfjsLoadArgs>();
  const importStart = performance.now();
  const { AlbertBackbone, initBackend, tf } = await import("@albert/core");
  const importMs = performance.now() - importStart;

  const initStart = performance.now();
  let info;
  try {
    info = await initBackend(args.backend as Parameters<typeof initBackend>[0]);
  } catch (error) {
    emit({ unavailable: errorMessage(error) });
    return;
  }
  const backendInitMs = performance.now() - initStart;

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
