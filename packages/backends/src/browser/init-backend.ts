// initBackend in browser bundles (the "browser" export condition of @albert/backends):
// webgpu, webgl, wasm and cpu, each loaded on first use (dynamic imports: a page that runs on
// WebAssembly downloads no WebGL or WebGPU code), and "auto" choosing among them with reasons.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { BackendError } from "../errors.js";
import type { BackendInfo as NodeBackendInfo } from "../init-backend.js";
import { crossOriginIsolated, hardwareConcurrency, probeWasm, probeWebGl, probeWebGpu, type Probe } from "./probes.js";

/** The backends `initBackend` accepts in a browser. */
export type BackendName = "auto" | "webgpu" | "webgl" | "wasm" | "cpu";
export type ConcreteBackendName = Exclude<BackendName, "auto">;

export const BACKEND_NAMES: readonly BackendName[] = ["auto", "webgpu", "webgl", "wasm", "cpu"];

/** What is running: which backend, its version (`device`: "cpu" or "gpu: <adapter or
 * renderer>"; `threads`: XNNPACK's pool for wasm), and why a faster one was not used: the
 * Node build's fields, with the browser's backend names. */
export interface BackendInfo extends Omit<NodeBackendInfo, "name"> {
  name: ConcreteBackendName;
}

/** Options of `initBackend`; each applies to the backends it names and is ignored by the others. */
export interface InitBackendOptions {
  /**
   * wasm: the URL of the folder serving `tfjs-backend-wasm.wasm`, `tfjs-backend-wasm-simd.wasm`
   * and `tfjs-backend-wasm-threaded-simd.wasm` (copied from `@tensorflow/tfjs-backend-wasm/dist/`),
   * as `application/wasm`. Default: beside the script. Only counts before wasm first starts.
   */
  wasmPath?: string;
  /** wasm: threads for XNNPACK where the page is cross-origin isolated (default: one per core). */
  threads?: number;
  /** `"auto"`: do not log (console.info) which backend it chose and why. */
  quiet?: boolean;
}

class Unavailable extends BackendError {
  constructor(
    readonly backend: ConcreteBackendName,
    readonly reason: string,
  ) {
    super("unavailable", `The ${backend} backend is unavailable: ${reason}`);
  }
}

let current: BackendInfo | undefined;
/** Backends that initialized in this page, by name (TF.js keeps them, switching is instant). */
const ready = new Map<ConcreteBackendName, BackendInfo>();
/** Backends whose initialization failed: TF.js cannot retry them in the same page. */
const failed = new Map<ConcreteBackendName, string>();

/** The backend chosen so far (by `initBackend`, or by the first model call), if any. */
export function currentBackend(): BackendInfo | undefined {
  if (current !== undefined && tf.getBackend() !== current.name) current = undefined; // tf.setBackend was called directly
  return current;
}

async function switchTo(name: ConcreteBackendName): Promise<void> {
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
  } catch (error) {
    ok = false;
    failed.set(name, (error as Error).message);
  }
  if (!ok || tf.getBackend() !== name) {
    const reason = failed.get(name) ?? "TF.js could not initialize it (see the console for its message)";
    failed.set(name, reason);
    throw new Unavailable(name, reason);
  }
}

// === Each backend ===

function usable(name: ConcreteBackendName, probe: Probe): void {
  if (!probe.ok) throw new Unavailable(name, probe.reason ?? "unavailable");
}

async function activateWebGpu(): Promise<BackendInfo> {
  const probe = await probeWebGpu();
  usable("webgpu", probe);
  await import("@tensorflow/tfjs-backend-webgpu");
  await switchTo("webgpu");
  return { name: "webgpu", version: `@tensorflow/tfjs-backend-webgpu ${tf.version_core}`, device: probe.device ?? "gpu" };
}

async function activateWebGl(): Promise<BackendInfo> {
  const probe = probeWebGl();
  usable("webgl", probe);
  const webgl = await import("@tensorflow/tfjs-backend-webgl");
  await switchTo("webgl");
  return { name: "webgl", version: `@tensorflow/tfjs-backend-webgl ${webgl.version_webgl}`, device: probe.device ?? "gpu" };
}

let wasmDir: string | undefined;

