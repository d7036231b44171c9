/**
 * AlbertMaskedLM against KerasHub's masked-LM fixture (testdata/tasks/keras/masked_lm): logits
 * at the mask positions (1e-4) from packed inputs and from the fixture's texts, every position
 * without `maskPositions`, the preset both ways, training on the preprocessor's output with
 * Keras' sample-weight reduction, and typed errors.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PARITY_TOLERANCE, maxAbsDiff } from "@albert/test-utils";
import { AlbertMaskedLMPreprocessor, AlbertTextClassifierPreprocessor } from "@albert/tokenizer";
import { AlbertInputError, AlbertMaskedLM, tf } from "../index.js";
import { caught, expectNoLeaks } from "../test-utils/index.js";
import { ENGINES, MASKED_LM_DIR, expectWithin, fixtureJson, onEngine, packed, weightsLayout } from "./test-utils/task-fixtures.js";

const raw = fixtureJson<{
  token_ids: number[][];
  segment_ids: number[][];
  padding_mask: number[][];
  mask_positions: number[][];
  texts: string[];
  original_token_ids_at_mask_positions: number[][];
}>(MASKED_LM_DIR, "inputs.json");
const expected = fixtureJson<{ logits: number[][][]; sequence_output: number[][][] }>(MASKED_LM_DIR, "expected.json");
const inputs = packed(raw);
const MASK = 4;

describe("AlbertMaskedLM: KerasHub parity", () => {
  it.each(ENGINES)("keras/masked_lm logits at the mask positions within 1e-4 ($engine)", async ({ graph }) => {
    await onEngine(graph, async () => {
      const mlm = await AlbertMaskedLM.fromPreset(MASKED_LM_DIR);
      expect(mlm.preprocessor).toBeInstanceOf(AlbertMaskedLMPreprocessor);
      expect(mlm.maskedLMHead.layerNormEpsilon).toBe(1e-5);
      const logits = mlm.predict(inputs);
      expect(logits.shape).toEqual([2, 3, 1000]);
      expectWithin(logits, expected.logits, `keras/masked_lm logits (${mlm.backbone.inferenceEngine})`);
      const { sequenceOutput, pooledOutput } = mlm.backbone.predict(inputs);
      expectWithin(sequenceOutput, expected.sequence_output, "keras/masked_lm sequence output");
      pooledOutput.dispose();
      mlm.dispose();
    });
  });

  it("end to end from the fixture's texts: packed by the preset's tokenizer, [MASK] placed, same logits", async () => {
    const mlm = await AlbertMaskedLM.fromPreset(MASKED_LM_DIR);
    const packer = new AlbertTextClassifierPreprocessor({ tokenizer: mlm.preprocessor!.tokenizer, sequenceLength: 20 });
    const text = packer.call(raw.texts);
    // The fixture put [MASK] at some positions of the packed texts; elsewhere the ids are the text's.
    const tokenIds = text.tokenIds.map((row, b) => row.map((id, s) => (raw.token_ids[b]![s] === MASK ? MASK : id)));
    expect(tokenIds).toEqual(raw.token_ids);
    raw.mask_positions.forEach((row, b) =>
      row.forEach((p, i) => expect(text.tokenIds[b]![p]).toBe(raw.original_token_ids_at_mask_positions[b]![i])),
    );
    const logits = mlm.predict({ ...text, tokenIds, maskPositions: raw.mask_positions });
    expect(maxAbsDiff(logits.dataSync(), expected.logits)).toBeLessThanOrEqual(PARITY_TOLERANCE);
    logits.dispose();
    mlm.dispose();
  });

  it("without maskPositions it predicts every position ([B, S, V], as HF's AlbertForMaskedLM)", async () => {
    await expectNoLeaks(async () => {
      const mlm = await AlbertMaskedLM.fromPreset(MASKED_LM_DIR, { preprocessor: null });
      const all = mlm.predict({ tokenIds: raw.token_ids, segmentIds: raw.segment_ids, paddingMask: raw.padding_mask }, { batchSize: 1 });
      expect(all.shape).toEqual([2, 20, 1000]);
      const rows = all.arraySync();
      const gathered = raw.mask_positions.map((row, b) => row.map((p) => rows[b]![p]!));
      expect(maxAbsDiff(gathered as number[][][], expected.logits)).toBeLessThanOrEqual(PARITY_TOLERANCE);
      all.dispose();
      mlm.dispose();
    });
  });
});

describe("AlbertMaskedLM presets", () => {
  it("saveToPreset writes KerasHub's layout (task.json byte for byte) and reads back the same logits", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "albert-mlm-"));
    await expectNoLeaks(async () => {
      const mlm = await AlbertMaskedLM.fromPreset(MASKED_LM_DIR);
      await mlm.saveToPreset(dir);
      mlm.dispose();
    });
    for (const file of ["task.json", "config.json", "preprocessor.json"]) {
      expect(readFileSync(path.join(dir, file), "utf8"), file).toBe(readFileSync(path.join(MASKED_LM_DIR, file), "utf8"));
    }
    expect(await weightsLayout(path.join(dir, "task.weights.h5"))).toBe(readFileSync(path.join(MASKED_LM_DIR, "weights-layout.txt"), "utf8").trim());
    const back = await AlbertMaskedLM.fromPreset(dir);
    const logits = back.predict(inputs);
    expect(maxAbsDiff(logits.dataSync(), expected.logits)).toBeLessThanOrEqual(PARITY_TOLERANCE);
    logits.dispose();
    back.dispose();
  });

  it("head settings beyond KerasHub (HF's layer_norm_eps, hidden_act) are kept beside the task", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "albert-mlm-"));
    const mlm = await AlbertMaskedLM.fromPreset(MASKED_LM_DIR, { layerNormEpsilon: 1e-12, intermediateActivation: "gelu" });
    await mlm.saveToPreset(dir);
    mlm.dispose();
    expect(readFileSync(path.join(dir, "task.json"), "utf8")).toBe(readFileSync(path.join(MASKED_LM_DIR, "task.json"), "utf8"));
    const back = await AlbertMaskedLM.fromPreset(dir);
    expect([back.maskedLMHead.layerNormEpsilon, back.maskedLMHead.intermediateActivation]).toEqual([1e-12, "gelu"]);
    back.dispose();
  });
});

describe("AlbertMaskedLM training", () => {
  it("fits on the preprocessor's (x, y, sampleWeight); the loss is Keras' sum over batch size", async () => {
    const mlm = await AlbertMaskedLM.fromPreset(MASKED_LM_DIR);
    const batch = mlm.preprocessor!.call(raw.texts.concat(raw.texts));
    // Keras' sum_over_batch_size: the weighted sum divided by every mask slot, padded ones included.
    const logits = mlm.predict(batch.x);
    const logp = tf.logSoftmax(logits);
    const picked = logp.arraySync() as number[][][];
    let sum = 0;
    batch.y.forEach((row, b) => row.forEach((id, p) => (sum -= batch.sampleWeight[b]![p]! * picked[b]![p]![id]!)));
    const manual = sum / (batch.y.length * batch.y[0]!.length);
    tf.dispose([logits, logp]);
    const evaluated = await expectNoLeaks(() => mlm.evaluate(batch));
    expect(Math.abs(evaluated["loss"]! - manual)).toBeLessThan(1e-5);
    expect(Object.keys(evaluated)).toEqual(["loss", "sparse_categorical_accuracy"]);

    const before = tf.memory().numTensors;
    const history = await mlm.fit(batch.x, batch.y, { sampleWeight: batch.sampleWeight, batchSize: 2, epochs: 3 });
    expect(history.history["loss"]!.length).toBe(3);
    // pooled_dense gets no gradient in a masked LM: Keras skips it, so it has no optimizer slots.
    expect(tf.memory().numTensors - before).toBe(2 * mlm.trainableWeights.length);
    expect(mlm.optimizer.variables().length).toBe(2 + 2 * mlm.trainableWeights.length);
    mlm.dispose();
  });

  it("fits on raw text through the attached preprocessor, masking anew per batch", async () => {
    const mlm = await AlbertMaskedLM.fromPreset(MASKED_LM_DIR);
    const history = await mlm.fit(raw.texts, undefined, { batchSize: 1, epochs: 2 });
    expect(history.epoch).toEqual([0, 1]);
    expect(Number.isFinite(history.history["loss"]![1])).toBe(true);
    mlm.dispose();
  });

  it("bad mask positions and labels are typed errors naming the argument", async () => {
    const mlm = await AlbertMaskedLM.fromPreset(MASKED_LM_DIR, { preprocessor: null });
    const y = raw.original_token_ids_at_mask_positions;
    await expectNoLeaks(async () => {
      const cases: [() => unknown, string, string][] = [
        [() => mlm.predict({ ...inputs, maskPositions: [[2, 5, 20], [3, 0, 15]] }), "maskPositions", "out_of_range"],
        [() => mlm.predict({ ...inputs, maskPositions: [[2, 5, -1], [3, 0, 15]] }), "maskPositions", "out_of_range"],
        [() => mlm.predict({ ...inputs, maskPositions: [[2, 5, 7]] }), "maskPositions", "shape_mismatch"],
        [() => mlm.fit(inputs, [[1, 2], [3, 4]]), "y", "shape_mismatch"],
        [() => mlm.fit(inputs, [[1, 2, 1000], [3, 4, 5]]), "y", "out_of_range"],
        [() => mlm.fit({ ...inputs, maskPositions: undefined }, y), "maskPositions", "missing_input"],
        [() => mlm.fit(inputs, y, { sampleWeight: [[1, 1], [1, 1]] }), "sampleWeight", "shape_mismatch"],
        [() => mlm.fit(raw.texts), "x", "invalid_type"],
        [() => mlm.predict(raw.texts as never), "x", "invalid_type"],
      ];
      for (const [call, argument, code] of cases) {
        const error = await caught(call, AlbertInputError);
        expect([error.argument, error.code], error.message).toEqual([argument, code]);
      }
    });
    mlm.dispose();
  });
});
