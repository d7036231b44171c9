/**
 * The CUDA backend's selection and failure paths. No NVIDIA GPU is needed: nvidia-smi and the
 * driver file are faked, and the GPU package is either absent (never provisioned) or installed
 * but unbuilt (tfjs-node's JavaScript under its name, beside the real provisioned tfjs-node).
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { caught } from "@albert/test-utils";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { detectNvidiaGpu, setGpuProbeForTests, type NvidiaGpuProbe } from "./gpu.js";
import { BackendError, initBackend, initBackendSync } from "./index.js";
import { forgetNativeLoads, knownNativeLoad } from "./native.js";
import { locateNativePackage, nativeFolder, resolveNativePackagesFrom } from "./provision/paths.js";
import { fakeNvidiaSmi, nativeFolderWithUnbuiltGpu, tempDir } from "./test-utils/fakes.js";

const root = tempDir("gpu");
const missing = path.join(root, "missing");
const A_GPU: NvidiaGpuProbe = {
  present: true,
  gpus: ["NVIDIA H100 80GB HBM3"],
  driverVersion: "550.54.15",
};
const NO_GPU: NvidiaGpuProbe = { present: false, gpus: [], reason: "no NVIDIA driver (test)" };
const withUnbuiltGpu = nativeFolderWithUnbuiltGpu(root);

afterEach(() => {
  setGpuProbeForTests(undefined);
  resolveNativePackagesFrom(undefined);
});

/** Native packages from the folder where the GPU package is installed but not built. */
function unbuiltGpuPackage(): void {
  resolveNativePackagesFrom(withUnbuiltGpu);
}
afterAll(() => rmSync(root, { recursive: true, force: true }));

const rejection = (promise: Promise<unknown>) => caught(() => promise, BackendError);

describe("detectNvidiaGpu", () => {
  it("reads GPU names and the driver version from nvidia-smi", () => {
    const smi = fakeNvidiaSmi(
      path.join(root, "smi-ok"),
      "NVIDIA H100 80GB HBM3, 550.54.15\nNVIDIA H100 80GB HBM3, 550.54.15",
    );
    expect(detectNvidiaGpu({ nvidiaSmi: smi, procVersionFile: missing })).toEqual({
      present: true,
      gpus: ["NVIDIA H100 80GB HBM3", "NVIDIA H100 80GB HBM3"],
      driverVersion: "550.54.15",
    });
  });

  it("says there is no driver when neither nvidia-smi nor the kernel module is there", () => {
    const probe = detectNvidiaGpu({
      nvidiaSmi: path.join(root, "no-such-nvidia-smi"),
      procVersionFile: missing,
    });
    expect(probe).toEqual({
      present: false,
      gpus: [],
      reason: `no NVIDIA driver (nvidia-smi is not installed, ${missing} does not exist)`,
    });
  });

  it("quotes nvidia-smi when it fails", () => {
    const smi = fakeNvidiaSmi(
      path.join(root, "smi-fails"),
      "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.",
      9,
    );
    const probe = detectNvidiaGpu({ nvidiaSmi: smi, procVersionFile: missing });
    expect(probe.present).toBe(false);
    expect(probe.reason).toMatch(
      /nvidia-smi failed: NVIDIA-SMI has failed because it couldn't communicate/,
    );
  });

  it("trusts a loaded kernel module when nvidia-smi is missing, and reads its version", () => {
    const proc = path.join(root, "nvidia-version");
    writeFileSync(
      proc,
      "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar  5 22:23:56 UTC 2024\n",
    );
    expect(
      detectNvidiaGpu({ nvidiaSmi: path.join(root, "no-such-nvidia-smi"), procVersionFile: proc }),
    ).toEqual({
      present: true,
      gpus: [],
      driverVersion: "550.54.15",
    });
  });

  it("honours CUDA_VISIBLE_DEVICES hiding every GPU", () => {
    const smi = fakeNvidiaSmi(path.join(root, "smi-hidden"), "NVIDIA H100 80GB HBM3, 550.54.15");
    const probe = detectNvidiaGpu({
      nvidiaSmi: smi,
      env: { ...process.env, CUDA_VISIBLE_DEVICES: "-1" },
    });
    expect(probe).toMatchObject({
      present: false,
      reason: 'CUDA_VISIBLE_DEVICES="-1" hides every GPU from this process',
    });
  });

  it("finds no GPU on this machine (no NVIDIA driver here)", () => {
    const probe = detectNvidiaGpu();
    console.log(`GPU probe here: ${JSON.stringify(probe)}`);
    expect(probe.present).toBe(false);
  });
});

