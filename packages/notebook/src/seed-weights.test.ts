import { AlbertBackbone, initBackend, tf } from "@albert/core";
import { beforeAll, describe, expect, it } from "vitest";
import { seedWeights } from "./seed-weights.js";

const ARGS = {
  vocabularySize: 50,
  numLayers: 2,
  numHeads: 2,
  embeddingDim: 8,
  hiddenDim: 16,
  intermediateDim: 32,
  maxSequenceLength: 8,
};
const INPUTS = {
  tokenIds: [[2, 7, 9, 3]],
  segmentIds: [[0, 0, 0, 0]],
  paddingMask: [[1, 1, 1, 1]],
};

function pooled(model: AlbertBackbone): number[][] {
  const out = model.predict(INPUTS);
  const values = out.pooledOutput.arraySync();
  tf.dispose([out.sequenceOutput, out.pooledOutput]);
  return values;
}

function values(model: AlbertBackbone, path: string): Float32Array {
  const weight = model.getWeightMap().get(path);
  if (weight === undefined) throw new Error(`no weight ${path}`);
  return Float32Array.from(weight.data);
}

describe("seedWeights", () => {
  beforeAll(async () => {
    await initBackend("cpu");
  });

  it("gives two fresh models the same weights and outputs for one seed, others for another", () => {
    const [a, b, c] = [new AlbertBackbone(ARGS), new AlbertBackbone(ARGS), new AlbertBackbone(ARGS)];
    try {
      // Unseeded, two fresh models differ.
      expect(pooled(a)).not.toEqual(pooled(b));
      seedWeights(a, 42);
      seedWeights(b, 42);
      seedWeights(c, 43);
      const weightsA = a.getWeightMap();
      for (const [path, weight] of b.getWeightMap()) {
        expect([...weight.data], path).toEqual([...weightsA.get(path)!.data]);
      }
      expect(pooled(a)).toEqual(pooled(b));
      expect(pooled(a)).not.toEqual(pooled(c));
    } finally {
      [a, b, c].forEach((m) => m.dispose());
    }
  });

  it("draws kernels and embeddings as KerasHub's initializer does and leaves biases and LayerNorms alone", () => {
    const model = new AlbertBackbone(ARGS);
    try {
      seedWeights(model, 7);
      const kernel = values(model, "embedding_projection/kernel");
      const all = [...kernel, ...values(model, "token_embedding/embeddings")];
      const mean = all.reduce((s, v) => s + v, 0) / all.length;
      const std = Math.sqrt(all.reduce((s, v) => s + (v - mean) ** 2, 0) / all.length);
      // A normal with stddev 0.02 truncated at two standard deviations has stddev 0.0176.
      expect(Math.max(...all.map(Math.abs))).toBeLessThan(0.04);
      expect(std).toBeGreaterThan(0.015);
      expect(std).toBeLessThan(0.02);
      expect(new Set(kernel).size).toBe(kernel.length);
      expect([...values(model, "embedding_projection/bias")].every((v) => v === 0)).toBe(true);
      expect([...values(model, "embeddings_layer_norm/gamma")].every((v) => v === 1)).toBe(true);
      expect([...values(model, "embeddings_layer_norm/beta")].every((v) => v === 0)).toBe(true);
    } finally {
      model.dispose();
    }
  });

  it("creates no lasting tensors, and refuses a seed that is not a 32-bit integer", () => {
    const model = new AlbertBackbone(ARGS);
    try {
      const before = tf.memory().numTensors;
      seedWeights(model, 1);
      expect(tf.memory().numTensors).toBe(before);
      for (const bad of [-1, 1.5, 2 ** 32, Number.NaN]) {
        expect(() => seedWeights(model, bad)).toThrow(/seed must be an integer in \[0, 2\^32\)/);
      }
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      model.dispose();
    }
  });
});
