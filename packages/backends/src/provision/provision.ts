import { readFileSync, writeFileSync } from "node:fs";
import { describeGpu, gpuProbe, type NvidiaGpuProbe } from "../gpu.js";
import { buildAddon, checkAddonLoads, stageRuntime, type LoadCheck } from "./native-addon.js";
import {
  locateNativePackage,
  ownDependencyVersion,
  provisionRecordPath,
  exists,
  type NativePackage,
  type NativePackageLocation,
} from "./paths.js";
import {
  SourceUnavailable,
  runtimeFromDirectory,
  runtimeFromDownload,
  runtimeFromPip,
  runtimeFromPython,
  type RuntimeKind,
  type RuntimeSourceName,
  type TensorFlowRuntime,
} from "./runtime-sources.js";

export interface ProvisionOptions {
  /**
   * `@tensorflow/tfjs-node` (default), or `@tensorflow/tfjs-node-gpu` for TensorFlow's CUDA
   * build, which is only provisioned where an NVIDIA GPU and driver are present.
   */
  package?: NativePackage;
  /** Provision the package installed in this folder instead of the one Node resolves. */
  packageDir?: string;
  /** Rebuild even when a working addon is already there. */
  force?: boolean;
  /** Sources to try, in order (default: directory if ALBERT_LIBTENSORFLOW is set, then
   * download, python, pip; for the GPU: python, pip, download). */
  sources?: RuntimeSourceName[];
  log?: (line: string) => void;
}

/** What provisioning set up (also stored as `deps/albert-provision.json`). */
export interface ProvisionRecord {
  package: NativePackage;
  packageVersion: string;
  source: RuntimeSourceName;
  tensorflowVersion: string;
  detail: string;
  provisionedAt: string;
}

export interface ProvisionReport {
  ok: boolean;
  /** True when a working addon was found and nothing was rebuilt. */
  alreadyProvisioned: boolean;
  record?: ProvisionRecord;
  /** Each source tried, and why it did not work. */
  failures: { source: RuntimeSourceName; reason: string }[];
  message: string;
  /** GPU provisioning only: what the NVIDIA probe found. */
  gpu?: NvidiaGpuProbe;
}

export const DEFAULT_SOURCES: RuntimeSourceName[] = ["download", "python", "pip"];
/** The official GPU download needs CUDA 11.2 system-wide, rare today: try it last. */
export const DEFAULT_GPU_SOURCES: RuntimeSourceName[] = ["python", "pip", "download"];

/** Parses `ALBERT_PROVISION_SOURCES=python,pip`-style lists. */
export function parseSources(text: string): RuntimeSourceName[] {
  const allowed: RuntimeSourceName[] = ["directory", "download", "python", "pip"];
  return text.split(",").map((s) => {
    const name = s.trim() as RuntimeSourceName;
    if (!allowed.includes(name)) {
      throw new Error(`unknown provisioning source '${s}'; allowed: ${allowed.join(", ")}`);
    }
    return name;
  });
}

function defaultSources(kind: RuntimeKind): RuntimeSourceName[] {
  const fromEnv = process.env["ALBERT_PROVISION_SOURCES"];
  if (fromEnv) return parseSources(fromEnv);
  const sources = kind === "gpu" ? DEFAULT_GPU_SOURCES : DEFAULT_SOURCES;
  return process.env["ALBERT_LIBTENSORFLOW"] ? ["directory", ...sources] : sources;
}

function acquire(source: RuntimeSourceName, kind: RuntimeKind): Promise<TensorFlowRuntime> {
  switch (source) {
    case "directory": {
      const dir = process.env["ALBERT_LIBTENSORFLOW"];
      if (!dir) return Promise.reject(new SourceUnavailable("ALBERT_LIBTENSORFLOW is not set"));
      return runtimeFromDirectory(dir);
    }
    case "download":
      return runtimeFromDownload(kind);
    case "python":
      return runtimeFromPython(kind);
    case "pip":
      return runtimeFromPip(kind);
  }
}

