/**
 * Failure paths, each with a clear reason and a working fallback: the native addon missing or
 * broken (fake packages in a temp node_modules, so the real tfjs-node is never touched) and
 * the WebAssembly binaries unreachable (an empty folder). This file's worker never loads the
 * real native library.
 */
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { caught } from "@albert/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setGpuProbeForTests } from "./gpu.js";
import {
  BackendError,
  currentBackend,
  ensureBackend,
  initBackend,
  initBackendSync,
} from "./index.js";
import { forgetNativeLoads } from "./native.js";
import { nativeFolder, resolveNativePackagesFrom } from "./provision/paths.js";
import { fakeNativePackage, tempDir } from "./test-utils/fakes.js";

const root = tempDir("fallback");
const nothingInstalled = path.join(root, "nothing");
const addonMissing = path.join(root, "addon-missing");
const runtimeMissing = path.join(root, "runtime-missing");
const emptyWasmDir = path.join(root, "no-wasm-here");

// The warning a fallback prints is checked in child processes (fallback-warning.test.ts).
const quietBefore = process.env["ALBERT_QUIET"];

beforeAll(() => {
  process.env["ALBERT_QUIET"] = "1";
  mkdirSync(nothingInstalled, { recursive: true });
  mkdirSync(emptyWasmDir, { recursive: true });
  fakeNativePackage(addonMissing, "@tensorflow/tfjs-node", "addon-missing");
  fakeNativePackage(runtimeMissing, "@tensorflow/tfjs-node", "runtime-missing");
  setGpuProbeForTests(() => ({ present: false, gpus: [], reason: "no NVIDIA driver (test)" }));
});

afterAll(() => {
  if (quietBefore === undefined) delete process.env["ALBERT_QUIET"];
  else process.env["ALBERT_QUIET"] = quietBefore;
  resolveNativePackagesFrom(undefined);
  setGpuProbeForTests(undefined);
  forgetNativeLoads();
  rmSync(root, { recursive: true, force: true });
});

/** Points the native loader at one of the fake installs, forgetting earlier attempts. */
function nativeInstall(dir: string): void {
  resolveNativePackagesFrom(dir);
  forgetNativeLoads();
}

const rejection = (promise: Promise<unknown>) => caught(() => promise, BackendError);

function matmulWorks(): void {
  const product = tf.tidy(() =>
    tf
      .matMul(
        tf.tensor2d([
          [1, 2],
          [3, 4],
        ]),
        tf.tensor2d([
          [1, 2],
          [3, 4],
        ]),
      )
      .dataSync(),
  );
  expect(Array.from(product)).toEqual([7, 10, 15, 22]);
}

describe("native TensorFlow that cannot load", () => {
  it("says the package is not installed", async () => {
    nativeInstall(nothingInstalled);
    const error = await rejection(initBackend("tensorflow"));
    expect(error.code).toBe("unavailable");
    expect(error.message).toBe(
      "The tensorflow backend is unavailable: native TensorFlow is not set up on this machine " +
        `(no @tensorflow/tfjs-node in ${nativeFolder("@tensorflow/tfjs-node")}): run \`npx albert-provision\``,
    );
  });

  it("quotes tfjs-node's own message when the addon was never built, and says what to run", async () => {
    nativeInstall(addonMissing);
    const error = await rejection(initBackend("tensorflow"));
    expect(error.message).toMatch(
      /@tensorflow\/tfjs-node failed to load: The Node.js native addon module \(tfjs_binding\.node\) can not be found at path: .*addon-missing/,
    );
    expect(error.message).toMatch(/run `npx albert-provision` to set up its native runtime/);
  });

  it("quotes the dynamic loader when the addon is there but libtensorflow is not", async () => {
    nativeInstall(runtimeMissing);
    const error = await rejection(initBackend("tensorflow"));
    expect(error.message).toMatch(
      /failed to load: libtensorflow(_cc|_framework)?\.so(\.\d+)*: cannot open shared object file/,
    );
    expect(tf.findBackendFactory("tensorflow")).toBeNull();
  });
});

describe("WebAssembly binaries that cannot be found", () => {
  it("names the folder and the files instead of aborting inside Emscripten", async () => {
    const handlers = process.listenerCount("unhandledRejection");
    const error = await rejection(initBackend("wasm", { wasmPath: emptyWasmDir }));
    expect(error.code).toBe("unavailable");
    expect(error.message).toContain(`the WebAssembly binaries are not in ${emptyWasmDir}`);
    expect(error.message).toMatch(
      /tfjs-backend-wasm-simd\.wasm and tfjs-backend-wasm\.wasm are missing/,
    );
    expect(tf.getBackend()).not.toBe("wasm");
    expect(process.listenerCount("unhandledRejection")).toBe(handlers);
  });
});

describe('"auto" falls back and says why', () => {
  it("to plain JS when native TensorFlow is broken and wasm is unreachable", async () => {
    nativeInstall(runtimeMissing);
    const info = await initBackend("auto", { wasmPath: emptyWasmDir });
    expect(info.name).toBe("cpu");
    expect(tf.getBackend()).toBe("cpu");
    expect(info.fallbackReason).toMatch(
      /^tensorflow: @tensorflow\/tfjs-node failed to load: libtensorflow.*cannot open shared object file.*; wasm: the WebAssembly binaries are not in /,
    );
    matmulWorks();
  });

  it("to plain JS synchronously (a model built before any choice) while wasm has not started, saying why", () => {
    nativeInstall(nothingInstalled);
    const info = initBackendSync("auto");
    expect(info).toMatchObject({ name: "cpu", threads: 1 });
    expect(info.fallbackReason).toBe(
      `tensorflow: native TensorFlow is not set up on this machine (no @tensorflow/tfjs-node in ${nativeFolder("@tensorflow/tfjs-node")}): ` +
        "run `npx albert-provision`; wasm: it initializes asynchronously and was not started: `await initBackend()` " +
        "(or `AlbertBackbone.fromPreset`) before building a model uses it",
    );
    expect(ensureBackend()).toEqual(info);
  });

  it("to WebAssembly with SIMD when native TensorFlow is missing, and models then use it", async () => {
    nativeInstall(addonMissing);
    const info = await initBackend("auto");
    console.log(`auto without native TensorFlow: ${JSON.stringify(info)}`);
    expect(info).toMatchObject({ name: "wasm", simd: true, threads: 1, device: "cpu" });
    expect(info.version).toMatch(/^@tensorflow\/tfjs-backend-wasm 4\.22\.0 \(SIMD\)$/);
    expect(info.fallbackReason).toMatch(
      /^tensorflow: @tensorflow\/tfjs-node failed to load: The Node.js native addon module/,
    );
    expect(tf.getBackend()).toBe("wasm");
    // A model's first call keeps the backend that initBackend chose.
    expect(ensureBackend()).toBe(currentBackend());
    expect(ensureBackend().name).toBe("wasm");
    matmulWorks();
  });

  it("refuses a different wasm folder once wasm runs", async () => {
    const error = await rejection(initBackend("wasm", { wasmPath: emptyWasmDir }));
    expect(error.code).toBe("too_late");
    expect((await initBackend("wasm")).name).toBe("wasm");
  });
});
