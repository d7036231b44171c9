/** The task parity checks on TF.js' pure-JS `cpu` backend (a file of its own: the backend is
 * chosen before any model is built). */
import { beforeAll, describe, expect, it } from "vitest";
import { PARITY_TOLERANCE, maxAbsDiff } from "@albert/test-utils";
import { AlbertMaskedLM, AlbertTextClassifier, initBackend, tf } from "../index.js";
import { expectNoLeaks } from "../test-utils/index.js";
import { checkFinetuneRun } from "./test-utils/finetune-check.js";
import { checkMaskedLMFit } from "./test-utils/masked-lm-fit-check.js";
import { CLASSIFIER_DIR, FINETUNE_RUNS, MASKED_LM_DIR, fixtureJson, packed } from "./test-utils/task-fixtures.js";

describe("tasks on the cpu backend", () => {
  beforeAll(async () => {
    expect((await initBackend("cpu")).name).toBe("cpu");
  });

  it("keras/classifier and keras/masked_lm logits within 1e-4", async () => {
    await expectNoLeaks(async () => {
      const clf = await AlbertTextClassifier.fromPreset(CLASSIFIER_DIR);
      const e2e = fixtureJson<{ single: { inputs: string[]; logits: number[][] } }>(CLASSIFIER_DIR, "e2e_expected.json");
      const logits = clf.predict(packed(fixtureJson(CLASSIFIER_DIR, "inputs.json")));
      const fromText = clf.predict(e2e.single.inputs);
      expect(tf.getBackend()).toBe("cpu");
      expect(maxAbsDiff(logits.dataSync(), fixtureJson<{ logits: number[][] }>(CLASSIFIER_DIR, "expected.json").logits)).toBeLessThanOrEqual(PARITY_TOLERANCE);
      expect(maxAbsDiff(fromText.dataSync(), e2e.single.logits)).toBeLessThanOrEqual(PARITY_TOLERANCE);
      tf.dispose([logits, fromText]);
      clf.dispose();

      const mlm = await AlbertMaskedLM.fromPreset(MASKED_LM_DIR);
      const mlmLogits = mlm.predict(packed(fixtureJson(MASKED_LM_DIR, "inputs.json")));
      expect(maxAbsDiff(mlmLogits.dataSync(), fixtureJson<{ logits: number[][][] }>(MASKED_LM_DIR, "expected.json").logits)).toBeLessThanOrEqual(
        PARITY_TOLERANCE,
      );
      mlmLogits.dispose();
      mlm.dispose();
    });
  });

  it.each(FINETUNE_RUNS)("fine-tuning %s reproduces Keras fit (on the tape: no TensorFlow sessions here)", async (run) => {
    expect(await expectNoLeaks(() => checkFinetuneRun(run))).toBe("tape (native TensorFlow is not the backend)");
  });

  it("masked-LM fine-tuning reproduces Keras fit", async () => {
    expect(await expectNoLeaks(checkMaskedLMFit)).toBe("tape (native TensorFlow is not the backend)");
  });
});
