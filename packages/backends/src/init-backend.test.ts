import { describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import { BackendError, currentBackend, ensureBackend, initBackend, listBackends } from "./index.js";

describe("initBackend", () => {
  it("picks native TensorFlow for auto on this machine, and says so", async () => {
    const info = await initBackend("auto");
    console.log(`auto chose: ${JSON.stringify(info)}`);
    expect(info.name).toBe("tensorflow");
    expect(info.version).toMatch(/@tensorflow\/tfjs-node 4\.22\.0, TensorFlow \d+\.\d+/);
    expect(info.fallbackReason).toBeUndefined();
    expect(tf.getBackend()).toBe("tensorflow");
    expect(currentBackend()).toEqual(info);
  });

  it("switches to the plain JS backend on request", async () => {
    const info = await initBackend("cpu");
    expect(info).toMatchObject({ name: "cpu", threads: 1 });
    expect(tf.getBackend()).toBe("cpu");
    expect(ensureBackend()).toEqual(info);
    await initBackend("tensorflow");
    expect(tf.getBackend()).toBe("tensorflow");
  });

  it("forgets its choice when TF.js is switched behind its back", async () => {
    await initBackend("tensorflow");
    await tf.setBackend("cpu");
    expect(currentBackend()).toBeUndefined();
    expect(ensureBackend().name).toBe("tensorflow");
  });

  it("refuses unknown backend names with the allowed ones", async () => {
    const error = await initBackend("webgpu" as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect(error).toMatchObject({ code: "unknown_backend" });
    expect((error as Error).message).toMatch(/"auto", "tensorflow", "tensorflow-gpu", "wasm", "cpu"/);
  });

  it("lists every backend with its availability", () => {
    const list = listBackends();
    expect(list.map((b) => b.name)).toEqual(["tensorflow", "tensorflow-gpu", "wasm", "cpu"]);
    expect(list.find((b) => b.name === "tensorflow")?.available).toBe(true);
    expect(list.find((b) => b.name === "tensorflow-gpu")).toMatchObject({ available: false, reason: expect.any(String) });
    expect(list.find((b) => b.name === "wasm")).toMatchObject({ available: true, version: expect.stringContaining("(SIMD)") });
  });
});
