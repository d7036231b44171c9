/** The WebAssembly backend from the installed package: no configuration, SIMD, one thread. */
import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import {
  BackendError,
  currentBackend,
  initBackend,
  initBackendSync,
  locateWasmFiles,
} from "./index.js";

describe("wasm backend", () => {
  it("finds its binaries in the installed package (pnpm layout included) and sees SIMD", () => {
    const files = locateWasmFiles();
    expect(files).toMatchObject({ ok: true, simd: true, packageVersion: "4.22.0" });
    expect(files.dir).toMatch(/@tensorflow[/+]tfjs-backend-wasm.*[/\\]dist$/);
    expect(files.file).toMatch(/tfjs-backend-wasm-simd\.wasm$/);
  });

  it("initializes without configuration and reports SIMD and one thread", async () => {
    const exceptions = process.listenerCount("uncaughtException");
    const rejections = process.listenerCount("unhandledRejection");
    const info = await initBackend("wasm");
    console.log(`wasm: ${JSON.stringify(info)}`);
    expect(info).toMatchObject({
      name: "wasm",
      version: "@tensorflow/tfjs-backend-wasm 4.22.0 (SIMD)",
      simd: true,
      threads: 1,
      device: "cpu",
    });
    expect(info.threadsNote).toMatch(/disables its multithreaded build in Node/);
    expect(tf.getBackend()).toBe("wasm");
    expect(currentBackend()).toEqual(info);
    // Emscripten's process-wide error handlers are gone again.
    expect(process.listenerCount("uncaughtException")).toBe(exceptions);
    expect(process.listenerCount("unhandledRejection")).toBe(rejections);
  });

  it("computes what the JS backend computes", async () => {
    const a = tf.randomNormal([64, 96], 0, 1, "float32", 1);
    const b = tf.randomNormal([96, 48], 0, 1, "float32", 2);
    const onWasm = tf.tidy(() => tf.softmax(tf.matMul(a, b)).dataSync());
    await initBackend("cpu");
    const onCpu = tf.tidy(() => tf.softmax(tf.matMul(a, b)).dataSync());
    let max = 0;
    for (let i = 0; i < onCpu.length; i++) max = Math.max(max, Math.abs(onCpu[i]! - onWasm[i]!));
    expect(max).toBeLessThan(1e-5);
    tf.dispose([a, b]);
  });

  it("switches back and forth without initializing twice", async () => {
    await initBackend("tensorflow");
    expect(tf.getBackend()).toBe("tensorflow");
    expect((await initBackend("wasm")).name).toBe("wasm");
    expect(tf.getBackend()).toBe("wasm");
  });

  it("is asynchronous only", () => {
    expect(() => initBackendSync("wasm")).toThrow(BackendError);
    expect(() => initBackendSync("wasm")).toThrow(/use `await initBackend\("wasm"\)`/);
  });
});