async function activateWasm(options: InitBackendOptions): Promise<BackendInfo> {
  usable("wasm", probeWasm());
  if (options.threads !== undefined && !(Number.isInteger(options.threads) && options.threads >= 1)) {
    throw new BackendError("invalid_option", `threads must be a positive integer, got ${String(options.threads)}`);
  }
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  if (!ready.has("wasm")) {
    if (options.wasmPath !== undefined) {
      wasmDir = options.wasmPath.endsWith("/") ? options.wasmPath : `${options.wasmPath}/`;
      wasm.setWasmPaths(wasmDir);
    }
    if (options.threads !== undefined) wasm.setThreadsCount(options.threads);
  } else if (options.wasmPath !== undefined && wasmDir !== (options.wasmPath.endsWith("/") ? options.wasmPath : `${options.wasmPath}/`)) {
    throw new BackendError(
      "too_late",
      `The wasm backend already runs from ${wasmDir ?? "the default folder"}; wasmPath only counts before its first initialization`,
    );
  }
  try {
    await switchTo("wasm");
  } catch (error) {
    const where = wasmDir ?? "beside the script";
    throw new Unavailable(
      "wasm",
      `${(error as Unavailable).reason}; check that the .wasm files of @tensorflow/tfjs-backend-wasm are served ${where} ` +
        "(as application/wasm) and pass that folder as wasmPath",
    );
  }
  const simd = (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) === true;
  const multithread = (await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT")) === true;
  const threads = multithread ? wasm.getThreadsCount() : 1;
  const asked = options.threads === undefined ? "" : `, ${options.threads} asked for`;
  const threadsNote = multithread
    ? `threaded build: XNNPACK's pool has ${threads} thread(s) of ${hardwareConcurrency()} cores${asked}`
    : crossOriginIsolated()
      ? "this browser cannot share WebAssembly memory with workers: one thread"
      : "one thread: the threaded build needs a cross-origin isolated page (Cross-Origin-Opener-Policy: same-origin, Cross-Origin-Embedder-Policy: require-corp)";
  return {
    name: "wasm",
    version: `@tensorflow/tfjs-backend-wasm ${wasm.version_wasm} (${simd ? "SIMD" : "no SIMD"}${multithread ? ", threads" : ""})`,
    threads,
    threadsNote,
    device: "cpu",
    simd,
  };
}

async function activateCpu(): Promise<BackendInfo> {
  await switchTo("cpu");
  return {
    name: "cpu",
    version: `@tensorflow/tfjs-backend-cpu ${tf.version_core}`,
    threads: 1,
    threadsNote: "plain JavaScript runs on the page's thread",
    device: "cpu",
  };
}

async function activate(name: ConcreteBackendName, options: InitBackendOptions): Promise<BackendInfo> {
  const known = ready.get(name);
  if (known !== undefined) {
    if (name === "wasm" && options.wasmPath !== undefined) await activateWasm(options); // checks too_late
    await switchTo(name);
    return (current = known);
  }
  const previous = failed.get(name);
  if (previous !== undefined) throw new Unavailable(name, `${previous} (TF.js cannot initialize a backend twice in one page)`);
  const activators: Record<ConcreteBackendName, () => Promise<BackendInfo>> = {
    webgpu: activateWebGpu,
    webgl: activateWebGl,
    wasm: () => activateWasm(options),
    cpu: activateCpu,
  };
  const info = await activators[name]();
  ready.set(name, info);
  return (current = info);
}

// === "auto" ===

/** Why "auto" passes over a GPU backend that would run on a software renderer. */
async function hardwareOnly(name: "webgpu" | "webgl"): Promise<void> {
  const probe = name === "webgpu" ? await probeWebGpu() : probeWebGl();
  usable(name, probe);
  if (probe.software === true) {
    throw new Unavailable(name, `its only device is a software renderer (${probe.device?.replace(/^gpu: /, "")}), slower than WebAssembly`);
  }
}

function unknownBackend(name: unknown): never {
  throw new BackendError(
    "unknown_backend",
    `Unknown backend ${JSON.stringify(name)}; allowed in a browser: ${BACKEND_NAMES.map((n) => `"${n}"`).join(", ")}`,
  );
}

/**
 * Selects the TF.js backend that models run on in this page and reports it. `"auto"` takes the
 * fastest that works: WebGPU, then WebGL2 (each only on a hardware GPU: on a software renderer
 * such as SwiftShader they are slower than WebAssembly), then WebAssembly (SIMD; threaded where
 * the page is cross-origin isolated), then plain JS; `fallbackReason` gives each faster one's
 * reason. Asking for a backend by name uses it even on a software renderer.
 *
 * @example
 * const info = await initBackend("auto", { wasmPath: "/wasm/" });
 * console.log(info.name, info.device, info.fallbackReason ?? "");
 */
export async function initBackend(name: BackendName = "auto", options: InitBackendOptions = {}): Promise<BackendInfo> {
  if (name !== "auto") {
    if (!(BACKEND_NAMES as readonly string[]).includes(name)) unknownBackend(name);
    const info = await activate(name, options);
    await tf.ready();
    return info;
  }
  const reasons: string[] = [];
  for (const candidate of ["webgpu", "webgl", "wasm", "cpu"] as const) {
    try {
      if ((candidate === "webgpu" || candidate === "webgl") && !ready.has(candidate)) await hardwareOnly(candidate);
      let info = await activate(candidate, options);
      if (reasons.length > 0) info = current = { ...info, fallbackReason: reasons.join("; ") };
      if (options.quiet !== true && reasons.length > 0) {
        console.info(`@albert/backends: models run on ${info.name} (${reasons.join("; ")})`);
      }
      await tf.ready();
      return info;
    } catch (error) {
      if (!(error instanceof Unavailable)) throw error;
      reasons.push(`${error.backend}: ${error.reason}`);
    }
  }
  throw new BackendError("unavailable", `No backend runs in this page: ${reasons.join("; ")}`);
}

let warned = false;

/**
 * Chooses a backend synchronously (for `new AlbertBackbone(...)` before any `initBackend`):
 * a backend that already runs in this page, else plain JS, with one console warning, since
 * WebGPU, WebGL and WebAssembly load asynchronously: `await initBackend()` first to use them.
 */
export function initBackendSync(name: BackendName = "auto", options: InitBackendOptions = {}): BackendInfo {
  if (name !== "auto" && name !== "cpu") {
    if (!(BACKEND_NAMES as readonly string[]).includes(name)) unknownBackend(name);
    const known = ready.get(name);
    if (known !== undefined && tf.findBackend(name) !== null) {
      void tf.setBackend(name);
      if (tf.getBackend() === name) return (current = known);
    }
    throw new BackendError("unavailable", `The ${name} backend loads asynchronously in a browser: use \`await initBackend("${name}")\``);
  }
  if (name === "auto") {
    for (const candidate of ["webgpu", "webgl", "wasm"] as const) {
      const known = ready.get(candidate);
      if (known === undefined) continue;
      void tf.setBackend(candidate);
      if (tf.getBackend() === candidate) return (current = known);
    }
  }
  void tf.setBackend("cpu");
  const info: BackendInfo = {
    name: "cpu",
    version: `@tensorflow/tfjs-backend-cpu ${tf.version_core}`,
    threads: 1,
    threadsNote: "plain JavaScript runs on the page's thread",
    device: "cpu",
  };
  ready.set("cpu", info);
  if (name === "auto") {
    const withReason = { ...info, fallbackReason: "webgpu, webgl and wasm load asynchronously: `await initBackend()` before building a model" };
    if (!warned && options.quiet !== true) {
      warned = true;
      console.warn(`@albert/backends: a model was built before any backend was chosen, so it runs on plain JS (slow); ${withReason.fallbackReason}`);
    }
    return (current = withReason);
  }
  return (current = info);
}

/** The current backend, choosing synchronously when none was chosen (see `initBackendSync`). */
export function ensureBackend(): BackendInfo {
  return currentBackend() ?? initBackendSync("auto");
}

/** The current backend, or `await initBackend("auto")`'s choice when none was chosen. */
export async function ensureBackendAsync(): Promise<BackendInfo> {
  return currentBackend() ?? initBackend("auto");
}

/** What happened to each backend in this page so far (for `diagnoseBackends`). */
export function backendStates(): { ready: ReadonlyMap<ConcreteBackendName, BackendInfo>; failed: ReadonlyMap<ConcreteBackendName, string> } {
  return { ready, failed };
}
