/** The masked-LM fine-tuning parity check (shared by the native and cpu-backend tests). */
import { expect } from "vitest";
import { maxAbsDiff, testdataPath } from "@albert/test-utils";
import { Adam, AlbertMaskedLM, SparseCategoricalCrossentropy, tf } from "../../index.js";
import { MASKED_LM_DIR, expectTrainedWeights, fixtureJson, packed } from "./task-fixtures.js";

const RUN = testdataPath("tasks", "keras", "masked_lm_fit");

interface Sample {
  x: { token_ids: number[][]; segment_ids: number[][]; padding_mask: number[][]; mask_positions: number[][] };
  y: number[][];
  sample_weight: number[][];
}

interface MaskedTrajectory {
  steps: { batch: number; batch_loss: number; keras_logs: Record<string, number> }[];
  epoch_logs: Record<string, number>[];
  evaluate: Record<string, number>;
  log_probabilities_at_labels_after: number[][];
  optimizer_variables: string[];
  trainable_variables: string[];
}


/** Runs the masked-LM fit of testdata/tasks/keras/masked_lm_fit and checks it against Keras;
 * shared with the cpu-backend test. */
export async function checkMaskedLMFit(): Promise<string> {
  const sample = fixtureJson<Sample>(MASKED_LM_DIR, "preprocessor_sample.json");
  const expected = fixtureJson<MaskedTrajectory>(RUN, "trajectory.json");
  const mlm = await AlbertMaskedLM.fromPreset(MASKED_LM_DIR, { preprocessor: null });
  mlm.compile({ optimizer: new Adam({ learningRate: 1e-3 }) });
  expect(mlm.trainableWeights.map((w) => w.path)).toEqual(expected.trainable_variables);
  const x = packed(sample.x);
  const crossEntropy = new SparseCategoricalCrossentropy({ fromLogits: true });
  const rows = (batch: number) => [2 * batch, 2 * batch + 1];
  const batchLosses: number[] = [];
  const logs: Record<string, number>[] = [];
  const epochLogs: Record<string, number>[] = [];
  await mlm.fit(x, sample.y, {
    sampleWeight: sample.sample_weight,
    batchSize: 2,
    epochs: 2,
    shuffle: false,
    callbacks: {
      onTrainBatchBegin: (batch) => {
        const pick = <T>(a: T[]) => rows(batch).map((r) => a[r]!);
        const logits = mlm.predict({
          tokenIds: pick(sample.x.token_ids),
          segmentIds: pick(sample.x.segment_ids),
          paddingMask: pick(sample.x.padding_mask),
          maskPositions: pick(sample.x.mask_positions),
        });
        const [y, w] = [tf.tensor2d(pick(sample.y), undefined, "int32"), tf.tensor2d(pick(sample.sample_weight))];
        const loss = crossEntropy.call(y, logits, w);
        batchLosses.push(loss.dataSync()[0]!);
        tf.dispose([logits, y, w, loss]);
      },
      onTrainBatchEnd: (_b, l) => void logs.push(l),
      onEpochEnd: (_e, l) => void epochLogs.push(l),
    },
  });
  expect(maxAbsDiff(batchLosses, expected.steps.map((s) => s.batch_loss))).toBeLessThanOrEqual(1e-5);
  for (const key of ["loss", "sparse_categorical_accuracy"]) {
    expect(maxAbsDiff(logs.map((l) => l[key]!), expected.steps.map((s) => s.keras_logs[key]!))).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDiff(epochLogs.map((l) => l[key]!), expected.epoch_logs.map((l) => l[key]!))).toBeLessThanOrEqual(1e-5);
  }

  // Keras builds slots for every trainable variable, pooled_dense included, in this order.
  const strip = (p: string) => p.slice(p.indexOf("/") + 1);
  expect(mlm.optimizer.variables().map((v) => strip(v.path))).toEqual(expected.optimizer_variables.map(strip));

  const { weightDiff, keyBiasDiff } = await expectTrainedWeights(mlm.weights, RUN, {
    "layers/masked_lm_head": ["mlm_head/output_bias"],
    "layers/masked_lm_head/_intermediate_dense": ["mlm_head/intermediate_dense/kernel", "mlm_head/intermediate_dense/bias"],
    "layers/masked_lm_head/_intermediate_layer_norm": ["mlm_head/intermediate_layer_norm/gamma", "mlm_head/intermediate_layer_norm/beta"],
  });
  const engine = mlm.trainingEngine;
  console.log(`[${engine}] masked_lm_fit: max |diff| weights ${weightDiff.toExponential(2)}, key biases ${keyBiasDiff.toExponential(2)}`);

  const logits = mlm.predict(x);
  const logp = tf.tidy(() => tf.logSoftmax(logits).arraySync()) as number[][][];
  const atLabels = sample.y.map((row, b) => row.map((id, p) => logp[b]![p]![id]!));
  expect(maxAbsDiff(atLabels, expected.log_probabilities_at_labels_after)).toBeLessThanOrEqual(1e-4);
  logits.dispose();
  const evaluated = await mlm.evaluate(x, sample.y, { sampleWeight: sample.sample_weight, batchSize: 2 });
  expect(Math.abs(evaluated["loss"]! - expected.evaluate["loss"]!)).toBeLessThanOrEqual(1e-5);
  expect(evaluated["sparse_categorical_accuracy"]).toBe(expected.evaluate["sparse_categorical_accuracy"]);
  mlm.dispose();
  return engine;
}
