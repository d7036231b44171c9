import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { setGpuProbeForTests } from "../gpu.js";
import { fakeNvidiaSmi } from "../test-utils/fakes.js";
import { locateNativePackage } from "./paths.js";
import { parseSources, provisionNative } from "./provision.js";
import { runtimeFromPip, SourceUnavailable } from "./runtime-sources.js";

const root = mkdtempSync(path.join(tmpdir(), "albert-provision-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A stand-in for an installed tfjs-node: its manifest, and optionally an addon file. */
function fakeNativePackage(name: string, addon?: string): string {
  const dir = path.join(root, name);
  if (existsSync(dir)) return dir;
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({
      name: "@tensorflow/tfjs-node",
      version: "4.22.0",
      main: "index.js",
      binary: { module_path: "./lib/napi-v{napi_build_version}", napi_versions: [3, 4, 5, 6, 7, 8] },
    }),
  );
  // What tfjs-node's entry point does: load the addon next to it.
  writeFileSync(path.join(dir, "index.js"), 'require("./lib/napi-v8/tfjs_binding.node");');
  if (addon !== undefined) {
    mkdirSync(path.join(dir, "lib", "napi-v8"), { recursive: true });
    writeFileSync(path.join(dir, "lib", "napi-v8", "tfjs_binding.node"), addon);
  }
  return dir;
}

describe("provisionNative", () => {
  it("finds the addon path node-pre-gyp builds for this Node (highest N-API version both support)", () => {
    const location = locateNativePackage("@tensorflow/tfjs-node", fakeNativePackage("paths"))!;
    expect(location.addonPath).toMatch(/lib\/napi-v8\/tfjs_binding\.node$/);
    expect(location.libDir).toMatch(/deps\/lib$/);
  });

  it("fails with what to do when no source can provide the runtime", async () => {
    const previous = process.env["ALBERT_LIBTENSORFLOW"];
    process.env["ALBERT_LIBTENSORFLOW"] = path.join(root, "no-such-runtime");
    try {
      const report = await provisionNative({ packageDir: fakeNativePackage("nothing"), sources: ["directory"] });
      expect(report.ok).toBe(false);
      expect(report.failures).toEqual([
        { source: "directory", reason: expect.stringMatching(/must hold lib\/ and include\/tensorflow\/c\/c_api\.h/) },
      ]);
      expect(report.message).toMatch(/pip install tensorflow-cpu/);
      expect(report.message).toMatch(/ALBERT_LIBTENSORFLOW/);
    } finally {
      if (previous === undefined) delete process.env["ALBERT_LIBTENSORFLOW"];
      else process.env["ALBERT_LIBTENSORFLOW"] = previous;
    }
  });

  it("does not trust an addon that fails to load, and says why", async () => {
    const logs: string[] = [];
    const report = await provisionNative({
      packageDir: fakeNativePackage("broken", "not an ELF file"),
      sources: [],
      log: (line) => logs.push(line),
    });
    expect(report.ok).toBe(false);
    expect(logs.join("\n")).toMatch(/the existing addon in .*broken does not load \(.*(invalid ELF header|file too short).*\)/);
  });

  it("reports a package that is not installed", async () => {
    const report = await provisionNative({ packageDir: path.join(root, "absent") });
    expect(report).toMatchObject({ ok: false, message: expect.stringMatching(/not installed/) });
  });

  it("parses source lists and refuses unknown sources", () => {
    expect(parseSources("python, pip")).toEqual(["python", "pip"]);
    expect(() => parseSources("conda")).toThrow(/unknown provisioning source 'conda'; allowed: directory, download, python, pip/);
  });
});

/** Sets environment variables for one test; `undefined` removes one. */
function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  apply(vars);
  return fn().finally(() => apply(saved));
}

/** Writes a minimal wheel (name-version-py3-none-any.whl) with the given files and requirements. */
function fakeWheel(dir: string, name: string, version: string, files: Record<string, string>, requires: string[] = []): void {
  const script = `
import json, sys, zipfile
dir, name, version, files, requires = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4]), json.loads(sys.argv[5])
dist = name.replace("-", "_")
info = f"{dist}-{version}.dist-info"
with zipfile.ZipFile(f"{dir}/{dist}-{version}-py3-none-any.whl", "w") as z:
    for member, data in files.items():
        z.writestr(member, data)
    z.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n" + "".join(f"Requires-Dist: {r}\\n" for r in requires))
    z.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\\nGenerator: albert-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")
    z.writestr(f"{info}/RECORD", "")
`;
  mkdirSync(dir, { recursive: true });
  const result = spawnSync("python3", ["-c", script, dir, name, version, JSON.stringify(files), JSON.stringify(requires)], { encoding: "utf8" });
  expect(result.status, result.stderr).toBe(0);
}

