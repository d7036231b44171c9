/** The report `albert doctor` prints: every backend, why not, threads, packages, GPU. */
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setGpuProbeForTests } from "./gpu.js";
import { diagnoseBackends, formatDiagnosis, initBackend, listBackends } from "./index.js";

beforeAll(() =>
  setGpuProbeForTests(() => ({ present: false, gpus: [], reason: "no NVIDIA driver (test)" })),
);
afterAll(() => setGpuProbeForTests(undefined));

describe("diagnoseBackends", () => {
  it("reports each backend without changing the current one", async () => {
    await initBackend("cpu");
    const report = diagnoseBackends();
    expect(tf.getBackend()).toBe("cpu");
    expect(report.backends.map((b) => [b.name, b.available, b.active])).toEqual([
      ["tensorflow", true, false],
      ["tensorflow-gpu", false, false],
      ["wasm", true, false],
      ["cpu", true, true],
    ]);
    expect(report.auto).toBe("tensorflow");
    expect(report.autoSync).toBe("tensorflow");
    expect(report.current?.name).toBe("cpu");
    expect(report.platform).toMatch(/^linux x64, Node 20\./);
  });

  it("gives native TensorFlow's version, threads, package location and provisioning record", () => {
    const native = diagnoseBackends().backends.find((b) => b.name === "tensorflow")!;
    expect(native).toMatchObject({
      version: expect.stringMatching(/^@tensorflow\/tfjs-node 4\.22\.0, TensorFlow 2\.\d+/),
      threads: expect.any(Number),
      device: "cpu",
      checkedBy: "loaded in this process",
    });
    expect(native.nativePackage).toMatchObject({
      name: "@tensorflow/tfjs-node",
      version: "4.22.0",
      origin: "albert-home",
      dir: expect.stringMatching(/[\\/]native[\\/]tfjs-node-4\.22\.0-linux-x64[\\/]node_modules[\\/]@tensorflow[\\/]tfjs-node$/),
      addonBuilt: true,
    });
    // The root install runs albert-provision, which leaves this record.
    expect(native.nativePackage?.provision).toMatchObject({
      package: "@tensorflow/tfjs-node",
      tensorflowVersion: expect.any(String),
    });
  });

  it("says why the GPU backend is not available (no GPU comes before no package)", () => {
    const gpu = diagnoseBackends().backends.find((b) => b.name === "tensorflow-gpu")!;
    expect(gpu).toMatchObject({
      available: false,
      reason: "no NVIDIA driver (test)",
      checkedBy: "preconditions",
    });
    // Only `albert-provision --gpu` installs it, and only where there is a GPU.
    expect(gpu.nativePackage).toBeUndefined();
  });

  it("checks wasm by its binaries, without initializing it", () => {
    const wasm = diagnoseBackends().backends.find((b) => b.name === "wasm")!;
    expect(wasm).toMatchObject({ simd: true, threads: 1, checkedBy: "files checked" });
    expect(wasm.wasmDir).toMatch(/tfjs-backend-wasm.*dist$/);
    expect(tf.findBackendFactory("wasm")).toBeNull();
  });
});

describe("formatDiagnosis", () => {
  it("prints a table, the reasons, threads, packages and the GPU probe", () => {
    const text = formatDiagnosis(diagnoseBackends());
    console.log(text);
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^Backend\s+Available\s+Version\s+Threads\s+Device$/);
    expect(lines[1]).toMatch(
      /^tensorflow\s+yes\s+@tensorflow\/tfjs-node 4\.22\.0, TensorFlow \S+\s+\d+\s+cpu$/,
    );
    expect(lines[2]).toMatch(/^tensorflow-gpu\s+no\s+-\s+-\s+-$/);
    expect(lines[3]).toMatch(
      /^wasm\s+yes\s+@tensorflow\/tfjs-backend-wasm 4\.22\.0 \(SIMD\)\s+1\s+cpu$/,
    );
    expect(lines[4]).toMatch(/^cpu\s+yes \*\s+@tensorflow\/tfjs-backend-cpu 4\.22\.0\s+1\s+cpu$/);
    expect(text).toContain("auto picks: tensorflow");
    expect(text).toContain("Why not:\n  tensorflow-gpu: no NVIDIA driver (test)");
    expect(text).toMatch(/provisioned: TensorFlow \S+ from \w+/);
    expect(text).toContain("GPU: no usable GPU: no NVIDIA driver (test)");
  });
});

describe("listBackends", () => {
  it("is the short form: name, available, version or reason", () => {
    expect(listBackends()).toEqual([
      {
        name: "tensorflow",
        available: true,
        version: expect.stringMatching(/^@tensorflow\/tfjs-node 4\.22\.0/),
      },
      { name: "tensorflow-gpu", available: false, reason: "no NVIDIA driver (test)" },
      { name: "wasm", available: true, version: "@tensorflow/tfjs-backend-wasm 4.22.0 (SIMD)" },
      { name: "cpu", available: true, version: "@tensorflow/tfjs-backend-cpu 4.22.0" },
    ]);
  });
});
