/**
 * AlbertTextClassifier against KerasHub's classifier fixture (testdata/tasks/keras/classifier):
 * logits from packed inputs and end to end from strings and sentence pairs (1e-4), the preset
 * both ways (task.json byte for byte, task.weights.h5 in KerasHub's layout), KerasHub's
 * `from_preset` rules, `trainable`, and typed errors for bad input.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PARITY_TOLERANCE, maxAbsDiff, readJson, testdataPath } from "@albert/test-utils";
import { readKerasVarGroups, writeTaskPreset } from "@albert/presets";
import { AlbertTextClassifierPreprocessor } from "@albert/tokenizer";
import { Adam, AlbertBackbone, AlbertConfigError, AlbertInputError, AlbertTextClassifier, tf } from "../index.js";
import { caught, expectNoLeaks } from "../test-utils/index.js";
import {
  CLASSIFIER_DIR,
  ENGINES,
  FINETUNE_DIR,
  expectWithin,
  fixtureJson,
  onEngine,
  packed,
  weightsLayout,
  type FinetuneSplit,
} from "./test-utils/task-fixtures.js";

interface E2E {
  single: { inputs: string[]; token_ids: number[][]; logits: number[][] };
  pairs: { first: string[]; second: string[]; token_ids: number[][]; segment_ids: number[][]; logits: number[][] };
}

const expected = fixtureJson<{ logits: number[][]; pooled_output: number[][] }>(CLASSIFIER_DIR, "expected.json");
const e2e = fixtureJson<E2E>(CLASSIFIER_DIR, "e2e_expected.json");
const inputs = packed(fixtureJson(CLASSIFIER_DIR, "inputs.json"));
const train = fixtureJson<{ train: FinetuneSplit }>(FINETUNE_DIR, "data.json").train;

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), "albert-classifier-"));
}

describe("AlbertTextClassifier: KerasHub parity", () => {
  it.each(ENGINES)("keras/classifier logits from packed inputs within 1e-4 ($engine)", async ({ graph }) => {
    await onEngine(graph, async () => {
      const clf = await AlbertTextClassifier.fromPreset(CLASSIFIER_DIR);
      expect([clf.numClasses, clf.dropout, clf.activation]).toEqual([3, 0.1, "linear"]);
      expect(clf.preprocessor).toBeInstanceOf(AlbertTextClassifierPreprocessor);
      const logits = clf.predict(inputs);
      expect(logits.shape).toEqual([3, 3]);
      expectWithin(logits, expected.logits, `keras/classifier logits (${clf.backbone.inferenceEngine})`);
      const { sequenceOutput, pooledOutput } = clf.backbone.predict(inputs);
      expectWithin(pooledOutput, expected.pooled_output, "keras/classifier pooled output");
      sequenceOutput.dispose();
      clf.dispose();
    });
  });

  it("end to end from strings and from sentence pairs (both pair forms), in batches", async () => {
    await expectNoLeaks(async () => {
      const clf = await AlbertTextClassifier.fromPreset(CLASSIFIER_DIR);
      expect(clf.preprocessor!.call(e2e.single.inputs).tokenIds).toEqual(e2e.single.token_ids);
      const single = clf.predict(e2e.single.inputs, { batchSize: 4 });
      const pairs = clf.predict({ first: e2e.pairs.first, second: e2e.pairs.second }, { batchSize: 2 });
      const tuple = clf.predict([e2e.pairs.first, e2e.pairs.second]);
      const diffs = [
        maxAbsDiff(single.dataSync(), e2e.single.logits),
        maxAbsDiff(pairs.dataSync(), e2e.pairs.logits),
        maxAbsDiff(tuple.dataSync(), e2e.pairs.logits),
      ];
      console.log(`keras/classifier e2e: max |diff| single ${diffs[0]!.toExponential(2)}, pairs ${diffs[1]!.toExponential(2)}`);
      for (const d of diffs) expect(d).toBeLessThanOrEqual(PARITY_TOLERANCE);
      tf.dispose([single, pairs, tuple]);
      clf.dispose();
    });
  });
});

describe("AlbertTextClassifier presets", () => {
  it("saveToPreset writes KerasHub's task layout: task.json byte for byte, task.weights.h5 as KerasHub writes it", async () => {
    const dir = tempDir();
    await expectNoLeaks(async () => {
      const clf = await AlbertTextClassifier.fromPreset(CLASSIFIER_DIR);
      await clf.saveToPreset(dir);
      clf.dispose();
    });
    expect(readdirSync(dir).sort()).toEqual(
      ["assets", "config.json", "metadata.json", "model.weights.h5", "preprocessor.json", "task.json", "task.weights.h5", "tokenizer.json"].sort(),
    );
    for (const file of ["task.json", "config.json", "preprocessor.json"]) {
      expect(readFileSync(path.join(dir, file), "utf8"), file).toBe(readFileSync(path.join(CLASSIFIER_DIR, file), "utf8"));
    }
    expect(await weightsLayout(path.join(dir, "task.weights.h5"))).toBe(readFileSync(path.join(CLASSIFIER_DIR, "weights-layout.txt"), "utf8").trim());
    const optimizer = (await readKerasVarGroups(path.join(dir, "task.weights.h5"))).find((g) => g.group === "optimizer")!;
    expect(optimizer.vars[0]).toEqual({ shape: [], int64: 0n });
    expect((optimizer.vars[1] as { data: Float32Array }).data[0]).toBe(Math.fround(1e-5));

    const back = await AlbertTextClassifier.fromPreset(dir);
    const logits = back.predict(inputs);
    expect(maxAbsDiff(logits.dataSync(), expected.logits)).toBeLessThanOrEqual(PARITY_TOLERANCE);
    logits.dispose();
    back.dispose();
  });

  it("a trained task saves the optimizer's state in KerasHub's layout, and loads ignoring it", async () => {
    const dir = tempDir();
    const clf = await AlbertTextClassifier.fromPreset(CLASSIFIER_DIR, { dropout: 0, preprocessor: null });
    await clf.fit(packed(train), train.labels, { batchSize: 4, epochs: 2, shuffle: false });
    await clf.saveToPreset(dir);
    const layout = (await weightsLayout(path.join(dir, "task.weights.h5"))).replace("'adam'", "'adam_1'");
    expect(layout).toBe(readFileSync(path.join(FINETUNE_DIR, "compile_defaults", "weights-layout.txt"), "utf8").trim());
    expect(readFileSync(path.join(dir, "task.json"), "utf8")).toBe(readFileSync(path.join(FINETUNE_DIR, "compile_defaults", "task.json"), "utf8"));
    const before = clf.predict(packed(train));
    const back = await AlbertTextClassifier.fromPreset(dir);
    expect(back.preprocessor).toBeNull();
    expect(back.dropout).toBe(0);
    expect(back.optimizer.iterations).toBe(0);
    const after = back.predict(packed(train));
    expect(maxAbsDiff(after.dataSync(), before.dataSync())).toBe(0);
    tf.dispose([before, after]);
    back.dispose();
    clf.dispose();
  });

  it("the KerasHub-trained presets load with their held-out logits", async () => {
    const heldout = fixtureJson<{ heldout: FinetuneSplit }>(FINETUNE_DIR, "data.json").heldout;
    const clf = await AlbertTextClassifier.fromPreset(path.join(FINETUNE_DIR, "adamw_lr1e-3"));
    const logits = clf.predict(packed(heldout));
    const trajectory = fixtureJson<{ heldout_logits_after: number[][] }>(path.join(FINETUNE_DIR, "adamw_lr1e-3"), "trajectory.json");
    expect(maxAbsDiff(logits.dataSync(), trajectory.heldout_logits_after)).toBeLessThanOrEqual(PARITY_TOLERANCE);
    logits.dispose();
    clf.dispose();
  });

  it("numClasses builds a new head and skips task.weights.h5, as KerasHub; options override the preset", async () => {
    const clf = await AlbertTextClassifier.fromPreset(CLASSIFIER_DIR, { numClasses: 3, dropout: 0.2, activation: "softmax" });
    expect(clf.dropout).toBe(0.2);
    const probabilities = clf.predict(inputs);
    const sums = tf.sum(probabilities, -1);
    expect(maxAbsDiff(sums.dataSync(), [1, 1, 1])).toBeLessThan(1e-6);
    tf.dispose([probabilities, sums]);
    const fresh = clf.outputDense.kernel.dataSync();
    const saved = (await readKerasVarGroups(path.join(CLASSIFIER_DIR, "task.weights.h5")))[0]!.vars[0] as { data: Float32Array };
    expect(maxAbsDiff(fresh, saved.data)).toBeGreaterThan(0.01);
    clf.dispose();
  });

  it("a backbone-only preset needs numClasses, and then gets a new head", async () => {
    const backboneDir = testdataPath("keras", "tiny");
    const error = await caught(() => AlbertTextClassifier.fromPreset(backboneDir), AlbertConfigError);
    expect(error.argument).toBe("numClasses");
    expect(error.message).toMatch(/pass numClasses/);
    const clf = await AlbertTextClassifier.fromPreset(backboneDir, { numClasses: 4, id2label: ["a", "b", "c", "d"] });
    expect(clf.preprocessor).toBeNull(); // the backbone preset has no tokenizer
    expect(clf.outputDense.kernel.shape).toEqual([clf.backbone.hiddenDim, 4]);
    expect(clf.id2label).toEqual({ 0: "a", 1: "b", 2: "c", 3: "d" });
    clf.dispose();
  });

  it("labels are saved beside the task (albert_ts_task.json), KerasHub's task.json stays unchanged", async () => {
    const dir = tempDir();
    const clf = await AlbertTextClassifier.fromPreset(CLASSIFIER_DIR, { id2label: ["negative", "neutral", "positive"] });
    await clf.saveToPreset(dir);
    clf.dispose();
    expect(readFileSync(path.join(dir, "task.json"), "utf8")).toBe(readFileSync(path.join(CLASSIFIER_DIR, "task.json"), "utf8"));
    const back = await AlbertTextClassifier.fromPreset(dir);
    expect(back.label2id).toEqual({ negative: 0, neutral: 1, positive: 2 });
    back.dispose();
  });

  it("a task preset whose head does not fit its backbone is an AlbertConfigError naming the dataset", async () => {
    const dir = tempDir();
    for (const f of readdirSync(CLASSIFIER_DIR)) {
      if (f.endsWith(".json") || f.endsWith(".h5")) copyFileSync(path.join(CLASSIFIER_DIR, f), path.join(dir, f));
    }
    const task = readJson<Record<string, unknown>>(path.join(dir, "task.json"));
    (task["config"] as Record<string, unknown>)["preprocessor"] = null;
    writeFileSync(path.join(dir, "task.json"), JSON.stringify(task));
    await writeTaskPreset(dir, {
      task: task as never,
      weights: [{ group: "layers/dense", layerName: "logits", vars: [{ shape: [8, 3], data: new Float32Array(24) }, { shape: [3], data: new Float32Array(3) }] }],
    });
    await expectNoLeaks(async () => {
      const error = await caught(() => AlbertTextClassifier.fromPreset(dir), AlbertConfigError);
      expect(error.code).toBe("weights_mismatch");
      expect(error.message).toMatch(/layers\/dense\/vars\/0 \(logits\/kernel\) has shape \[8,3\].*need \[16,3\]/);
    });
  });
});

describe("AlbertTextClassifier: training and bad input", () => {
  it("freezing the backbone trains only the head; dropout is off outside fit", async () => {
    const clf = await AlbertTextClassifier.fromPreset(CLASSIFIER_DIR, { preprocessor: null });
    clf.backbone.trainable = false;
    expect(clf.trainableWeights.map((w) => w.path)).toEqual(["logits/kernel", "logits/bias"]);
    const backboneBefore = clf.backbone.getWeightMap();
    const headBefore = clf.outputDense.kernel.dataSync().slice();
    await expectNoLeaks(async () => {
      const a = clf.predict(packed(train));
      const b = clf.predict(packed(train));
      expect(maxAbsDiff(a.dataSync(), b.dataSync())).toBe(0);
      tf.dispose([a, b]);
    });
    await clf.fit(packed(train), train.labels, { batchSize: 4, epochs: 1 });
    for (const [name, w] of clf.backbone.getWeightMap()) expect(maxAbsDiff(w.data, backboneBefore.get(name)!.data), name).toBe(0);
    expect(maxAbsDiff(clf.outputDense.kernel.dataSync(), headBefore)).toBeGreaterThan(0);
    clf.backbone.trainable = true;
    expect(clf.trainableWeights.length).toBe(27);
    clf.dispose();
  });

  it("a frozen backbone runs once per batch outside the tape, and the head learns as on the tape", async () => {
    const load = () => AlbertTextClassifier.fromPreset(CLASSIFIER_DIR, { dropout: 0, preprocessor: null });
    const [fast, taped] = [await load(), await load()];
    fast.backbone.trainable = false;
    // Leaving one backbone layer trainable puts the whole backbone back on the gradient tape; a
    // single step's head update does not depend on it.
    taped.backbone.trainable = false;
    taped.backbone.pooledDense.trainable = true;
    for (const clf of [fast, taped]) {
      clf.compile({ optimizer: new Adam({ learningRate: 1e-3 }) });
      await clf.fit(packed(train), train.labels, { batchSize: 12, shuffle: false });
    }
    expect(maxAbsDiff(fast.outputDense.kernel.dataSync(), taped.outputDense.kernel.dataSync())).toBeLessThan(1e-6);
    expect(maxAbsDiff(fast.outputDense.bias.dataSync(), taped.outputDense.bias.dataSync())).toBeLessThan(1e-6);
    fast.dispose();
    taped.dispose();
  });

  it("fits on raw strings and label names through the preprocessor, with validation data and History", async () => {
    const clf = await AlbertTextClassifier.fromPreset(CLASSIFIER_DIR, { id2label: ["a", "b", "c"] });
    const names = train.labels.map((l) => ["a", "b", "c"][l]!);
    const epochs: number[] = [];
    const history = await clf.fit(train.texts, names, {
      batchSize: 5,
      epochs: 2,
      validationData: [train.texts.slice(0, 4), train.labels.slice(0, 4)],
      callbacks: [{ onEpochEnd: (epoch) => void epochs.push(epoch) }],
    });
    expect(epochs).toEqual([0, 1]);
    expect(Object.keys(history.history).sort()).toEqual(["loss", "sparse_categorical_accuracy", "val_loss", "val_sparse_categorical_accuracy"]);
    expect(history.params.steps).toBe(3);
    const split = await clf.fit(train.texts, train.labels, { batchSize: 4, validationSplit: 0.25 });
    expect(split.params.steps).toBe(3); // 9 of 12 examples train
    clf.dispose();
  });

  it("bad labels, shapes and options are typed errors naming the argument, and leak nothing", async () => {
    const clf = await AlbertTextClassifier.fromPreset(CLASSIFIER_DIR);
    const x = packed(train);
    await expectNoLeaks(async () => {
      const cases: [unknown, unknown, object, string, string][] = [
        [x, train.labels.map((l, i) => (i === 3 ? 3 : l)), {}, "y", "out_of_range"],
        [x, train.labels.map((l, i) => (i === 3 ? -1 : l)), {}, "y", "out_of_range"],
        [x, train.labels.map((l, i) => (i === 2 ? 1.5 : l)), {}, "y", "invalid_value"],
        [x, train.labels.map((l, i) => (i === 2 ? "positive" : l)), {}, "y", "invalid_value"],
        [x, train.labels.slice(1), {}, "y", "shape_mismatch"],
        [x, undefined, {}, "y", "missing_input"],
        [{ ...x, tokenIds: train.token_ids.map((r) => r.map(() => 5000)) }, train.labels, {}, "tokenIds", "out_of_range"],
        [{ tokenIds: x.tokenIds, segmentIds: x.segmentIds }, train.labels, {}, "paddingMask", "missing_input"],
        [x, train.labels, { batchSize: 0 }, "batchSize", "invalid_value"],
        [x, train.labels, { epochs: 1.5 }, "epochs", "invalid_value"],
        [x, train.labels, { sampleWeight: [1, 2] }, "sampleWeight", "shape_mismatch"],
        [x, train.labels, { validationSplit: 2 }, "validationSplit", "invalid_value"],
        [x, train.labels, { bogus: 1 }, "options", "invalid_value"],
      ];
      for (const [xs, ys, options, argument, code] of cases) {
        const error = await caught(() => clf.fit(xs, ys, options), AlbertInputError);
        expect([error.argument, error.code], error.message).toEqual([argument, code]);
      }
      const evalError = await caught(() => clf.evaluate(x, train.labels.slice(2)), AlbertInputError);
      expect(evalError.argument).toBe("y");
      const noPreprocessor = await AlbertTextClassifier.fromPreset(CLASSIFIER_DIR, { preprocessor: null });
      const textError = await caught(() => noPreprocessor.predict(["text"]), AlbertInputError);
      expect(textError.message).toMatch(/no preprocessor/);
      noPreprocessor.dispose();
    });
    const weightsBefore = clf.weights.map((w) => w.variable.dataSync().slice());
    expect(clf.optimizer.iterations).toBe(0); // nothing trained on bad input
    clf.weights.forEach((w, i) => expect(maxAbsDiff(w.variable.dataSync(), weightsBefore[i]!)).toBe(0));
    clf.dispose();
  });

  it("bad constructor arguments are AlbertConfigErrors naming the argument, allocated nothing", async () => {
    const backbone = await AlbertBackbone.fromPreset(CLASSIFIER_DIR);
    await expectNoLeaks(async () => {
      const cases: [object, string][] = [
        [{ backbone }, "numClasses"],
        [{ backbone, numClasses: 0 }, "numClasses"],
        [{ backbone, numClasses: 2, dropout: 1 }, "dropout"],
        [{ backbone, numClasses: 2, activation: "swish" }, "activation"],
        [{ backbone, numClasses: 2, id2label: ["only one"] }, "id2label"],
        [{ backbone: {}, numClasses: 2 }, "backbone"],
      ];
      for (const [args, argument] of cases) {
        const error = await caught(() => new AlbertTextClassifier(args as never), AlbertConfigError);
        expect(error.argument, error.message).toBe(argument);
      }
    });
    backbone.dispose();
  });

  it("dispose frees the model and its optimizer's state; a disposed task refuses calls", async () => {
    const before = tf.memory().numTensors;
    const clf = await AlbertTextClassifier.fromPreset(CLASSIFIER_DIR, { preprocessor: null });
    await clf.fit(packed(train), train.labels, { batchSize: 6 });
    clf.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const error = await caught(() => clf.predict(packed(train)), AlbertConfigError);
    expect(error.code).toBe("model_disposed");
  });
});
