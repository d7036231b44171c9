/**
 * Masked-LM fine-tuning parity with Keras `fit` (testdata/tasks/keras/masked_lm_fit, made by
 * scripts/fixtures/make_masked_lm_fit.py): KerasHub's own masked batch with sample weights, Adam
 * (1e-3), 2 epochs of 2 batches. Checks Keras' weighted `sum_over_batch_size` loss, the tied
 * token embedding's dense update, `pooled_dense` left alone (no gradient), the logs, every
 * trained variable and the optimizer's variable order, on the train graph and on the tape.
 */
import { describe, expect, it } from "vitest";
import { checkMaskedLMFit } from "./test-utils/masked-lm-fit-check.js";
import { TRAINING_ENGINES, onTrainingEngine } from "./test-utils/task-fixtures.js";

describe.each(TRAINING_ENGINES)("masked-LM fine-tuning reproduces Keras fit (testdata/tasks/keras/masked_lm_fit) on the $engine", ({ flag, reports }) => {
  it("batch losses, logs, trained weights, optimizer variables and evaluate", async () => {
    expect(await onTrainingEngine(flag, checkMaskedLMFit)).toMatch(reports);
  });
});
