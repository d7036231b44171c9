import { describe, expect, it } from "vitest";
import { terminalStream } from "../test-utils/fake-terminal.js";
import { epochLine, trainingProgress } from "./training-progress.js";

const stream = terminalStream;

const ESC = String.fromCharCode(27);
const CONTROL = new RegExp(`${ESC}(\\[[?0-9;]*[A-Za-z]|[78])`, "g");

/** Strips terminal control sequences (cursor moves, clearing, hiding the cursor). */
const plain = (text: string) => text.replace(CONTROL, "");

/** Runs the hooks `fit` calls for one run of two epochs of two batches. */
async function simulate(progress: ReturnType<typeof trainingProgress>, clock: { t: number }) {
  for (const epoch of [0, 1]) {
    await progress.onEpochBegin?.(epoch, {});
    for (const batch of [0, 1]) {
      clock.t += 500;
      await progress.onTrainBatchEnd?.(batch, {
        loss: 0.7 - epoch * 0.2 - batch * 0.01,
        sparse_categorical_accuracy: 0.5 + batch * 0.25,
      });
    }
    clock.t += 250;
    await progress.onEpochEnd?.(epoch, {
      loss: 0.69 - epoch * 0.2,
      sparse_categorical_accuracy: 0.75,
      val_loss: 0.6,
      val_sparse_categorical_accuracy: 0.5,
    });
  }
}

describe("training progress", () => {
  it("on a terminal: a bar with the running loss and accuracy, then one line per epoch", async () => {
    const out = stream(true);
    const clock = { t: 0 };
    const progress = trainingProgress(out, {
      epochs: 2,
      stepsPerEpoch: 2,
      enabled: true,
      now: () => clock.t,
    });
    await simulate(progress, clock);
    const text = plain(out.text());
    // Each bar starts empty and ends full with the last batch's running figures (redraws in
    // between are throttled to 20 a second).
    expect(text).toContain("epoch 1/2 [░░░░░░░░░░░░░░░░░░░░] 0/2 | loss - | accuracy -");
    expect(text).toContain("epoch 1/2 [████████████████████] 2/2 | loss 0.6900 | accuracy 0.7500");
    expect(text).toContain("epoch 2/2 [████████████████████] 2/2 | loss 0.4900 | accuracy 0.7500");
    expect(text.match(/epoch \d\/\d: [^\n]*\n/g)).toEqual([
      "epoch 1/2: loss 0.6900, accuracy 0.7500, val_loss 0.6000, val_accuracy 0.5000 (1.3 s)\n",
      "epoch 2/2: loss 0.4900, accuracy 0.7500, val_loss 0.6000, val_accuracy 0.5000 (1.3 s)\n",
    ]);
  });

  it("not on a terminal, or quiet: nothing, and the epoch lines to `debug` (--verbose)", async () => {
    for (const [isTTY, enabled] of [
      [false, true],
      [true, false],
    ] as const) {
      const out = stream(isTTY);
      const debug: string[] = [];
      const clock = { t: 0 };
      const progress = trainingProgress(out, {
        epochs: 2,
        stepsPerEpoch: 2,
        enabled,
        debug: (l) => debug.push(l),
        now: () => clock.t,
      });
      await simulate(progress, clock);
      progress.stop();
      expect(out.text()).toBe("");
      expect(debug).toHaveLength(2);
      expect(debug[1]).toBe(
        "epoch 2/2: loss 0.4900, accuracy 0.7500, val_loss 0.6000, val_accuracy 0.5000 (1.3 s)",
      );
    }
  });

  it("stop() after a failure mid-epoch restores the terminal", async () => {
    const out = stream(true);
    const progress = trainingProgress(out, { epochs: 1, stepsPerEpoch: 4, enabled: true });
    await progress.onEpochBegin?.(0, {});
    progress.stop();
    expect(out.text()).toContain(`${ESC}[?25h`); // the cursor is shown again
  });

  it("epoch lines: Keras' log keys, accuracy by its short name, minutes past 60 s", () => {
    expect(epochLine(0, 3, { loss: 1.25, sparse_categorical_accuracy: 0.5 }, 75_400)).toBe(
      "epoch 1/3: loss 1.2500, accuracy 0.5000 (1 min 15 s)",
    );
    expect(epochLine(2, 3, { loss: NaN }, 10)).toBe("epoch 3/3: loss - (0.0 s)");
  });
});
