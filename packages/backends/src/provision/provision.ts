import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { describeGpu, gpuProbe, type NvidiaGpuProbe } from "../gpu.js";
import { buildAddon, checkAddonLoads, stageRuntime, type LoadCheck } from "./native-addon.js";
import { installNativeFolder } from "./native-folder.js";
import {
  exists,
  locateNativePackage,
  nativeFolder,
  nativePackageVersion,
  packageInFolder,
  provisionRecordPath,
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
  /**
   * Provision the package installed in this folder, in place, instead of installing it into
   * `ALBERT_HOME/native` (the default).
   */
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
  /** The package folder models load native TensorFlow from, when it works. */
  packageDir?: string;
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
  "To get the native backend (`npx albert-provision` installs @tensorflow/tfjs-node from the npm registry,",
  "then needs TensorFlow's C library), do one of:",
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

type Outcome = Omit<ProvisionReport, "gpu" | "packageDir">;

/** A package that works already: its load check passes (and finds the GPU, for the CUDA build). */
function alreadyWorks(location: NativePackageLocation, kind: RuntimeKind, log: (line: string) => void): Outcome | undefined {
  if (!exists(location.addonPath)) return undefined;
  const check = checkAddonLoads(location);
  const problem = loadProblem(check, kind);
  if (problem !== undefined) {
    log(`the existing addon in ${location.dir} ${problem}; provisioning again`);
    return undefined;
  }
  const record = readProvisionRecord(location);
  return {
    ok: true,
    alreadyProvisioned: true,
    ...(record === undefined ? {} : { record }),
    failures: [],
    message:
      `${location.name} ${location.version} already works (TensorFlow ${check.tensorflowVersion}` +
      `${record ? `, from ${record.source}` : ""}${kind === "gpu" ? ", on the GPU" : ""}) in ${location.dir}.`,
  };
}

/** Tries each source in turn: stage its runtime in the package, build the addon, check it loads. */
async function buildWithRuntime(
  location: NativePackageLocation,
  kind: RuntimeKind,
  sources: RuntimeSourceName[],
  log: (line: string) => void,
): Promise<Outcome> {
  const failures: ProvisionReport["failures"] = [];
  for (const source of sources) {
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
      package: location.name,
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
      message:
        `${location.name} ${location.version} now runs on native TensorFlow ${record.tensorflowVersion}` +
        `${kind === "gpu" ? " on the GPU" : ""} (${record.detail}).`,
    };
  }
  const what = kind === "gpu" ? WHAT_TO_DO_GPU : WHAT_TO_DO;
  return {
    ok: false,
    alreadyProvisioned: false,
    failures,
    message: `Could not provision ${location.name}:\n${failures.map((f) => `  - ${f.source}: ${f.reason}`).join("\n")}\n${what}`,
  };
}

/**
 * Installs the package into a fresh folder beside its final place, builds it there, and moves
 * it into place only once it works: a failed or concurrent run never leaves a broken folder
 * where models look.
 */
async function provisionFolder(
  name: NativePackage,
  kind: RuntimeKind,
  sources: RuntimeSourceName[],
  log: (line: string) => void,
): Promise<Outcome & { packageDir?: string }> {
  const folder = nativeFolder(name);
  const staging = `${folder}.tmp-${process.pid}`;
  const version = nativePackageVersion();
  rmSync(staging, { recursive: true, force: true });
  try {
    log(`installing ${name}@${version} from the npm registry (without its install script) into ${folder}`);
    const install = installNativeFolder(staging, name, version);
    if (!install.ok) {
      return {
        ok: false,
        alreadyProvisioned: false,
        failures: [],
        message: `Could not provision ${name}: ${install.reason}\nnpx albert-provision needs the npm registry (as npm install does), then TensorFlow's C library.`,
      };
    }
    const staged = locateNativePackage(name, packageInFolder(staging, name));
    if (staged === undefined) throw new Error(`npm installed no ${name} in ${staging}`);
    const outcome = await buildWithRuntime(staged, kind, sources, log);
    if (!outcome.ok) return outcome;
    rmSync(folder, { recursive: true, force: true });
    try {
      renameSync(staging, folder);
    } catch (error) {
      // Another process moved its own build into place first: use that one if it works.
      const theirs = locateNativePackage(name, packageInFolder(folder, name));
      if (theirs === undefined || loadProblem(checkAddonLoads(theirs), kind) !== undefined) throw error;
    }
    const packageDir = packageInFolder(folder, name);
    return { ...outcome, packageDir, message: `${outcome.message} Installed in ${folder}, for every project on this machine.` };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Makes native TensorFlow work for TF.js without tfjs-node's own download (which fails
 * offline), and where no `npm ci` or reinstall can undo it: installs `@tensorflow/tfjs-node`
 * from the npm registry without its install script into `ALBERT_HOME/native` (one folder per
 * machine, shared by every project), gets a TensorFlow C runtime (official download, an
 * installed TensorFlow Python package, or the `tensorflow-cpu` wheel from pip), stages it
 * there, builds the addon from source and checks that it loads. The backend loader loads
 * tfjs-node from there.
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
  const gpu = kind === "gpu" ? gpuProbe() : undefined;
  const withGpu = gpu === undefined ? {} : { gpu };
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
  const sources = options.sources ?? defaultSources(kind);
  if (options.packageDir !== undefined) {
    const location = locateNativePackage(name, options.packageDir);
    if (location === undefined) {
      return {
        ok: false,
        alreadyProvisioned: false,
        failures: [],
        ...withGpu,
        message: `${name} is not installed in ${options.packageDir}, so there is nothing to provision.`,
      };
    }
    const outcome = (!options.force && alreadyWorks(location, kind, log)) || (await buildWithRuntime(location, kind, sources, log));
    return { ...outcome, ...withGpu, ...(outcome.ok ? { packageDir: location.dir } : {}) };
  }
  const existing = locateNativePackage(name);
  const works = existing !== undefined && !options.force ? alreadyWorks(existing, kind, log) : undefined;
  if (works !== undefined && existing !== undefined) return { ...works, ...withGpu, packageDir: existing.dir };
  return { ...(await provisionFolder(name, kind, sources, log)), ...withGpu };
}
