import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AlbertBackbone, poolOutputs, tf } from "@albert/core";
import { AlbertPreprocessor } from "@albert/tokenizer";
import { maxAbsDiff } from "@albert/test-utils";
import { TINY_PRESET, sentences } from "../test-utils/corpus.js";
import { EmbeddingModel } from "./embedding-model.js";

let model: EmbeddingModel;
let backbone: AlbertBackbone;
let preprocessor: AlbertPreprocessor;

beforeAll(async () => {
  model = await EmbeddingModel.fromPreset(TINY_PRESET);
  backbone = await AlbertBackbone.fromPreset(TINY_PRESET);
  preprocessor = await AlbertPreprocessor.fromPreset(TINY_PRESET, { padding: "longest" });
});
afterAll(() => {
  model.dispose();
  backbone.dispose();
});

describe("EmbeddingModel", () => {
  it("gives what the preprocessor (padding longest), the backbone and poolOutputs give", () => {
    const texts = ["the quick brown fox", "a lite bert for language", "hello", "x ".repeat(40)];
    const ours = model.embed(texts.map((t) => model.tokenize(t).ids));
    const packed = preprocessor.call(texts);
    const outputs = backbone.predict(packed);
    const pooled = poolOutputs(outputs, packed.paddingMask);
    const unit = poolOutputs(outputs, packed.paddingMask, { normalize: true });
    expect(maxAbsDiff(ours.pooled.flatMap((v) => [...v]), pooled.dataSync())).toBe(0);
    expect(maxAbsDiff(ours.normalized.flatMap((v) => [...v]), unit.dataSync())).toBeLessThan(1e-6);
    tf.dispose([outputs.sequenceOutput, outputs.pooledOutput, pooled, unit]);
  });

  it("cuts long texts to the sequence length and says so", () => {
    const long = model.tokenize("x ".repeat(40));
    expect(model.sequenceLength).toBe(16);
    expect(long.ids).toHaveLength(14);
    expect(long.truncated).toBe(true);
    expect(long.fullLength).toBeGreaterThan(14);
    expect(model.tokenize("hello").truncated).toBe(false);
  });

  it("gives a text the same vector whatever it is batched with (up to float rounding)", () => {
    const texts = sentences(12, 3);
    const rows = texts.map((t) => model.tokenize(t).ids);
    const together = model.embed(rows).pooled;
    rows.forEach((row, i) => expect(maxAbsDiff(model.embed([row]).pooled[0]!, together[i]!)).toBeLessThan(1e-5));
  });

  it("leaves no tensor behind, also when a call fails", () => {
    const before = tf.memory().numTensors;
    model.embed([model.tokenize("the quick brown fox").ids]);
    expect(() => model.embed([[...Array(20).keys()]])).toThrow(/at most 14 fit/);
    expect(() => model.embed([[999999]])).toThrow();
    expect(tf.memory().numTensors).toBe(before);
  });
});
