import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { BackendError } from "./errors.js";
import { gpuProbe, describeGpu } from "./gpu.js";
import { warnNativeFallback } from "./fallback-warning.js";
import { CPU_PACKAGE, GPU_PACKAGE, loadNative, loadedNative, notSetUpReason, type NativeLoad } from "./native.js";
import { locateNativePackage } from "./provision/paths.js";
import { applyNativeThreads, type NativeThreadOptions } from "./threads.js";
import { WASM_THREADS_NOTE, activateWasm, locateWasmFiles, reuseWasm, wasmState, type WasmReady } from "./wasm.js";

/** The backends `initBackend` accepts. */
export type BackendName = "auto" | "tensorflow" | "tensorflow-gpu" | "wasm" | "cpu";
export type ConcreteBackendName = Exclude<BackendName, "auto">;

export const BACKEND_NAMES: readonly BackendName[] = [
  "auto",
  "tensorflow",
  "tensorflow-gpu",
  "wasm",
  "cpu",
];

/** What is running: which backend, its version, and why a better one was not used. */
export interface BackendInfo {
  name: ConcreteBackendName;
  /** Versions of the backend's package and, for native backends, of TensorFlow itself. */
  version: string;
  /** Threads one operation may use (native: TensorFlow's intra-op pool). */
  threads?: number;
  /** Why `threads` has this value (its source, or why it cannot change). */
  threadsNote?: string;
  /** Where operations run: "cpu", or "gpu: <name>". */
  device?: string;
  /** wasm only: whether the WebAssembly SIMD build runs. */
  simd?: boolean;
  /** Set when `"auto"` could not use a faster backend this machine has: each one's reason. */
  fallbackReason?: string;
}

/** Options of `initBackend`; each applies to the backends it names and is ignored by the others. */
export interface InitBackendOptions extends NativeThreadOptions {
  /**
   * wasm: the folder holding `tfjs-backend-wasm*.wasm` (default: the installed package's
   * `dist/`, found without configuration). Only counts before the wasm backend first starts.
   */
  wasmPath?: string;
  /**
   * `"auto"`: do not print the warning that models run without native TensorFlow (printed
   * once per process on stderr; `ALBERT_QUIET=1` silences it too).
   */
  quiet?: boolean;
}

/** Why a synchronous `"auto"` passes over WebAssembly that could run. */
export const WASM_NOT_YET =
  "it initializes asynchronously and was not started: `await initBackend()` (or `AlbertBackbone.fromPreset`) before building a model uses it";

/** TF.js' registry name for each of ours. */
const TFJS_NAME: Record<ConcreteBackendName, string> = {
  tensorflow: "tensorflow",
  "tensorflow-gpu": "tensorflow",
  wasm: "wasm",
  cpu: "cpu",
};

let current: BackendInfo | undefined;

/** The backend chosen so far (by `initBackend`, or by the first model call), if any. */
export function currentBackend(): BackendInfo | undefined {
  if (current !== undefined && tf.getBackend() !== TFJS_NAME[current.name]) {
    current = undefined; // someone switched with tf.setBackend directly
  }
  return current;
}

/** A backend that cannot run here; `reason` is what `fallbackReason` quotes. */
class Unavailable extends BackendError {
  constructor(
    readonly backend: ConcreteBackendName,
    readonly reason: string,
  ) {
    super("unavailable", `The ${backend} backend is unavailable: ${reason}`);
  }
}

function switchTo(name: string): void {
  // tfjs-node and the cpu backend initialize synchronously, so this takes effect at once.
  void tf.setBackend(name);
  if (tf.getBackend() !== name) {
    throw new BackendError("init_failed", `TF.js could not switch to its ${name} backend`);
  }
}

function nativeInfo(name: "tensorflow" | "tensorflow-gpu", load: NativeLoad): BackendInfo {
  const gpu = gpuProbe();
  const build =
    load.name === GPU_PACKAGE && !load.usingGpu ? " (CUDA build running on the CPU)" : "";
  return {
    name,
    version: `${load.name} ${load.packageVersion}${build}, TensorFlow ${load.tensorflowVersion ?? "unknown"}`,
    threads: load.threads?.intraOp ?? 1,
    threadsNote: load.threads?.note ?? "",
    device: load.usingGpu ? `gpu: ${gpu.gpus[0] ?? "NVIDIA GPU"}` : "cpu",
  };
}

/** Native TensorFlow on the CPU: tfjs-node, or the CUDA build if that one is already loaded. */
function activateTensorflow(options: InitBackendOptions): BackendInfo {
  applyNativeThreads(options, loadedNative()?.threads);
  const load = loadedNative() ?? loadNative(CPU_PACKAGE);
  if (!load.ok) throw new Unavailable("tensorflow", load.reason ?? "unknown");
  switchTo("tensorflow");
  return (current = nativeInfo("tensorflow", load));
}

