/**
 * Fine-tuning under KerasHub's mixed policies: the task's head follows the backbone's policy,
 * the forward pass computes in 16 bits, and the variables stay float32 with float32 optimizer
 * updates (what Keras' mixed precision keeps). There is no KerasHub reference for 16-bit
 * training trajectories, so this checks the behaviour, not numbers.
 */
import { describe, expect, it } from "vitest";
import { roundToHalf } from "@albert/presets";
import { AlbertTextClassifier, tf } from "../index.js";
import { expectNoLeaks } from "../test-utils/index.js";
import { CLASSIFIER_DIR, FINETUNE_DIR, fixtureJson, packed, type FinetuneSplit } from "./test-utils/task-fixtures.js";

const train = fixtureJson<{ train: FinetuneSplit }>(FINETUNE_DIR, "data.json").train;

describe.each(["mixed_bfloat16", "mixed_float16"] as const)("AlbertTextClassifier.fit under %s", (policy) => {
  it("computes in 16 bits and keeps float32 variables and updates", async () => {
    await expectNoLeaks(async () => {
      const clf = await AlbertTextClassifier.fromPreset(CLASSIFIER_DIR, { dtype: policy, dropout: 0, preprocessor: null });
      const compute = clf.backbone.dtypePolicy.computeDtype as "bfloat16" | "float16";
      expect(clf.backbone.dtypePolicy.variableDtype).toBe("float32");
      const before = clf.predict(packed(train));
      const logits = before.dataSync() as Float32Array;
      // The head computes in the backbone's dtype: its logits are 16-bit values.
      expect(roundToHalf(logits, compute)).toEqual(logits);

      const history = await clf.fit(packed(train), train.labels, { batchSize: 4, epochs: 3, shuffle: false });
      const losses = history.history["loss"] as number[];
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses.at(-1)!).toBeLessThan(losses[0]!);
      // Variables stay float32: updated values are not 16-bit values (an update in 16 bits
      // would round them).
      const kernel = clf.outputDense.kernel.dataSync() as Float32Array;
      expect(roundToHalf(kernel, compute)).not.toEqual(kernel);
      const query = clf.backbone.weights.find((w) => w.path.endsWith("query/kernel"))!.variable.dataSync() as Float32Array;
      expect(roundToHalf(query, compute)).not.toEqual(query);
      tf.dispose(before);
      clf.dispose();
    });
  });
});
