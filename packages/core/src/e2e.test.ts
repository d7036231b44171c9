/**
 * Text to embeddings, end to end: KerasHub's preprocessor and backbone ran these strings
 * through the testdata/tokenizer preset (`e2e_expected.json`); the tokenizer package and this
 * one must reproduce the ids exactly and the outputs within 1e-4.
 */
import { expect, it } from "vitest";
import { PARITY_TOLERANCE, maxAbsDiff, readJson, testdataPath } from "@albert/test-utils";
import { AlbertPreprocessor } from "@albert/tokenizer";
import { AlbertBackbone, tf } from "./index.js";

interface E2E {
  inputs: string[];
  token_ids: number[][];
  segment_ids: number[][];
  padding_mask: number[][];
  sequence_output: number[][][];
  pooled_output: number[][];
}

it("reproduces KerasHub from text to sequence and pooled outputs", async () => {
  const dir = testdataPath("tokenizer");
  const expected = readJson<E2E>(`${dir}/e2e_expected.json`);
  // lowercase: false is KerasHub's own behaviour (its tokenizer does not lowercase).
  const preprocessor = await AlbertPreprocessor.fromPreset(dir, { lowercase: false });
  const inputs = preprocessor.call(expected.inputs);
  expect(inputs.tokenIds).toEqual(expected.token_ids);
  expect(inputs.segmentIds).toEqual(expected.segment_ids);
  expect(inputs.paddingMask).toEqual(expected.padding_mask);
  const model = await AlbertBackbone.fromPreset(dir);
  const out = model.predict(inputs);
  expect(maxAbsDiff(out.sequenceOutput.dataSync(), expected.sequence_output)).toBeLessThanOrEqual(PARITY_TOLERANCE);
  expect(maxAbsDiff(out.pooledOutput.dataSync(), expected.pooled_output)).toBeLessThanOrEqual(PARITY_TOLERANCE);
  tf.dispose([out.sequenceOutput, out.pooledOutput]);
  model.dispose();
});
