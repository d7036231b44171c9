/** The fine-tuning parity check (shared by the native and cpu-backend tests). */
import path from "node:path";
import { expect } from "vitest";
import { maxAbsDiff } from "@albert/test-utils";
import { readKerasVarGroups } from "@albert/presets";
import { currentBackend } from "@albert/backends";
import { Adam, AdamW, AlbertTextClassifier, SparseCategoricalCrossentropy, tf, type Optimizer } from "../../index.js";
import type {
  FINETUNE_RUNS} from "./task-fixtures.js";
import {
  CLASSIFIER_DIR,
  FINETUNE_DIR,
  expectTrainedWeights,
  fixtureJson,
  packed,
  type FinetuneSplit,
  type Trajectory,
} from "./task-fixtures.js";

const data = fixtureJson<{ train: FinetuneSplit; heldout: FinetuneSplit }>(FINETUNE_DIR, "data.json");

const optimizers: Record<(typeof FINETUNE_RUNS)[number], () => Optimizer | undefined> = {
  compile_defaults: () => undefined,
  "adam_lr1e-3": () => new Adam({ learningRate: 1e-3 }),
  "adamw_lr1e-3": () =>
    new AdamW({ learningRate: 1e-3, weightDecay: 0.01, excludeFromWeightDecay: { varNames: ["LayerNorm", "layer_norm", "bias"] } }),
};

/** Runs one fixture's fit and checks it against Keras; shared with the cpu-backend test.
 * Returns the `trainingEngine` that trained. */
export async function checkFinetuneRun(run: (typeof FINETUNE_RUNS)[number]): Promise<string> {
  const dir = path.join(FINETUNE_DIR, run);
  const expected = fixtureJson<Trajectory>(dir, "trajectory.json");
  const clf = await AlbertTextClassifier.fromPreset(CLASSIFIER_DIR, { dropout: 0, preprocessor: null });
  const optimizer = optimizers[run]();
  clf.compile(optimizer ? { optimizer } : {});
  const x = packed(data.train);
  const y = data.train.labels;
  const crossEntropy = new SparseCategoricalCrossentropy({ fromLogits: true });
  const batchLosses: number[] = [];
  const batchLogs: Record<string, number>[] = [];
  const epochLogs: Record<string, number>[] = [];
  const before = tf.memory().numTensors;
  const history = await clf.fit(x, y, {
    batchSize: 4,
    epochs: 2,
    shuffle: false,
    callbacks: {
      // The loss of the batch at the weights before the step, as the fixture recorded it.
      onTrainBatchBegin: (batch) => {
        const rows = [0, 1, 2, 3].map((i) => batch * 4 + i);
        const logits = clf.predict({
          tokenIds: rows.map((r) => data.train.token_ids[r]!),
          segmentIds: rows.map((r) => data.train.segment_ids[r]!),
          paddingMask: rows.map((r) => data.train.padding_mask[r]!),
        });
        const labels = tf.tensor1d(rows.map((r) => y[r]!), "int32");
        const loss = crossEntropy.call(labels, logits);
        batchLosses.push(loss.dataSync()[0]!);
        tf.dispose([logits, labels, loss]);
      },
      onTrainBatchEnd: (_batch, logs) => void batchLogs.push(logs),
      onEpochEnd: (_epoch, logs) => void epochLogs.push(logs),
    },
  });
  const engine = clf.trainingEngine;
  // The only tensors fit leaves are the optimizer's slots: momentum and velocity per variable.
  expect(tf.memory().numTensors - before).toBe(2 * clf.trainableWeights.length);
  expect(clf.optimizer.iterations).toBe(6);

  const lossDiff = maxAbsDiff(batchLosses, expected.steps.map((s) => s.batch_loss));
  const logDiff = Math.max(
    maxAbsDiff(batchLogs.map((l) => l["loss"]!), expected.steps.map((s) => s.keras_logs["loss"]!)),
    maxAbsDiff(batchLogs.map((l) => l["sparse_categorical_accuracy"]!), expected.steps.map((s) => s.keras_logs["sparse_categorical_accuracy"]!)),
    maxAbsDiff(epochLogs.map((l) => l["loss"]!), expected.epoch_logs.map((l) => l["loss"]!)),
    maxAbsDiff(epochLogs.map((l) => l["sparse_categorical_accuracy"]!), expected.epoch_logs.map((l) => l["sparse_categorical_accuracy"]!)),
  );
  expect(lossDiff).toBeLessThanOrEqual(1e-5);
  expect(logDiff).toBeLessThanOrEqual(1e-5);
  expect(history.epoch).toEqual([0, 1]);
  expect(history.history["loss"]).toEqual(epochLogs.map((l) => l["loss"]));

  // Every trained variable against the run's saved preset.
  const { weightDiff, keyBiasDiff } = await expectTrainedWeights(clf.weights, dir, { "layers/dense": ["logits/kernel", "logits/bias"] });

  // The optimizer's state, in Keras' variable order (optimizer/vars/2.. of task.weights.h5).
  const saved = (await readKerasVarGroups(path.join(dir, "task.weights.h5"))).find((g) => g.group === "optimizer")!;
  const ours = clf.optimizer.variables();
  expect(ours.map((v) => v.shape)).toEqual(saved.vars.map((v) => v.shape));
  let slotDiff = 0;
  ours.slice(2).forEach((v, i) => {
    if (v.path.includes("key_bias")) return;
    slotDiff = Math.max(slotDiff, maxAbsDiff((v as { data: Float32Array }).data, (saved.vars[i + 2] as { data: Float32Array }).data));
  });
  expect(slotDiff).toBeLessThanOrEqual(1e-5);

  // Held-out logits and evaluate after training.
  const logits = clf.predict(packed(data.heldout));
  const heldoutDiff = maxAbsDiff(logits.dataSync(), expected.heldout_logits_after);
  logits.dispose();
  expect(heldoutDiff).toBeLessThanOrEqual(1e-4);
  const evalBefore = tf.memory().numTensors;
  const heldout = await clf.evaluate(packed(data.heldout), data.heldout.labels, { batchSize: 4 });
  const train = await clf.evaluate(x, y, { batchSize: 4 });
  expect(tf.memory().numTensors).toBe(evalBefore);
  expect(Object.keys(heldout)).toEqual(["loss", "sparse_categorical_accuracy"]);
  for (const key of ["loss", "sparse_categorical_accuracy"]) {
    expect(Math.abs(heldout[key]! - expected.evaluate_heldout[key]!)).toBeLessThanOrEqual(1e-5);
    expect(Math.abs(train[key]! - expected.evaluate_train[key]!)).toBeLessThanOrEqual(1e-5);
  }
  console.log(
    `[${currentBackend()?.name}, ${engine}] ${run}: max |diff| batch losses ${lossDiff.toExponential(2)}, logs ${logDiff.toExponential(2)}, ` +
      `weights ${weightDiff.toExponential(2)}, key biases ${keyBiasDiff.toExponential(2)}, optimizer slots ${slotDiff.toExponential(2)}, ` +
      `held-out logits ${heldoutDiff.toExponential(2)}`,
  );
  clf.dispose();  return engine;
}
