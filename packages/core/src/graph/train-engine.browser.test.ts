// train-engine.browser.ts stands in for train-engine.ts in browser bundles (package.json's
// "browser" field; that its exports match is checked in src/browser-twins.test.ts).
import { describe, expect, it } from "vitest";

describe("train-engine's browser twin", () => {
  it("never has a session: fit runs on the tape", async () => {
    const { trainGraphBackend, TrainGraphSession } = await import("./train-engine.browser.js");
    expect(trainGraphBackend()).toBeUndefined();
    expect(() => TrainGraphSession.load()).toThrow(/native TensorFlow/);
  });
});
