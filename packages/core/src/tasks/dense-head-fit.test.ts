/**
 * `fit` on the heads KerasHub lacks (loaded from the transformers fixtures, dropout off): the
 * loss `fit` reports for one batch is the cross-entropy of the model's own predictions before
 * the step, with Keras' `sum_over_batch_size` reduction (token labels of -100 weigh 0 but still
 * count in the divisor, as padded mask slots do in KerasHub's masked LM); a step moves the head;
 * bad labels are typed errors.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readJson, testdataPath } from "@albert/test-utils";
import { AlbertInputError, AlbertMultipleChoice, AlbertQuestionAnswerer, AlbertTokenClassifier, tf } from "../index.js";
import { caught, expectNoLeaks } from "../test-utils/index.js";

const hfDir = (head: string) => testdataPath("tasks", "hf", head);

function inputs(head: string) {
  const raw = readJson<{ input_ids: number[][]; token_type_ids: number[][]; attention_mask: number[][] }>(path.join(hfDir(head), "inputs.json"));
  return { tokenIds: raw.input_ids, segmentIds: raw.token_type_ids, paddingMask: raw.attention_mask };
}

/** -log softmax(row)[label] in float64. */
function crossEntropy(row: ArrayLike<number>, label: number): number {
  const values = Array.from(row);
  const max = Math.max(...values);
  const log = Math.log(values.reduce((s, v) => s + Math.exp(v - max), 0)) + max;
  return log - values[label]!;
}

describe("fit on the dense heads: the first batch's loss is the predictions' cross-entropy", () => {
  it("token classification: per-token labels, -100 ignored", async () => {
    await expectNoLeaks(async () => {
      const ner = await AlbertTokenClassifier.fromPreset(hfDir("token_classification"), { dropout: 0 });
      const x = inputs("token_classification");
      const logits = ner.predict(x);
      const [B, S, L] = logits.shape;
      const values = logits.dataSync();
      logits.dispose();
      const y = x.paddingMask.map((row, b) => row.map((m, s) => (m === 0 || s === 0 ? -100 : (b + s) % L)));
      let sum = 0;
      y.forEach((row, b) => row.forEach((label, s) => {
        if (label !== -100) sum += crossEntropy(values.subarray((b * S + s) * L, (b * S + s + 1) * L), label);
      }));
      const kernel = ner.outputDense.kernel.dataSync().slice();
      const history = await ner.fit(x, y, { batchSize: B, epochs: 1, shuffle: false });
      expect(Math.abs(history.history["loss"]![0]! - sum / (B * S))).toBeLessThanOrEqual(1e-5);
      expect(ner.outputDense.kernel.dataSync()).not.toEqual(kernel);
      const bad = await caught(() => ner.fit(x, y.map((row) => row.map(() => 7))), AlbertInputError);
      expect(bad.message).toMatch(/y\[0\]\[0\] = 7 is out of range: allowed class indexes \(numClasses 5\), or -100/);
      const named = await caught(() => ner.fit(x, y.map((row) => row.map(() => "B-XYZ"))), AlbertInputError);
      expect(named.message).toMatch(/"B-XYZ" is not a label of this task; allowed: O, B-PER, I-PER, B-LOC, I-LOC/);
      ner.dispose();
    });
  });

  it("question answering: the mean of the start and end cross-entropies", async () => {
    await expectNoLeaks(async () => {
      const qa = await AlbertQuestionAnswerer.fromPreset(hfDir("question_answering"), { dropout: 0 });
      const x = inputs("question_answering");
      const { startLogits, endLogits } = qa.predict(x);
      const S = startLogits.shape[1];
      const [starts, ends] = [startLogits.dataSync(), endLogits.dataSync()];
      tf.dispose([startLogits, endLogits]);
      const y = [[12, 14], [10, 11]];
      const expected = y.reduce((s, [a, e], b) => s + crossEntropy(starts.subarray(b * S, (b + 1) * S), a!) + crossEntropy(ends.subarray(b * S, (b + 1) * S), e!), 0) / 4;
      const history = await qa.fit(x, y, { batchSize: 2, epochs: 1, shuffle: false });
      expect(Math.abs(history.history["loss"]![0]! - expected)).toBeLessThanOrEqual(1e-5);
      const bad = await caught(() => qa.fit(x, [[1, 2, 3], [1, 2, 3]]), AlbertInputError);
      expect(bad.message).toMatch(/y has shape \[2,3\] but needs \[2, 2\]/);
      qa.dispose();
    });
  });

  it("multiple choice: cross-entropy over each example's choices, accuracy", async () => {
    await expectNoLeaks(async () => {
      const mc = await AlbertMultipleChoice.fromPreset(hfDir("multiple_choice"), { dropout: 0 });
      const raw = readJson<{ input_ids: number[][][]; token_type_ids: number[][][]; attention_mask: number[][][] }>(path.join(hfDir("multiple_choice"), "inputs.json"));
      const x = { tokenIds: raw.input_ids, segmentIds: raw.token_type_ids, paddingMask: raw.attention_mask };
      const logits = mc.predict(x);
      const values = logits.dataSync();
      logits.dispose();
      const y = [2, 0];
      const expected = (crossEntropy(values.subarray(0, 3), 2) + crossEntropy(values.subarray(3, 6), 0)) / 2;
      const history = await mc.fit(x, y, { batchSize: 2, epochs: 1, shuffle: false });
      expect(Math.abs(history.history["loss"]![0]! - expected)).toBeLessThanOrEqual(1e-5);
      expect(history.history).toHaveProperty("sparse_categorical_accuracy");
      const bad = await caught(() => mc.fit(x, [3, 0]), AlbertInputError);
      expect(bad.message).toMatch(/y\[0\] = 3 is out of range: allowed choice indexes \(3 choices\)/);
      mc.dispose();
    });
  });
});