/** The CUDA build: only where a GPU and driver are present, and TensorFlow really uses the GPU. */
function activateTensorflowGpu(options: InitBackendOptions): BackendInfo {
  const loaded = loadedNative();
  if (loaded?.name !== GPU_PACKAGE) {
    const gpu = gpuProbe();
    if (!gpu.present) throw new Unavailable("tensorflow-gpu", gpu.reason ?? "no NVIDIA GPU");
    if (locateNativePackage(GPU_PACKAGE) === undefined) {
      throw new Unavailable("tensorflow-gpu", notSetUpReason(GPU_PACKAGE));
    }
  }
  applyNativeThreads(options, loaded?.threads);
  const load = loadNative(GPU_PACKAGE);
  if (!load.ok) throw new Unavailable("tensorflow-gpu", load.reason ?? "unknown");
  if (!load.usingGpu) {
    throw new Unavailable(
      "tensorflow-gpu",
      `${GPU_PACKAGE} loaded but TensorFlow found no usable GPU (${describeGpu(gpuProbe())}): its CUDA/cuDNN ` +
        `libraries are missing or do not match the driver; TF_CPP_MIN_LOG_LEVEL=0 shows TensorFlow's reason, ` +
        "and `npx albert-provision --gpu --force` sets them up again",
    );
  }
  switchTo("tensorflow");
  return (current = nativeInfo("tensorflow-gpu", load));
}

function wasmInfo(ready: WasmReady): BackendInfo {
  return (current = {
    name: "wasm",
    version: ready.version,
    threads: 1,
    threadsNote: WASM_THREADS_NOTE,
    device: "cpu",
    simd: ready.simd,
  });
}

async function activateWasmBackend(options: InitBackendOptions): Promise<BackendInfo> {
  try {
    return wasmInfo(await activateWasm(options.wasmPath));
  } catch (error) {
    if (error instanceof BackendError && error.code === "unavailable") {
      throw new Unavailable("wasm", error.message);
    }
    throw error;
  }
}

function activateCpu(): BackendInfo {
  // The cpu backend greets its first use in Node with advice to install tfjs-node; we report
  // the choice (and any fallback reason) ourselves, so mark it as already used.
  const cpu = tf.findBackend("cpu") as { firstUse?: boolean } | null;
  if (cpu !== null) cpu.firstUse = false;
  switchTo("cpu");
  return (current = {
    name: "cpu",
    version: `@tensorflow/tfjs-backend-cpu ${tf.version_core}`,
    threads: 1,
    threadsNote: "plain JavaScript runs on the calling thread",
    device: "cpu",
  });
}

/**
 * The native part of `"auto"`: the CUDA build where a GPU is present, then native CPU.
 * Collects each one's reason in `reasons`; a GPU the machine does not have is no reason.
 */
function autoNative(options: InitBackendOptions, reasons: string[]): BackendInfo | undefined {
  const attempts: Array<[ConcreteBackendName, () => BackendInfo]> = [];
  const gpuPossible =
    loadedNative()?.name === GPU_PACKAGE || (!loadedNative() && gpuProbe().present);
  if (gpuPossible) attempts.push(["tensorflow-gpu", () => activateTensorflowGpu(options)]);
  attempts.push(["tensorflow", () => activateTensorflow(options)]);
  for (const [, attempt] of attempts) {
    try {
      return attempt();
    } catch (error) {
      if (!(error instanceof Unavailable)) throw error;
      reasons.push(`${error.backend}: ${error.reason}`);
    }
  }
  return undefined;
}

function withFallbackReason(info: BackendInfo, reasons: string[]): BackendInfo {
  if (reasons.length > 0) current = info = { ...info, fallbackReason: reasons.join("; ") };
  return info;
}

/**
 * `"auto"` without native TensorFlow: records why on `info` and warns once per process, since
 * models now run many times slower (`reasons` holds the native backends' reasons first).
 */
function fellBack(
  info: BackendInfo,
  reasons: string[],
  options: InitBackendOptions,
  wasmNeedsAwait = false,
): BackendInfo {
  const native = reasons.filter((r) => r.startsWith("tensorflow"));
  const reason = native.map((r) => r.replace(/^tensorflow(-gpu)?: /, "")).join("; ");
  warnNativeFallback({ backend: info.name, reason, wasmNeedsAwait }, options.quiet === true);
  return withFallbackReason(info, reasons);
}