describe('initBackend("tensorflow-gpu")', () => {
  it("says the GPU package was never set up, and what sets it up", async () => {
    mkdirSync(missing, { recursive: true });
    resolveNativePackagesFrom(missing);
    setGpuProbeForTests(() => A_GPU);
    const error = await rejection(initBackend("tensorflow-gpu"));
    expect(error.message).toBe(
      "The tensorflow-gpu backend is unavailable: TensorFlow's CUDA build is not set up on this machine " +
        `(no @tensorflow/tfjs-node-gpu in ${nativeFolder("@tensorflow/tfjs-node-gpu")}): run \`npx albert-provision --gpu\``,
    );
  });

  it("does not even load an installed GPU package where there is no GPU", async () => {
    unbuiltGpuPackage();
    expect(locateNativePackage("@tensorflow/tfjs-node-gpu")?.version).toBe("4.22.0");
    setGpuProbeForTests(() => NO_GPU);
    const error = await rejection(initBackend("tensorflow-gpu"));
    expect(error.message).toBe("The tensorflow-gpu backend is unavailable: no NVIDIA driver (test)");
    expect(knownNativeLoad("@tensorflow/tfjs-node-gpu")).toBeUndefined();
  });

  it("quotes the loader where a GPU is present but the package was never built, leaving no kernels behind", async () => {
    unbuiltGpuPackage();
    setGpuProbeForTests(() => A_GPU);
    const error = await rejection(initBackend("tensorflow-gpu"));
    expect(error.message).toMatch(
      /^The tensorflow-gpu backend is unavailable: @tensorflow\/tfjs-node-gpu failed to load: The Node\.js native addon module \(tfjs_binding\.node\) can not be found at path: .*tfjs-node-gpu.*\(run `npx albert-provision --gpu` to set up its native runtime\)$/,
    );
    expect(tf.getKernelsForBackend("tensorflow")).toEqual([]);
  });
});

describe('"auto" on a machine with a GPU it cannot use', () => {
  it("picks native TensorFlow on the CPU and gives the GPU's reason, without duplicate-kernel warnings", () => {
    unbuiltGpuPackage();
    setGpuProbeForTests(() => A_GPU);
    const warn = vi.spyOn(console, "warn");
    const info = initBackendSync("auto");
    expect(info.name).toBe("tensorflow");
    expect(info.device).toBe("cpu");
    expect(info.fallbackReason).toMatch(
      /^tensorflow-gpu: @tensorflow\/tfjs-node-gpu failed to load: The Node\.js native addon module/,
    );
    expect(warn.mock.calls.filter((call) => /already registered/.test(String(call[0])))).toEqual([]);
    warn.mockRestore();
  });

  it("cannot load the GPU build beside the CPU build, and says so", async () => {
    unbuiltGpuPackage();
    setGpuProbeForTests(() => A_GPU);
    forgetNativeLoads("@tensorflow/tfjs-node-gpu");
    const error = await rejection(initBackend("tensorflow-gpu"));
    expect(error.message).toMatch(
      /@tensorflow\/tfjs-node is already loaded in this process and only one native TensorFlow can be; choose "tensorflow-gpu" before anything loads @tensorflow\/tfjs-node/,
    );
    expect(tf.getBackend()).toBe("tensorflow");
  });

  it("says nothing about a GPU the machine does not have", async () => {
    setGpuProbeForTests(() => NO_GPU);
    const info = await initBackend("auto");
    expect(info.name).toBe("tensorflow");
    expect(info.fallbackReason).toBeUndefined();
  });
});
