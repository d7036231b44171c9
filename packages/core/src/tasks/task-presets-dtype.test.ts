/**
 * Task presets under KerasHub's dtype policies: Keras saves every variable in its variable
 * dtype, so a pure 16-bit policy's head goes to `task.weights.h5` in that dtype, stored as the
 * backbone's weights are in `model.weights.h5`, and mixed policies keep float32. A saved task
 * reloads under the same policy with the same head and the same logits, bit for bit.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { describeKerasVarGroups } from "@albert/presets";
import { AlbertMaskedLM, AlbertTextClassifier, tf } from "../index.js";
import { CLASSIFIER_DIR, FINETUNE_DIR, MASKED_LM_DIR, fixtureJson, packed, type FinetuneSplit } from "./test-utils/task-fixtures.js";

const root = mkdtempSync(path.join(tmpdir(), "albert-task-dtype-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
/** How Keras stores each policy's variables (bfloat16: a 2-byte opaque type, h5 class 5). */
const STORED = { bfloat16: "class5/2", float16: "float16", mixed_bfloat16: "float32" };
const train = fixtureJson<{ train: FinetuneSplit }>(FINETUNE_DIR, "data.json").train;

/** The stored dtype of every variable of the groups under `prefix`, in file order. */
async function storedDtypes(file: string, prefix: string): Promise<string[]> {
  const groups = await describeKerasVarGroups(file);
  return groups.filter((g) => g.group.startsWith(prefix)).flatMap((g) => g.vars.map((v) => v.dtype));
}

describe.each(["bfloat16", "float16", "mixed_bfloat16"] as const)("task presets under %s", (policy) => {
  it("AlbertTextClassifier: the head stored as the backbone's weights are, reloaded bit for bit", async () => {
    const clf = await AlbertTextClassifier.fromPreset(CLASSIFIER_DIR, { dtype: policy, preprocessor: null });
    const dir = path.join(root, `classifier-${policy}`);
    await clf.saveToPreset(dir);
    const backbone = await storedDtypes(path.join(dir, "model.weights.h5"), "");
    const head = await storedDtypes(path.join(dir, "task.weights.h5"), "layers/dense");
    expect(new Set(backbone).size).toBe(1);
    expect(head).toEqual([backbone[0], backbone[0]]);
    expect(backbone[0]).toBe(STORED[policy]);

    const reloaded = await AlbertTextClassifier.fromPreset(dir, { dtype: policy, preprocessor: null });
    expect(Array.from(reloaded.outputDense.kernel.dataSync())).toEqual(Array.from(clf.outputDense.kernel.dataSync()));
    const [a, b] = [clf.predict(packed(train)), reloaded.predict(packed(train))];
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([a, b]);
    clf.dispose();
    reloaded.dispose();
  });

  it("AlbertMaskedLM: the masked-LM head in the policy's variable dtype too", async () => {
    const mlm = await AlbertMaskedLM.fromPreset(MASKED_LM_DIR, { dtype: policy, preprocessor: null });
    const dir = path.join(root, `masked-lm-${policy}`);
    await mlm.saveToPreset(dir);
    const backbone = await storedDtypes(path.join(dir, "model.weights.h5"), "");
    const head = await storedDtypes(path.join(dir, "task.weights.h5"), "layers/masked_lm_head");
    expect(head).toHaveLength(5);
    expect(new Set(head)).toEqual(new Set([backbone[0]]));
    mlm.dispose();
  });
});