describe("provisionNative for the GPU build", () => {
  const aGpu = { present: true, gpus: ["NVIDIA H100 80GB HBM3"], driverVersion: "550.54.15" };
  afterEach(() => setGpuProbeForTests(undefined));

  it("refuses without an NVIDIA GPU, says why, and changes nothing", async () => {
    setGpuProbeForTests(() => ({ present: false, gpus: [], reason: "no NVIDIA driver (test)" }));
    const dir = fakeNativePackage("gpu-none");
    const report = await provisionNative({ package: "@tensorflow/tfjs-node-gpu", packageDir: dir });
    expect(report).toMatchObject({ ok: false, failures: [], gpu: { present: false } });
    expect(report.message).toMatch(/^Not provisioning @tensorflow\/tfjs-node-gpu: no NVIDIA driver \(test\)\. TensorFlow's CUDA build needs an NVIDIA GPU/);
    expect(existsSync(path.join(dir, "deps"))).toBe(false);
  });

  it("with a GPU, tries the GPU sources and says what a GPU user can do", async () => {
    setGpuProbeForTests(() => aGpu);
    const logs: string[] = [];
    const report = await withEnv({ ALBERT_LIBTENSORFLOW: path.join(root, "no-such-runtime") }, () =>
      provisionNative({ package: "@tensorflow/tfjs-node-gpu", packageDir: fakeNativePackage("gpu-some"), sources: ["directory"], log: (l) => logs.push(l) }),
    );
    expect(report.ok).toBe(false);
    expect(logs[0]).toBe("GPU: NVIDIA H100 80GB HBM3 (driver 550.54.15)");
    expect(report.message).toMatch(/To get the GPU backend, do one of:/);
    expect(report.message).toMatch(/pip install 'tensorflow\[and-cuda\]'/);
  });

  it("gets the CUDA build from pip with the nvidia-* wheels of its and-cuda extra", async () => {
    const index = path.join(root, "wheels");
    const home = path.join(root, "albert-home");
    fakeWheel(index, "tensorflow", "9.9.9", {
      "tensorflow/libtensorflow_cc.so.2": "main",
      "tensorflow/libtensorflow_framework.so.2": "framework",
      "tensorflow/include/tensorflow/c/c_api.h": "/* header */",
    }, [
      'numpy>=1.26.0',
      'nvidia-cublas-cu12==12.5.3.2; extra == "and-cuda"',
      'nvidia-cudnn-cu12==9.3.0.75; extra == "and-cuda"',
    ]);
    fakeWheel(index, "nvidia-cublas-cu12", "12.5.3.2", { "nvidia/cublas/lib/libcublas.so.12": "cublas", "nvidia/cublas/lib/libcublasLt.so.12": "lt", "nvidia/cublas/include/cublas.h": "" });
    fakeWheel(index, "nvidia-cudnn-cu12", "9.3.0.75", { "nvidia/cudnn/lib/libcudnn.so.9": "cudnn", "nvidia/cudnn/lib/libcudnn_ops.so.9": "ops" });
    fakeWheel(index, "tensorflow-cpu", "9.9.9", { "tensorflow/libtensorflow_cc.so.2": "main" });
    const env = { PIP_NO_INDEX: "1", PIP_FIND_LINKS: index, ALBERT_HOME: home };
    const runtime = await withEnv({ ...env, ALBERT_TENSORFLOW_GPU_WHEEL: "tensorflow==9.9.9" }, () => runtimeFromPip("gpu"));
    expect(runtime).toMatchObject({ source: "pip", version: "9.9.9", mainLibrary: "libtensorflow_cc.so.2" });
    expect(readdirSync(path.join(runtime.root, "lib")).sort()).toEqual([
      "libcublas.so.12",
      "libcublasLt.so.12",
      "libcudnn.so.9",
      "libcudnn_ops.so.9",
      "libtensorflow_cc.so.2",
      "libtensorflow_framework.so.2",
    ]);
    expect(runtime.detail).toMatch(/and CUDA libraries of 2 nvidia-\* wheels \(nvidia-cublas-cu12==12\.5\.3\.2 nvidia-cudnn-cu12==9\.3\.0\.75\)/);
    // A wheel without the and-cuda extra is not the CUDA build.
    rmSync(home, { recursive: true, force: true });
    const error = await withEnv({ ...env, ALBERT_TENSORFLOW_GPU_WHEEL: "tensorflow-cpu==9.9.9" }, () => runtimeFromPip("gpu")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceUnavailable);
    expect((error as Error).message).toBe("tensorflow_cpu-9.9.9-py3-none-any.whl lists no and-cuda extra: it is not TensorFlow's CUDA build for Linux");
  });
});

describe("albert-provision command", () => {
  const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../dist/provision/cli.js");

  it("reports the runtime the install set up, as JSON, and exits 0", () => {
    const result = spawnSync(process.execPath, [cli, "--json"], { encoding: "utf8" });
    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ ok: true, alreadyProvisioned: true });
    expect(report.gpuStatus).toMatch(/^GPU backend: /);
    console.log(`native runtime: ${report.message}\n${report.gpuStatus}`);
  });

  it("--gpu without a usable GPU: says why and exits 1", () => {
    const result = spawnSync(process.execPath, [cli, "--gpu"], { encoding: "utf8", env: { ...process.env, CUDA_VISIBLE_DEVICES: "-1" } });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/albert-provision: Not provisioning @tensorflow\/tfjs-node-gpu: CUDA_VISIBLE_DEVICES="-1" hides every GPU/);
  });

  it("--gpu where nvidia-smi lists a GPU: tries the sources and names the options", () => {
    fakeNvidiaSmi(path.join(root, "bin"), "NVIDIA Fake GPU, 999.1");
    const result = spawnSync(process.execPath, [cli, "--gpu", "--source", "directory"], {
      encoding: "utf8",
      env: { ...process.env, PATH: `${path.join(root, "bin")}:${process.env["PATH"]}`, ALBERT_LIBTENSORFLOW: path.join(root, "none") },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("albert-provision: GPU: NVIDIA Fake GPU (driver 999.1)");
    expect(result.stderr).toContain("Could not provision @tensorflow/tfjs-node-gpu:");
    expect(result.stderr).toContain("pip install 'tensorflow[and-cuda]'");
  });

  it("explains itself with --help and refuses unknown options", () => {
    expect(spawnSync(process.execPath, [cli, "--help"], { encoding: "utf8" }).stdout).toMatch(/Usage: albert-provision/);
    const bad = spawnSync(process.execPath, [cli, "--frobnicate"], { encoding: "utf8" });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/albert-provision: Unknown option '--frobnicate'/);
  });
});
