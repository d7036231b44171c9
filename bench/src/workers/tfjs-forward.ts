/**
 * One forward-pass case of our AlbertBackbone on one TF.js backend, in a fresh process.
 *
 *   node dist/workers/tfjs-forward.js '{"backend":"tensorflow","batch":8,"seq":128,...}'
 *
 * Each timed call is `predict` plus `dataSync()` of both outputs (so the device-to-host copy
 * counts) and their disposal. Inputs are built as tensors once, outside the timing.
 */
import { makeInputs, type ModelSpec } from "../cases.js";
import { compareParity, readParityReference, type ParityResult } from "./parity.js";
import { emit, memoryFigures, rssMB, runWorker, timeCalls, workerArgs } from "./protocol.js";
import { startTfjs } from "./tfjs-start.js";

export interface TfjsForwardArgs {
  backend: string;
  batch: number;
  seq: number;
  warmups: number;
  runs: number;
  spec: ModelSpec;
  /** A preset folder holding the weights (KerasHub or HF layout); random weights when absent. */
  weightsDir?: string;
  /** A KerasHub dtype policy (default float32). */
  dtype?: string;
}

runWorker(async () => {
  const args = workerArgs<TfjsForwardArgs>();
  const started = await startTfjs(args.backend);
  if (started === undefined) return;
  const { AlbertBackbone, tf, info, importMs } = started;

  const loadStart = performance.now();
  const dtype = args.dtype ?? "float32";
  const model =
    args.weightsDir !== undefined
      ? await AlbertBackbone.fromPreset(args.weightsDir, { dtype })
      : new AlbertBackbone({ ...args.spec, dropout: 0, dtype });
  const loadMs = performance.now() - loadStart;
  const rssAfterLoadMB = rssMB();

  const plain = makeInputs(args, model.vocabularySize);
  const inputs = {
    tokenIds: tf.tensor2d(plain.tokenIds, [args.batch, args.seq], "int32"),
    segmentIds: tf.tensor2d(plain.segmentIds, [args.batch, args.seq], "int32"),
    paddingMask: tf.tensor2d(plain.paddingMask, [args.batch, args.seq], "int32"),
  };
  const forward = () => {
    const { sequenceOutput, pooledOutput } = model.predict(inputs);
    const data = {
      sequence: sequenceOutput.dataSync() as Float32Array,
      pooled: pooledOutput.dataSync() as Float32Array,
    };
    tf.dispose([sequenceOutput, pooledOutput]);
    return data;
  };

  const reference = readParityReference(args.weightsDir);
  let parity: ParityResult | undefined;
  const tensorsBefore = tf.memory().numTensors;
  const timing = await timeCalls(forward, args.warmups, args.runs, (first) => {
    if (reference !== undefined && reference.seq === args.seq) {
      parity = compareParity(reference, args.batch, first.sequence, first.pooled);
    }
  });
  const leakedTensors = tf.memory().numTensors - tensorsBefore;

  emit({
    implementation: `albert-ts/${info.name}`,
    batch: args.batch,
    seq: args.seq,
    ...timing,
    importMs,
    loadMs,
    rssAfterLoadMB,
    ...memoryFigures(),
    leakedTensors,
    engine: model.inferenceEngine,
    ...(parity ? { parity } : {}),
    threads: info.threads === undefined ? undefined : `${info.threads}`,
    versions: { backend: info.version, tfjsCore: tf.version_core, node: process.versions.node },
  });
  tf.dispose(Object.values(inputs));
  model.dispose();
});
