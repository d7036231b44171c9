/**
 * Keras' loss scaling under `mixed_float16` (Keras 3.15's `LossScaleOptimizer`, which
 * `compile` wraps around the optimizer): a step whose gradients are not all finite changes no
 * weight and halves the scale; finite steps apply the inner optimizer to the unscaled gradients
 * and double the scale every `dynamicGrowthSteps`; the state is saved in Keras' order.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readKerasVarGroups } from "@albert/presets";
import { Adam, AdamW, AlbertConfigError, AlbertTextClassifier, LossScaleOptimizer } from "../../index.js";
import { caught, expectNoLeaks } from "../../test-utils/index.js";
import { CLASSIFIER_DIR, FINETUNE_DIR, fixtureJson, type FinetuneSplit } from "../../tasks/test-utils/task-fixtures.js";

const train = fixtureJson<{ train: FinetuneSplit }>(FINETUNE_DIR, "data.json").train;
const rows = [0, 1, 2, 3];
const batch = {
  tokenIds: rows.map((r) => train.token_ids[r]!),
  segmentIds: rows.map((r) => train.segment_ids[r]!),
  paddingMask: rows.map((r) => train.padding_mask[r]!),
};
const labels = rows.map((r) => train.labels[r]!);
const snapshot = (clf: AlbertTextClassifier) => clf.weights.map((w) => Array.from(w.variable.dataSync()));

describe("LossScaleOptimizer under mixed_float16", () => {
  it("is what compile gives a mixed_float16 task, as Keras' compile (and no other policy)", async () => {
    await expectNoLeaks(async () => {
      const clf = await AlbertTextClassifier.fromPreset(CLASSIFIER_DIR, { dtype: "mixed_float16", preprocessor: null });
      const optimizer = clf.optimizer as LossScaleOptimizer;
      expect(optimizer).toBeInstanceOf(LossScaleOptimizer);
      expect(optimizer.name).toBe("loss_scale_optimizer");
      expect(optimizer.innerOptimizer).toBeInstanceOf(Adam);
      expect(optimizer.learningRate).toBe(Math.fround(1e-5));
      expect(optimizer.getConfig()).toEqual({
        name: "loss_scale_optimizer",
        inner_optimizer: { module: "keras.optimizers", class_name: "Adam", config: optimizer.innerOptimizer.getConfig(), registered_name: null },
        initial_scale: 32768,
        dynamic_growth_steps: 2000,
      });
      const adamw = new AdamW();
      clf.compile({ optimizer: adamw });
      expect((clf.optimizer as LossScaleOptimizer).innerOptimizer).toBe(adamw);
      clf.dispose();
      for (const dtype of ["mixed_bfloat16", "float32"] as const) {
        const other = await AlbertTextClassifier.fromPreset(CLASSIFIER_DIR, { dtype, preprocessor: null });
        expect(other.optimizer).toBeInstanceOf(Adam);
        other.dispose();
      }
    });
  });

  it("skips a step with non-finite gradients and halves the scale; doubles it after dynamicGrowthSteps finite steps", async () => {
    await expectNoLeaks(async () => {
      const clf = await AlbertTextClassifier.fromPreset(CLASSIFIER_DIR, { dtype: "mixed_float16", dropout: 0, preprocessor: null });
      const optimizer = new LossScaleOptimizer(new Adam({ learningRate: 1e-3 }), { dynamicGrowthSteps: 2 });
      clf.compile({ optimizer });
      expect(clf.trainingEngine).toBe("tape (the graph trains in float32; the policy is mixed_float16)");
      const before = snapshot(clf);

      // A huge sample weight: the loss times the scale overflows float32, so do the gradients.
      const overflow = await clf.fit(batch, labels, { batchSize: 4, shuffle: false, sampleWeight: [3e38, 1, 1, 1] });
      expect(Number.isFinite(overflow.history["loss"]![0]!)).toBe(true);
      expect(snapshot(clf)).toEqual(before);
      expect(optimizer.iterations).toBe(0);
      expect(optimizer.dynamicScale).toBe(2 ** 14);
      expect(optimizer.stepCounter).toBe(0);

      await clf.fit(batch, labels, { batchSize: 4, shuffle: false });
      expect(snapshot(clf)).not.toEqual(before);
      expect([optimizer.iterations, optimizer.stepCounter, optimizer.dynamicScale]).toEqual([1, 1, 2 ** 14]);
      await clf.fit(batch, labels, { batchSize: 4, shuffle: false });
      expect([optimizer.iterations, optimizer.stepCounter, optimizer.dynamicScale]).toEqual([2, 0, 2 ** 15]);

      // Saved as Keras saves it: its own iteration and learning rate (0), step_counter,
      // dynamic_scale, then Adam's iteration, learning rate and slots.
      const dir = mkdtempSync(path.join(tmpdir(), "albert-lso-"));
      await clf.saveToPreset(dir);
      const saved = (await readKerasVarGroups(path.join(dir, "task.weights.h5"))).find((g) => g.group === "optimizer")!;
      rmSync(dir, { recursive: true, force: true });
      const scalar = (i: number) => {
        const v = saved.vars[i] as { int64?: bigint; data?: Float32Array };
        return v.int64 !== undefined ? Number(v.int64) : v.data![0];
      };
      expect([0, 1, 2, 3, 4, 5].map(scalar)).toEqual([0, 0, 0, 2 ** 15, 2, Math.fround(1e-3)]);
      expect(saved.vars).toHaveLength(6 + 2 * clf.trainableWeights.length);
      clf.dispose();
    });
  });

  it("refuses to wrap itself, and bad settings", async () => {
    const inner = new LossScaleOptimizer(new Adam());
    expect((await caught(() => new LossScaleOptimizer(inner), AlbertConfigError)).message).toMatch(/not itself a LossScaleOptimizer/);
    const growth = await caught(() => new LossScaleOptimizer(new Adam(), { dynamicGrowthSteps: 0 }), AlbertConfigError);
    expect(growth.message).toMatch(/dynamicGrowthSteps must be an integer >= 1, got 0/);
  });
});
