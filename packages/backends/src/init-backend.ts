import { availableParallelism } from "node:os";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { BackendError } from "./errors.js";
import { loadNative } from "./native.js";

/** The backends `initBackend` accepts. */
export type BackendName = "auto" | "tensorflow" | "tensorflow-gpu" | "wasm" | "cpu";
export type ConcreteBackendName = Exclude<BackendName, "auto">;

export const BACKEND_NAMES: readonly BackendName[] = ["auto", "tensorflow", "tensorflow-gpu", "wasm", "cpu"];

/** What is running: which backend, its version, and why a better one was not used. */
export interface BackendInfo {
  name: ConcreteBackendName;
  /** Versions of the backend's package and, for native backends, of TensorFlow itself. */
  version: string;
  threads?: number;
  device?: string;
  /** Set when `"auto"` could not use a faster backend: the reason it gave. */
  fallbackReason?: string;
}

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

function tensorflowVersion(): string | undefined {
  const backend = tf.findBackend("tensorflow") as { binding?: { TF_Version?: string } } | null;
  return backend?.binding?.TF_Version;
}

function activate(info: BackendInfo): BackendInfo {
  // tfjs-node and the cpu backend initialize synchronously, so this takes effect at once.
  void tf.setBackend(TFJS_NAME[info.name]);
  if (tf.getBackend() !== TFJS_NAME[info.name]) {
    throw new BackendError("init_failed", `TF.js could not switch to the ${info.name} backend`);
  }
  current = info;
  return info;
}

function activateNative(name: "tensorflow" | "tensorflow-gpu"): BackendInfo {
  const pkg = name === "tensorflow" ? "@tensorflow/tfjs-node" : "@tensorflow/tfjs-node-gpu";
  const load = loadNative(pkg);
  if (!load.ok) throw new BackendError("unavailable", `The ${name} backend is unavailable: ${load.reason}`);
  activate({ name, version: "", device: name === "tensorflow" ? "cpu" : "gpu" });
  current = {
    name,
    version: `${pkg} ${load.packageVersion}, TensorFlow ${tensorflowVersion() ?? "unknown"}`,
    threads: availableParallelism(),
    device: name === "tensorflow" ? "cpu" : "gpu",
  };
  return current;
}

function activateCpu(fallbackReason?: string): BackendInfo {
  // The cpu backend greets its first use in Node with advice to install tfjs-node; we report
  // the choice (and any fallback reason) ourselves, so mark it as already used.
  const cpu = tf.findBackend("cpu") as { firstUse?: boolean } | null;
  if (cpu !== null) cpu.firstUse = false;
  return activate({
    name: "cpu",
    version: `@tensorflow/tfjs-backend-cpu ${tf.version_core}`,
    threads: 1,
    device: "cpu",
    ...(fallbackReason === undefined ? {} : { fallbackReason }),
  });
}

/**
 * Chooses a backend synchronously: what `initBackend` does for `"tensorflow"`, `"cpu"` and
 * `"auto"` (native, else plain JS). Model calls use it when no backend was chosen yet.
 */
export function initBackendSync(name: BackendName = "auto"): BackendInfo {
  switch (name) {
    case "tensorflow":
    case "tensorflow-gpu":
      return activateNative(name);
    case "cpu":
      return activateCpu();
    case "auto": {
      try {
        return activateNative("tensorflow");
      } catch (error) {
        return activateCpu((error as Error).message);
      }
    }
    case "wasm":
      throw new BackendError(
        "unavailable",
        'The wasm backend initializes asynchronously: use `await initBackend("wasm")`',
      );
    default:
      throw new BackendError(
        "unknown_backend",
        `Unknown backend ${JSON.stringify(name)}; allowed: ${BACKEND_NAMES.map((n) => `"${n}"`).join(", ")}`,
      );
  }
}

/**
 * Selects the TF.js backend that models run on and reports it. `"auto"` picks native
 * TensorFlow when it loads, else the best fallback, and says why in `fallbackReason`.
 *
 * @example
 * const info = await initBackend("auto");
 * console.log(info.name, info.version, info.fallbackReason ?? "");
 */
export async function initBackend(name: BackendName = "auto"): Promise<BackendInfo> {
  if (name === "wasm") {
    throw new BackendError("unavailable", "The wasm backend is not part of this version of @albert/backends");
  }
  const info = initBackendSync(name);
  await tf.ready();
  return info;
}

/** The current backend, choosing `"auto"` first when none was chosen. Used by models. */
export function ensureBackend(): BackendInfo {
  return currentBackend() ?? initBackendSync("auto");
}