function unknownBackend(name: never): never {
  throw new BackendError(
    "unknown_backend",
    `Unknown backend ${JSON.stringify(name)}; allowed: ${BACKEND_NAMES.map((n) => `"${n}"`).join(", ")}`,
  );
}

/**
 * Chooses a backend synchronously: what `initBackend` does, except that `"auto"` can only
 * reuse WebAssembly (which initializes asynchronously) where it already ran in this process:
 * after native TensorFlow (GPU, then CPU) it takes wasm if it is ready, else plain JS.
 * Without native TensorFlow it warns once per process, as `initBackend` does.
 *
 * @example
 * const info = initBackendSync("auto", { threads: 2 });
 * if (info.fallbackReason) console.warn(`running on ${info.name}: ${info.fallbackReason}`);
 */
export function initBackendSync(
  name: BackendName = "auto",
  options: InitBackendOptions = {},
): BackendInfo {
  switch (name) {
    case "tensorflow":
      return activateTensorflow(options);
    case "tensorflow-gpu":
      return activateTensorflowGpu(options);
    case "cpu":
      return activateCpu();
    case "auto": {
      const reasons: string[] = [];
      const native = autoNative(options, reasons);
      if (native !== undefined) return withFallbackReason(native, reasons);
      // WebAssembly initializes asynchronously: synchronously it can only be reused.
      const wasm = reuseWasm();
      if (wasm !== undefined) return fellBack(wasmInfo(wasm), reasons, options);
      const { failure, dir } = wasmState();
      const files = locateWasmFiles(dir);
      const wasmNeedsAwait = failure === undefined && files.ok;
      reasons.push(`wasm: ${failure ?? (files.ok ? WASM_NOT_YET : files.reason ?? "unavailable")}`);
      return fellBack(activateCpu(), reasons, options, wasmNeedsAwait);
    }
    case "wasm":
      throw new BackendError(
        "unavailable",
        'The wasm backend initializes asynchronously: use `await initBackend("wasm")`',
      );
    default:
      return unknownBackend(name);
  }
}

/**
 * Selects the TF.js backend that models run on and reports it. `"auto"` takes the fastest
 * that works here: TensorFlow's CUDA build (where an NVIDIA GPU is present), native
 * TensorFlow on the CPU, WebAssembly (SIMD), then plain JS; when it settles for a slower one,
 * `fallbackReason` gives each faster one's reason (the loader's message, a missing file).
 *
 * Native thread counts (`threads`, `interOpThreads`) only count before the native library
 * loads: pass them to the first call. Asking for other counts later fails with `too_late`.
 *
 * @example
 * const info = await initBackend("auto");
 * console.log(info.name, info.version, info.fallbackReason ?? "");
 *
 * @example
 * await initBackend("tensorflow", { threads: 1 }); // one intra-op thread per operation
 * await initBackend("wasm");                        // WebAssembly, files found in the package
 */
export async function initBackend(
  name: BackendName = "auto",
  options: InitBackendOptions = {},
): Promise<BackendInfo> {
  let info: BackendInfo;
  if (name === "wasm") {
    info = await activateWasmBackend(options);
  } else if (name === "auto") {
    const reasons: string[] = [];
    const native = autoNative(options, reasons);
    if (native !== undefined) {
      info = withFallbackReason(native, reasons);
    } else {
      let wasm: BackendInfo | undefined;
      try {
        wasm = await activateWasmBackend(options);
      } catch (error) {
        if (!(error instanceof Unavailable)) throw error;
        reasons.push(`wasm: ${error.reason}`);
      }
      info = fellBack(wasm ?? activateCpu(), reasons, options);
    }
  } else {
    info = initBackendSync(name, options);
  }
  await tf.ready();
  return info;
}

/**
 * The current backend, choosing `"auto"` synchronously first when none was chosen: what a
 * model built with `new AlbertBackbone(...)` uses. Without native TensorFlow that is plain JS
 * unless WebAssembly already runs; `ensureBackendAsync` (what `fromPreset` uses) gets wasm.
 */
export function ensureBackend(): BackendInfo {
  return currentBackend() ?? initBackendSync("auto");
}

/**
 * The current backend, choosing `"auto"` first when none was chosen, exactly as
 * `await initBackend("auto")` (so WebAssembly before plain JS): what `diagnoseBackends()`
 * reports as `auto`. Asynchronous model entry points (`AlbertBackbone.fromPreset`) use it.
 *
 * @example
 * const info = await ensureBackendAsync(); // the backend chosen earlier, or "auto"'s pick
 */
export async function ensureBackendAsync(): Promise<BackendInfo> {
  return currentBackend() ?? initBackend("auto");
}
