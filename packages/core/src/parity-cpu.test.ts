/** The same parity check on TF.js' pure-JS `cpu` backend (a file of its own: the backend is
 * chosen before any model is built). */
import { beforeAll, describe, expect, it } from "vitest";
import { PARITY_TOLERANCE, maxAbsDiff } from "@albert/test-utils";
import { AlbertBackbone, initBackend, tf } from "./index.js";
import { expectNoLeaks, kerasFixture } from "./test-utils/index.js";

describe("cpu backend", () => {
  beforeAll(async () => {
    const info = await initBackend("cpu");
    expect(info.name).toBe("cpu");
  });

  it("matches KerasHub's tiny fixture within 1e-4", async () => {
    const fixture = kerasFixture("tiny");
    await expectNoLeaks(async () => {
      const model = await AlbertBackbone.fromPreset(fixture.dir);
      const out = model.predict(fixture.inputs);
      expect(tf.getBackend()).toBe("cpu");
      expect(maxAbsDiff(out.sequenceOutput.dataSync(), fixture.expected.sequence_output)).toBeLessThanOrEqual(PARITY_TOLERANCE);
      expect(maxAbsDiff(out.pooledOutput.dataSync(), fixture.expected.pooled_output)).toBeLessThanOrEqual(PARITY_TOLERANCE);
      tf.dispose([out.sequenceOutput, out.pooledOutput]);
      model.dispose();
    });
  });
});
