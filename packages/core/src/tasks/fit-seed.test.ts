/**
 * `fit({ seed })`: one seed repeats a run bit for bit, dropout included, on the train graph and
 * on the tape; it shuffles as Python's `random.shuffle` after `random.seed(seed)` and draws a
 * new head's kernel from KerasHub's truncated normal with that seed (what `albert train
 * --seed` did by hand before); a head loaded from a preset is left as it is.
 */
import { describe, expect, it } from "vitest";
import { PythonRandom } from "@albert/tokenizer";
import { AlbertBackbone, AlbertInputError, AlbertTextClassifier, fillTruncatedNormal, tf } from "../index.js";
import { caught, expectNoLeaks } from "../test-utils/index.js";
import {
  CLASSIFIER_DIR,
  FINETUNE_DIR,
  TRAINING_ENGINES,
  fixtureJson,
  onTrainingEngine,
  packed,
  type FinetuneSplit,
} from "./test-utils/task-fixtures.js";

const train = fixtureJson<{ train: FinetuneSplit }>(FINETUNE_DIR, "data.json").train;

/** The classifier fixture's backbone with dropout on, and a new 3-class head (random). */
async function classifierWithDropout(): Promise<AlbertTextClassifier> {
  const loaded = await AlbertTextClassifier.fromPreset(CLASSIFIER_DIR, { preprocessor: null });
  const backbone = AlbertBackbone.fromConfig({ ...loaded.backbone.getConfig(), dropout: 0.2 }, { weights: loaded.backbone.getWeightMap() });
  loaded.dispose();
  return new AlbertTextClassifier({ backbone, numClasses: 3, dropout: 0.1 });
}

/** Every variable's values, in order. */
const snapshot = (task: AlbertTextClassifier) => task.weights.map((w) => Array.from(w.variable.dataSync()));

describe.each(TRAINING_ENGINES)("fit({ seed }) on the $engine", ({ flag, reports }) => {
  it("repeats a run with dropout bit for bit; another seed gives another run", async () => {
    await onTrainingEngine(flag, async () => {
      const run = async (seed: number) => {
        const clf = await classifierWithDropout();
        const losses: number[] = [];
        await clf.fit(packed(train), train.labels, {
          batchSize: 4, epochs: 2, seed,
          callbacks: { onTrainBatchEnd: (_b, logs) => void losses.push(logs["loss"]!) },
        });
        expect(clf.trainingEngine).toMatch(reports);
        const weights = snapshot(clf);
        clf.dispose();
        return { losses, weights };
      };
      const [a, b, c] = [await run(5), await run(5), await run(6)];
      expect(b.losses).toEqual(a.losses);
      expect(b.weights).toEqual(a.weights);
      expect(c.losses).not.toEqual(a.losses);
    });
  });
});

describe("fit({ seed })", () => {
  it("shuffles as Python's random.shuffle and draws a new head from the seed", async () => {
    await expectNoLeaks(async () => {
      const seeded = await AlbertTextClassifier.fromPreset(CLASSIFIER_DIR, { numClasses: 3, dropout: 0, preprocessor: null });
      await seeded.fit(packed(train), train.labels, { batchSize: 4, epochs: 2, seed: 7 });

      // By hand: the head's kernel from the seed, then each epoch in the order Python's
      // random.seed(7); random.shuffle(...) gives, one epoch per fit call.
      const manual = await AlbertTextClassifier.fromPreset(CLASSIFIER_DIR, { numClasses: 3, dropout: 0, preprocessor: null });
      const kernel = manual.outputDense.kernel;
      tf.tidy(() => kernel.assign(tf.tensor(fillTruncatedNormal(new Float32Array(kernel.size), 0.02, 7), kernel.shape)));
      const random = new PythonRandom(7);
      const x = packed(train);
      for (let epoch = 0; epoch < 2; epoch++) {
        const order = train.labels.map((_, i) => i);
        random.shuffle(order);
        const pick = <T>(rows: T[]) => order.map((i) => rows[i]!);
        await manual.fit(
          { tokenIds: pick(x.tokenIds as number[][]), segmentIds: pick(x.segmentIds as number[][]), paddingMask: pick(x.paddingMask as number[][]) },
          pick(train.labels),
          { batchSize: 4, epochs: epoch + 1, initialEpoch: epoch, shuffle: false },
        );
      }
      expect(snapshot(seeded)).toEqual(snapshot(manual));
      seeded.dispose();
      manual.dispose();
    });
  });

  it("leaves a head loaded from a task preset as it is", async () => {
    await expectNoLeaks(async () => {
      const run = async (seed?: number) => {
        const clf = await AlbertTextClassifier.fromPreset(CLASSIFIER_DIR, { dropout: 0, preprocessor: null });
        await clf.fit(packed(train), train.labels, { batchSize: 4, shuffle: false, ...(seed !== undefined ? { seed } : {}) });
        const weights = snapshot(clf);
        clf.dispose();
        return weights;
      };
      expect(await run(3)).toEqual(await run());
    });
  });

  it("refuses a seed that is not a safe integer", async () => {
    await expectNoLeaks(async () => {
      const clf = await AlbertTextClassifier.fromPreset(CLASSIFIER_DIR, { dropout: 0, preprocessor: null });
      const error = await caught(() => clf.fit(packed(train), train.labels, { seed: 1.5 }), AlbertInputError);
      expect(error.argument).toBe("seed");
      expect(error.message).toMatch(/seed must be a safe integer, got 1.5/);
      clf.dispose();
    });
  });
});
