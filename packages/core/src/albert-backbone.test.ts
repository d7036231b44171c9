import { describe, expect, it } from "vitest";
import { PARITY_TOLERANCE, maxAbsDiff, readJson, testdataPath } from "@albert/test-utils";
import { backboneWeightSpecs, listPresets } from "@albert/presets";
import { AlbertBackbone, tf, type AlbertInputs } from "./index.js";
import { expectNoLeaks, kerasFixture } from "./test-utils/index.js";

const TINY_ARGS = {
  vocabularySize: 97, numLayers: 2, numHeads: 2, embeddingDim: 8,
  hiddenDim: 16, intermediateDim: 32, maxSequenceLength: 16,
};

describe("AlbertBackbone", () => {
  it("runs KerasHub's docstring example with its shapes and parameter count", async () => {
    await expectNoLeaks(() => {
      const model = new AlbertBackbone({
        vocabularySize: 30000, numLayers: 12, numHeads: 12, numGroups: 1,
        numInnerRepetitions: 1, embeddingDim: 128, hiddenDim: 768,
        intermediateDim: 3072, maxSequenceLength: 12,
      });
      const out = model.predict({
        tokenIds: [[1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]],
        segmentIds: [[0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0]],
        paddingMask: [[1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0]],
      });
      expect(out.sequenceOutput.shape).toEqual([1, 12, 768]);
      expect(out.pooledOutput.shape).toEqual([1, 768]);
      expect(model.countParams()).toBe(11619584);
      expect(out.sequenceOutput.dataSync().every(Number.isFinite)).toBe(true);
      tf.dispose([out.sequenceOutput, out.pooledOutput]);
      model.dispose();
    });
  });

  it.each(listPresets().map((p) => [p.name, p.params] as const))(
    "builds %s from the bundled registry without weights, with %i parameters",
    async (name, params) => {
      const documented = readJson<Record<string, { params: number }>>(testdataPath("presets.json"));
      expect(params).toBe(documented[name]!.params);
      await expectNoLeaks(async () => {
        const model = await AlbertBackbone.fromPreset(name, { loadWeights: false });
        expect(model.countParams()).toBe(params);
        expect(model.getConfig()).toEqual(
          (documented[name] as unknown as { config: object }).config,
        );
        model.dispose();
      });
    },
    60_000,
  );

  it("names its variables as KerasHub does, with KerasHub's shapes", () => {
    const fixture = kerasFixture("grouped");
    const config = readJson<{ config: Parameters<typeof backboneWeightSpecs>[0] }>(`${fixture.dir}/config.json`).config;
    const model = AlbertBackbone.fromConfig(config);
    expect(model.weights.map((w) => [w.path, w.shape])).toEqual(
      backboneWeightSpecs(config).map((s) => [s.name, s.shape]),
    );
    expect(model.weights.map((w) => w.path)).toContain("group_2_inner_layer_1/self_attention_layer/query/kernel");
    model.dispose();
  });

  it("applies groups in KerasHub's order: each group numLayers/numGroups times, inner layers in turn", () => {
    const model = new AlbertBackbone({ ...TINY_ARGS, numLayers: 6, numGroups: 3, numInnerRepetitions: 2 });
    expect(model.layerSchedule().map((l) => l.name)).toEqual([
      "group_0_inner_layer_0", "group_0_inner_layer_1", "group_0_inner_layer_0", "group_0_inner_layer_1",
      "group_1_inner_layer_0", "group_1_inner_layer_1", "group_1_inner_layer_0", "group_1_inner_layer_1",
      "group_2_inner_layer_0", "group_2_inner_layer_1", "group_2_inner_layer_0", "group_2_inner_layer_1",
    ]);
    model.dispose();
  });

  describe("config", () => {
    it("getConfig equals the config.json KerasHub wrote, and round-trips through fromConfig", async () => {
      for (const name of ["tiny", "grouped", "wide"]) {
        const file = readJson<{ config: object }>(testdataPath("keras", name, "config.json"));
        const fromFile = AlbertBackbone.fromConfig(file);
        expect(fromFile.getConfig()).toEqual(file.config);
        const again = AlbertBackbone.fromConfig(fromFile.getConfig());
        expect(again.getConfig()).toEqual(file.config);
        const camel = AlbertBackbone.fromConfig({ ...TINY_ARGS, numSegments: 3 });
        expect(camel.getConfig()).toMatchObject({ vocabulary_size: 97, num_segments: 3 });
        [fromFile, again, camel].forEach((m) => m.dispose());
      }
    });

    it("keeps KerasHub's key order and adds non-KerasHub options only when they differ", () => {
      const keras = new AlbertBackbone(TINY_ARGS);
      expect(Object.keys(keras.getConfig())).toEqual([
        "name", "trainable", "dtype", "vocabulary_size", "num_layers", "num_heads", "num_groups",
        "num_inner_repetitions", "embedding_dim", "hidden_dim", "intermediate_dim", "dropout",
        "max_sequence_length", "num_segments",
      ]);
      const other = new AlbertBackbone({ ...TINY_ARGS, activation: "gelu", layerNormEpsilon: 1e-5 });
      expect(other.getConfig()).toMatchObject({ activation: "gelu", layer_norm_epsilon: 1e-5 });
      expect(AlbertBackbone.fromConfig(other.getConfig()).getConfig()).toEqual(other.getConfig());
      keras.dispose();
      other.dispose();
    });
  });

  describe("outputs", () => {
    const fixture = kerasFixture("grouped");

    it("returns attention probabilities and hidden states on request, final outputs unchanged", async () => {
      const model = await AlbertBackbone.fromPreset(fixture.dir);
      await expectNoLeaks(() => {
        const out = model.predict(fixture.inputs, { returnAttentionScores: true, returnHiddenStates: true });
        const applications = model.numLayers * model.numInnerRepetitions;
        const [batch, seq] = [3, 13];
        expect(out.attentionScores).toHaveLength(applications);
        expect(out.hiddenStates).toHaveLength(applications + 1);
        for (const scores of out.attentionScores!) expect(scores.shape).toEqual([batch, model.numHeads, seq, seq]);
        for (const h of out.hiddenStates!) expect(h.shape).toEqual([batch, seq, model.hiddenDim]);
        expect(maxAbsDiff(out.sequenceOutput.dataSync(), fixture.expected.sequence_output)).toBeLessThanOrEqual(PARITY_TOLERANCE);
        expect(maxAbsDiff(out.pooledOutput.dataSync(), fixture.expected.pooled_output)).toBeLessThanOrEqual(PARITY_TOLERANCE);
        expect(maxAbsDiff(out.hiddenStates!.at(-1)!.dataSync(), out.sequenceOutput.dataSync())).toBe(0);
        // Rows are distributions over the real keys only: padded keys get probability 0.
        const probs = out.attentionScores![0]!.arraySync();
        const mask = (fixture.inputs.paddingMask as number[][]);
        for (let b = 0; b < batch; b++) {
          const row = probs[b]![0]![seq - 1]!;
          expect(row.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 5);
          row.forEach((p, k) => { if (mask[b]![k] === 0) expect(p).toBe(0); });
        }
        tf.dispose([out.sequenceOutput, out.pooledOutput, ...out.attentionScores!, ...out.hiddenStates!]);
      });
      model.dispose();
    });

    it("gives the same rows for a shorter sequence when the rest is padding", async () => {
      // Padded keys are excluded, so a row's real positions do not depend on how much padding follows.
      const model = await AlbertBackbone.fromPreset(fixture.dir);
      const short = (rows: number[][]) => rows.map((r) => r.slice(0, 7));
      const full = model.predict(fixture.inputs);
      const cut = model.predict({
        tokenIds: short(fixture.inputs.tokenIds as number[][]),
        segmentIds: short(fixture.inputs.segmentIds as number[][]),
        paddingMask: short(fixture.inputs.paddingMask as number[][]),
      });
      // Row 2 has 6 real tokens: its first 6 outputs must agree.
      const a = tf.slice(full.sequenceOutput, [2, 0, 0], [1, 6, -1]);
      const b = tf.slice(cut.sequenceOutput, [2, 0, 0], [1, 6, -1]);
      expect(maxAbsDiff(a.dataSync(), b.dataSync())).toBeLessThanOrEqual(1e-5);
      tf.dispose([a, b, full.sequenceOutput, full.pooledOutput, cut.sequenceOutput, cut.pooledOutput]);
      model.dispose();
    });

    it("gives uniform attention over all keys for a row without real tokens, like KerasHub", () => {
      const model = new AlbertBackbone(TINY_ARGS);
      const out = model.predict(
        { tokenIds: [[5, 6, 7]], segmentIds: [[0, 0, 0]], paddingMask: [[0, 0, 0]] },
        { returnAttentionScores: true },
      );
      const probs = out.attentionScores![0]!.dataSync();
      for (const p of probs) expect(p).toBeCloseTo(1 / 3, 6);
      tf.dispose([out.sequenceOutput, out.pooledOutput, ...out.attentionScores!]);
      model.dispose();
    });

    it("accepts tensors as inputs, int32 or float32, and a boolean mask", async () => {
      const model = await AlbertBackbone.fromPreset(fixture.dir);
      const inputs: AlbertInputs = {
        tokenIds: tf.tensor2d(fixture.inputs.tokenIds as number[][], undefined, "int32"),
        segmentIds: tf.tensor2d(fixture.inputs.segmentIds as number[][], undefined, "float32"),
        paddingMask: tf.tensor2d(fixture.inputs.paddingMask as number[][], undefined, "bool"),
      };
      await expectNoLeaks(() => {
        const out = model.predict(inputs);
        expect(maxAbsDiff(out.sequenceOutput.dataSync(), fixture.expected.sequence_output)).toBeLessThanOrEqual(PARITY_TOLERANCE);
        tf.dispose([out.sequenceOutput, out.pooledOutput]);
      });
      tf.dispose(Object.values(inputs) as tf.Tensor[]);
      model.dispose();
    });
  });

  describe("training", () => {
    it("applies dropout only when training", async () => {
      const fixture = kerasFixture("tiny");
      const model = AlbertBackbone.fromConfig({ ...TINY_ARGS, dropout: 0.3 });
      const predicted = model.predict(fixture.inputs);
      const inference = model.call(fixture.inputs);
      const trained = model.call(fixture.inputs, { training: true });
      expect(maxAbsDiff(predicted.sequenceOutput.dataSync(), inference.sequenceOutput.dataSync())).toBe(0);
      expect(maxAbsDiff(predicted.sequenceOutput.dataSync(), trained.sequenceOutput.dataSync())).toBeGreaterThan(1e-3);
      tf.dispose([predicted, inference, trained].flatMap((o) => [o.sequenceOutput, o.pooledOutput]));
      model.dispose();
    });

    it("is differentiable with respect to its variables", () => {
      const fixture = kerasFixture("tiny");
      const model = new AlbertBackbone(TINY_ARGS);
      const { value, grads } = tf.variableGrads(() => tf.sum(model.call(fixture.inputs, { training: true }).pooledOutput));
      expect(Object.keys(grads).length).toBe(model.weights.length);
      tf.dispose([value, ...Object.values(grads)]);
      model.dispose();
    });
  });

  describe("tokenEmbedding", () => {
    it("embeds ids and projects back to vocabulary logits with the transposed table", async () => {
      const model = await AlbertBackbone.fromPreset(kerasFixture("tiny").dir);
      await expectNoLeaks(() => {
        const ids = tf.tensor2d([[2, 69, 6]], undefined, "int32");
        const vectors = model.tokenEmbedding.call(ids);
        expect(vectors.shape).toEqual([1, 3, 8]);
        const logits = model.tokenEmbedding.reverse(vectors);
        expect(logits.shape).toEqual([1, 3, 97]);
        const table = model.tokenEmbedding.embeddings.arraySync() as number[][];
        const row = (vectors.arraySync() as number[][][])[0]![1]!;
        const expected = table.map((t) => t.reduce((s, v, j) => s + v * row[j]!, 0));
        expect(maxAbsDiff((logits.arraySync() as number[][][])[0]![1]!, expected)).toBeLessThan(1e-5);
        tf.dispose([ids, vectors, logits]);
      });
      model.dispose();
    });
  });

  it("reads and writes its weights as a KerasHub-named weight map", async () => {
    const source = await AlbertBackbone.fromPreset(kerasFixture("tiny").dir);
    const copy = new AlbertBackbone(TINY_ARGS);
    copy.setWeightMap(source.getWeightMap());
    const inputs = kerasFixture("tiny").inputs;
    const [a, b] = [source.predict(inputs), copy.predict(inputs)];
    expect(maxAbsDiff(a.sequenceOutput.dataSync(), b.sequenceOutput.dataSync())).toBe(0);
    tf.dispose([a.sequenceOutput, a.pooledOutput, b.sequenceOutput, b.pooledOutput]);
    source.dispose();
    copy.dispose();
  });

  it("frees every variable on dispose", () => {
    const before = tf.memory().numTensors;
    const model = new AlbertBackbone(TINY_ARGS);
    // The variables, plus the fused copies derived from them for speed.
    expect(tf.memory().numTensors).toBeGreaterThanOrEqual(before + model.weights.length);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => model.predict(kerasFixture("tiny").inputs)).toThrow(/disposed/);
  });
});

describe("graph inference on native TensorFlow", () => {
  it("rebuilds its graph when the weights change, and never serves stale weights", async () => {
    const fixture = kerasFixture("tiny");
    const model = await AlbertBackbone.fromPreset(fixture.dir);
    const first = model.predict(fixture.inputs);
    expect(model.inferenceEngine).toMatch(/^graph/);
    const weights = model.getWeightMap();
    const bias = weights.get("pooled_dense/bias")!;
    bias.data[0]! += 1;
    model.setWeightMap(weights);
    const second = model.predict(fixture.inputs);
    const eager = model.predict(fixture.inputs, { returnHiddenStates: true });
    expect(maxAbsDiff(first.pooledOutput.dataSync(), second.pooledOutput.dataSync())).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(second.pooledOutput.dataSync(), eager.pooledOutput.dataSync())).toBeLessThan(1e-5);
    tf.dispose([first, second].flatMap((o) => [o.sequenceOutput, o.pooledOutput]));
    tf.dispose([eager.sequenceOutput, eager.pooledOutput, ...eager.hiddenStates!]);
    model.dispose();
  });
});
