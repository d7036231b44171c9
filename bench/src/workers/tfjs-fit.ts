/**
 * One fine-tuning case of our AlbertTextClassifier on one TF.js backend, in a fresh process.
 *
 *   node dist/workers/tfjs-fit.js '{"backend":"tensorflow","batch":8,"seq":128,...}'
 *
 * A 2-class classifier on the backbone, compiled with KerasHub's defaults (Adam(1e-5), sparse
 * categorical cross-entropy from logits, sparse categorical accuracy), runs one `fit` epoch of
 * `warmups + runs` batches of packed ids (shuffle off). Each step's time runs from the end of
 * the previous step (or the start of training) to the end of its own, as Keras' callbacks see
 * it: the forward and backward pass, the optimizer update and `fit`'s per-batch bookkeeping.
 */
import { makeInputs } from "../cases.js";
import { emit, memoryFigures, rssMB, runWorker, workerArgs } from "./protocol.js";
import { startTfjs } from "./tfjs-start.js";
import { stepTiming } from "./step-timing.js";
import type { TfjsForwardArgs } from "./tfjs-forward.js";

/** A forward case's arguments, with the preset to fine-tune instead of the weights folder. */
export interface TfjsFitArgs extends Omit<TfjsForwardArgs, "weightsDir" | "dtype"> {
  /** A KerasHub preset folder with the backbone's weights; random weights when absent. */
  presetDir?: string;
}

runWorker(async () => {
  const args = workerArgs<TfjsFitArgs>();
  const started = await startTfjs(args.backend);
  if (started === undefined) return;
  const { AlbertBackbone, AlbertTextClassifier, tf, info, importMs } = started;
  const tensorsAtStart = tf.memory().numTensors;

  const loadStart = performance.now();
  const classifier =
    args.presetDir !== undefined
      ? await AlbertTextClassifier.fromPreset(args.presetDir, { numClasses: 2, preprocessor: null })
      : new AlbertTextClassifier({ backbone: new AlbertBackbone(args.spec), numClasses: 2 });
  const loadMs = performance.now() - loadStart;
  const rssAfterLoadMB = rssMB();

  // `warmups + runs` batches of the forward cases' ids, labels alternating 0 and 1.
  const steps = args.warmups + args.runs;
  const rows = makeInputs(
    { batch: args.batch * steps, seq: args.seq },
    classifier.backbone.vocabularySize,
  );
  const labels = rows.tokenIds.map((_, i) => i % 2);

  const ends: number[] = [];
  const losses: number[] = [];
  let start = 0;
  await classifier.fit(rows, labels, {
    batchSize: args.batch,
    epochs: 1,
    shuffle: false,
    callbacks: {
      onTrainBegin: () => void (start = performance.now()),
      onTrainBatchEnd: (_batch, logs) => {
        ends.push(performance.now());
        losses.push(logs["loss"]!);
      },
    },
  });
  const timing = stepTiming(start, ends, args.warmups, args.batch);
  const memory = memoryFigures();
  classifier.dispose();

  emit({
    implementation: `albert-ts/${info.name}`,
    batch: args.batch,
    seq: args.seq,
    ...timing,
    optimizer: "Adam(1e-5)",
    firstLoss: losses[0],
    lastLoss: losses.at(-1),
    importMs,
    loadMs,
    rssAfterLoadMB,
    ...memory,
    // Left after `dispose()` (model, optimizer slots): should be 0.
    leakedTensors: tf.memory().numTensors - tensorsAtStart,
    threads: info.threads === undefined ? undefined : `${info.threads}`,
    versions: { backend: info.version, tfjsCore: tf.version_core, node: process.versions.node },
  });
});
