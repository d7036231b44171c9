// train-engine.browser.ts stands in for train-engine.ts in browser bundles (package.json's
// "browser" field): every name the Node module exports must exist there too.
import { describe, expect, it } from "vitest";

describe("train-engine's browser twin", () => {
  it("exports every name train-engine.ts exports", async () => {
    const node = Object.keys(await import("./train-engine.js"));
    const browser = Object.keys(await import("./train-engine.browser.js"));
    expect(node.filter((name) => !browser.includes(name))).toEqual([]);
  });

  it("never has a session: fit runs on the tape", async () => {
    const { trainGraphBackend, TrainGraphSession } = await import("./train-engine.browser.js");
    expect(trainGraphBackend()).toBeUndefined();
    expect(() => TrainGraphSession.load()).toThrow(/native TensorFlow/);
  });
});
