// On wasm, inference attention runs head by head (attention-by-head.ts). These check that it
// computes what the batched form computes (the same model on the cpu backend, which keeps the
// batched form), padding and attention scores included, and that it really ran: no batched
// product reaches the wasm backend's scalar loop.
import { describe, expect, it } from "vitest";
import { maxAbsDiff } from "@albert/test-utils";
import { AlbertBackbone, initBackend, tf } from "../index.js";
import { expectNoLeaks } from "../test-utils/index.js";

const config = {
  vocabularySize: 50, numLayers: 2, numHeads: 4, numGroups: 1, numInnerRepetitions: 1,
  embeddingDim: 8, hiddenDim: 16, intermediateDim: 32, maxSequenceLength: 8,
};
const inputs = {
  tokenIds: [[2, 7, 9, 11, 3, 0, 0, 0], [2, 5, 6, 8, 13, 21, 34, 3]],
  segmentIds: [[0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 1, 1, 1, 1, 1]],
  paddingMask: [[1, 1, 1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1, 1]],
};

/** Every output of `predict` with the attention scores, read back. */
async function outputs(model: AlbertBackbone): Promise<Record<string, Float32Array>> {
  const out = model.predict(inputs, { returnAttentionScores: true });
  const read = {
    sequence: out.sequenceOutput.dataSync() as Float32Array,
    pooled: out.pooledOutput.dataSync() as Float32Array,
    scores: tf.tidy(() => tf.concat(out.attentionScores.map((s) => tf.reshape(s, [-1]))).dataSync() as Float32Array),
  };
  tf.dispose([out.sequenceOutput, out.pooledOutput, ...out.attentionScores]);
  return read;
}

describe("attention head by head on wasm", () => {
  it("equals the batched form (cpu backend), padded rows and scores included, without leaks", async () => {
    await initBackend("cpu");
    const reference = new AlbertBackbone(config);
    const expected = await outputs(reference);
    const weights = reference.getWeightMap();
    reference.dispose();

    await initBackend("wasm");
    await expectNoLeaks(async () => {
      const model = new AlbertBackbone(config);
      model.setWeightMap(weights);
      const actual = await outputs(model);
      for (const key of ["sequence", "pooled", "scores"]) {
        expect(maxAbsDiff(actual[key]!, expected[key]!), key).toBeLessThanOrEqual(1e-5);
      }
      const profile = await tf.profile(() => tf.dispose(Object.values(model.predict(inputs))));
      const batched = profile.kernels.filter((k) => k.name === "BatchMatMul" && k.inputShapes.some((s) => s.length > 2 && s[0]! > 1));
      expect(batched, "batched products on wasm").toEqual([]);
      expect(profile.kernels.filter((k) => k.name === "Softmax").length).toBe(config.numLayers * config.numHeads * 2);
      model.dispose();
    });
  });
});
