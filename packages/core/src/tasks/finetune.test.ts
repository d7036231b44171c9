/**
 * Fine-tuning parity with Keras `fit`: each run of testdata/tasks/keras/finetune starts from
 * the KerasHub classifier fixture (dropout 0, no preprocessor), trains 2 epochs of 3 batches of
 * 4 with a given optimizer, and must reproduce Keras step for step: every batch loss (1e-5), the
 * logs Keras passes to callbacks, every trained variable (1e-5; attention key biases, whose
 * exact gradient is 0, 1e-4), the optimizer's state, held-out logits (1e-4) and `evaluate`.
 * Both ways `fit` trains on native TensorFlow: the train graph and the tape.
 */
import { describe, expect, it } from "vitest";
import { checkFinetuneRun } from "./test-utils/finetune-check.js";
import { FINETUNE_RUNS, TRAINING_ENGINES, onTrainingEngine } from "./test-utils/task-fixtures.js";

describe.each(TRAINING_ENGINES)("fine-tuning reproduces Keras fit (testdata/tasks/keras/finetune) on the $engine", ({ flag, reports }) => {
  it.each(FINETUNE_RUNS)("%s: batch losses, logs, trained weights, optimizer state, held-out logits and evaluate", async (run) => {
    expect(await onTrainingEngine(flag, () => checkFinetuneRun(run))).toMatch(reports);
  });
});