/** The record of the last successful provisioning of a package, if any. */
export function readProvisionRecord(location: NativePackageLocation): ProvisionRecord | undefined {
  const file = provisionRecordPath(location);
  if (!exists(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as ProvisionRecord;
  } catch {
    return undefined;
  }
}

export const WHAT_TO_DO = [
  "To get the native backend, do one of:",
  "  - allow access to storage.googleapis.com (the official libtensorflow download), or",
  "  - pip install tensorflow-cpu (or make `pip download tensorflow-cpu` work), then rerun `npx albert-provision`, or",
  "  - point ALBERT_LIBTENSORFLOW at a folder with lib/libtensorflow*.so.2 and include/tensorflow/c/.",
  "Without it, models run on the slower WebAssembly or plain JS backend (initBackend(\"wasm\" | \"cpu\")).",
].join("\n");

export const WHAT_TO_DO_GPU = [
  "To get the GPU backend, do one of:",
  "  - pip install 'tensorflow[and-cuda]' (the CUDA build and its nvidia-* libraries), then rerun `npx albert-provision --gpu`, or",
  "  - make `pip download tensorflow` and its nvidia-* wheels work (a pip index with them; several GB), or",
  "  - point ALBERT_LIBTENSORFLOW at a folder with the CUDA build's lib/libtensorflow*.so.2 (and the CUDA/cuDNN",
  "    libraries it needs) and include/tensorflow/c/.",
  "Without it, models run on native TensorFlow on the CPU (initBackend(\"tensorflow\")).",
].join("\n");

/** A load check that counts: the CUDA build must also find the GPU. */
function loadProblem(check: LoadCheck, kind: RuntimeKind): string | undefined {
  if (!check.ok) return `does not load (${check.error})`;
  if (kind === "gpu" && !check.gpu) {
    const log = check.gpuLog && check.gpuLog.length > 0 ? `: ${check.gpuLog.join(" | ")}` : "";
    return `loads but TensorFlow finds no usable GPU (CUDA/cuDNN libraries missing or not matching the driver)${log}`;
  }
  return undefined;
}

/**
 * Makes `@tensorflow/tfjs-node` work without its own download: gets a TensorFlow C runtime
 * (official download, an installed TensorFlow Python package, or the `tensorflow-cpu` wheel
 * from pip), stages it in the package, builds the addon from source and checks that it loads.
 *
 * With `package: "@tensorflow/tfjs-node-gpu"` it does the same with TensorFlow's CUDA build
 * (the `tensorflow` wheel and the `nvidia-*` wheels of its `and-cuda` extra, an installed
 * `tensorflow[and-cuda]`, or the official GPU download), only where an NVIDIA GPU and driver
 * are present, and only accepts the result when TensorFlow really runs on the GPU.
 *
 * @example
 * const report = await provisionNative({ log: console.error });
 * if (!report.ok) console.error(report.message);
 *
 * @example
 * await provisionNative({ package: "@tensorflow/tfjs-node-gpu" }); // what `albert-provision --gpu` does
 */
export async function provisionNative(options: ProvisionOptions = {}): Promise<ProvisionReport> {
  const name = options.package ?? "@tensorflow/tfjs-node";
  const kind: RuntimeKind = name === "@tensorflow/tfjs-node-gpu" ? "gpu" : "cpu";
  const log = options.log ?? (() => {});
  const location = locateNativePackage(name, options.packageDir);
  if (location === undefined) {
    return {
      ok: false,
      alreadyProvisioned: false,
      failures: [],
      message:
        `${name} is not installed, so there is nothing to provision.` +
        (kind === "gpu" ? ` It is an optional dependency of @albert/backends: npm install ${name}@${ownDependencyVersion(name)}` : ""),
    };
  }
  const gpu = kind === "gpu" ? gpuProbe() : undefined;
  if (gpu !== undefined) {
    if (!gpu.present) {
      return {
        ok: false,
        alreadyProvisioned: false,
        failures: [],
        gpu,
        message:
          `Not provisioning ${name}: ${gpu.reason}. TensorFlow's CUDA build needs an NVIDIA GPU ` +
          "and driver (nvidia-smi must list the GPU); nothing was changed. Native TensorFlow on the CPU is unaffected.",
      };
    }
    log(`GPU: ${describeGpu(gpu)}`);
  }
  const withGpu = gpu === undefined ? {} : { gpu };
  const what = kind === "gpu" ? WHAT_TO_DO_GPU : WHAT_TO_DO;
  if (!options.force && exists(location.addonPath)) {
    const check = checkAddonLoads(location);
    const problem = loadProblem(check, kind);
    if (problem === undefined) {
      const record = readProvisionRecord(location);
      return {
        ok: true,
        alreadyProvisioned: true,
        ...(record === undefined ? {} : { record }),
        failures: [],
        ...withGpu,
        message: `${name} ${location.version} already works (TensorFlow ${check.tensorflowVersion}` +
          `${record ? `, from ${record.source}` : ""}${kind === "gpu" ? ", on the GPU" : ""}).`,
      };
    }
    log(`the existing addon ${problem}; provisioning again`);
  }
  const failures: ProvisionReport["failures"] = [];
  for (const source of options.sources ?? defaultSources(kind)) {
    log(`trying ${source}...`);
    let runtime: TensorFlowRuntime;
    try {
      runtime = await acquire(source, kind);
    } catch (error) {
      failures.push({ source, reason: (error as Error).message });
      log(`  ${source}: ${(error as Error).message}`);
      continue;
    }
    log(`  got ${runtime.detail}; building the addon`);
    stageRuntime(runtime, location);
    const build = buildAddon(location);
    if (!build.ok) {
      const reason = `addon build failed: ${build.log.split("\n").slice(-8).join("\n")}`;
      failures.push({ source, reason });
      log(`  ${source}: ${reason}`);
      continue;
    }
    const check = checkAddonLoads(location);
    const problem = loadProblem(check, kind);
    if (problem !== undefined) {
      failures.push({ source, reason: `addon built but ${problem}` });
      log(`  ${source}: addon built but ${problem}`);
      continue;
    }
    const record: ProvisionRecord = {
      package: name,
      packageVersion: location.version,
      source,
      tensorflowVersion: check.tensorflowVersion ?? runtime.version,
      detail: runtime.detail,
      provisionedAt: new Date().toISOString(),
    };
    writeFileSync(provisionRecordPath(location), JSON.stringify(record, null, 2) + "\n");
    return {
      ok: true,
      alreadyProvisioned: false,
      record,
      failures,
      ...withGpu,
      message:
        `${name} ${location.version} now runs on native TensorFlow ${record.tensorflowVersion}` +
        `${kind === "gpu" ? " on the GPU" : ""} (${record.detail}).`,
    };
  }
  return {
    ok: false,
    alreadyProvisioned: false,
    failures,
    ...withGpu,
    message: `Could not provision ${name}:\n${failures.map((f) => `  - ${f.source}: ${f.reason}`).join("\n")}\n${what}`,
  };
}
