import { createRequire } from "node:module";
import * as tf from "@tensorflow/tfjs-core";
import {
  locateNativePackage,
  nativeFolder,
  type NativePackage,
  type NativePackageLocation,
} from "./provision/paths.js";
import { readProvisionRecord } from "./provision/provision.js";
import { shareTfjsWith } from "./shared-tfjs.js";
import { threadsFromEnvironment, type NativeThreads } from "./threads.js";

const require = createRequire(import.meta.url);

export const CPU_PACKAGE = "@tensorflow/tfjs-node";
export const GPU_PACKAGE = "@tensorflow/tfjs-node-gpu";

export interface NativeLoad {
  ok: boolean;
  name: NativePackage;
  /** Where the package is installed, when it is. */
  location?: NativePackageLocation;
  /** The native package's version. */
  packageVersion?: string;
  /** TensorFlow's version, as the loaded C library reports it. */
  tensorflowVersion?: string;
  /** Whether TensorFlow runs its operations on a GPU (only the CUDA build can). */
  usingGpu?: boolean;
  /** The thread counts TensorFlow read from the environment when it loaded. */
  threads?: NativeThreads;
  /** Why it could not be loaded (the loader's own message), with what to do. */
  reason?: string;
}

interface TensorflowBackend {
  isUsingGpuDevice?: boolean;
  binding?: { TF_Version?: string };
}

const loads = new Map<NativePackage, NativeLoad>();

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split("\n")[0] ?? "";
}

/** The native package loaded in this process, if one is. There can be only one. */
export function loadedNative(): NativeLoad | undefined {
  return [...loads.values()].find((load) => load.ok);
}

/** What `loadNative` found so far for `name`, without loading anything. */
export function knownNativeLoad(name: NativePackage): NativeLoad | undefined {
  return loads.get(name);
}

/**
 * tfjs-node registers its kernels before it loads its addon, so a failed load leaves kernels
 * for a "tensorflow" backend that does not exist; removing them keeps a later load of the
 * other build (CPU or GPU) from warning about each one twice.
 */
function forgetOrphanKernels(): void {
  if (tf.findBackendFactory("tensorflow") !== null) return;
  for (const kernel of tf.getKernelsForBackend("tensorflow"))
    tf.unregisterKernel(kernel.kernelName, "tensorflow");
}

function whatToDo(name: NativePackage): string {
  return name === GPU_PACKAGE ? "npx albert-provision --gpu" : "npx albert-provision";
}

/** Why a native package is not there, and the command that sets it up. */
export function notSetUpReason(name: NativePackage): string {
  return (
    `${name === GPU_PACKAGE ? "TensorFlow's CUDA build" : "native TensorFlow"} is not set up on this machine ` +
    `(no ${name} in ${nativeFolder(name)}): run \`${whatToDo(name)}\``
  );
}

/**
 * Loads a native TF.js package once (it registers the "tensorflow" backend with tfjs-core on
 * load). The outcome is remembered: a native library that failed to load is not retried. The
 * CPU and GPU builds cannot both load in one process; asking for the second says so.
 */
export function loadNative(name: NativePackage): NativeLoad {
  const known = loads.get(name);
  if (known) return known;
  const other = loadedNative();
  if (other !== undefined) {
    return {
      ok: false,
      name,
      reason:
        `${other.name} is already loaded in this process and only one native TensorFlow can be; ` +
        `choose ${name === GPU_PACKAGE ? '"tensorflow-gpu"' : '"tensorflow"'} before anything loads ${other.name} ` +
        `(the first initBackend call, before models run or listBackends()/diagnoseBackends())`,
    };
  }
  let result: NativeLoad;
  const location = locateNativePackage(name);
  if (location === undefined) {
    result = { ok: false, name, reason: notSetUpReason(name) };
  } else {
    // TensorFlow's C++ logging (CPU feature notices, absl preamble) is noise for library
    // users; TF_CPP_MIN_LOG_LEVEL=0 in the environment brings it back.
    process.env["TF_CPP_MIN_LOG_LEVEL"] ??= "2";
    // oneDNN's kernels (fused matmul+bias+GELU, LayerNorm) make the inference graph ~15%
    // faster at batch 8 than TensorFlow's defaults on x86 CPUs without AMX/AVX-512 VNNI.
    // TensorFlow reads the setting once, while loading (and announces it with one line on
    // stderr); TF_ENABLE_ONEDNN_OPTS=0 opts out. Our default is set for the load only, so
    // child processes of the application start from the user's environment.
    const onednnUnset = process.env["TF_ENABLE_ONEDNN_OPTS"] === undefined;
    if (onednnUnset) process.env["TF_ENABLE_ONEDNN_OPTS"] = "1";
    // Without this TensorFlow reserves nearly all GPU memory up front.
    if (name === GPU_PACKAGE) process.env["TF_FORCE_GPU_ALLOW_GROWTH"] ??= "true";
    const threads = threadsFromEnvironment();
    // tfjs-node switches TF.js to itself on load; loading is not choosing, so switch back.
    const previous = (tf.engine() as { backendName?: string | null }).backendName ?? null;
    try {
      try {
        // One tfjs-core in the process: the package's tree resolves it to ours.
        shareTfjsWith(location.dir);
        require(location.dir);
      } finally {
        if (onednnUnset) delete process.env["TF_ENABLE_ONEDNN_OPTS"];
      }
      if (previous !== null && previous !== "tensorflow") void tf.setBackend(previous);
      const backend = tf.findBackend("tensorflow") as TensorflowBackend | null;
      result = {
        ok: true,
        name,
        location,
        packageVersion: location.version,
        tensorflowVersion: backend?.binding?.TF_Version ?? "unknown",
        usingGpu: backend?.isUsingGpuDevice === true,
        threads,
      };
    } catch (error) {
      forgetOrphanKernels();
      const provisioned = readProvisionRecord(location) !== undefined;
      result = {
        ok: false,
        name,
        location,
        packageVersion: location.version,
        reason:
          `${name} failed to load: ${firstLine(error)}` +
          (provisioned ? "" : ` (run \`${whatToDo(name)}\` to set up its native runtime)`),
      };
    }
  }
  loads.set(name, result);
  return result;
}

/**
 * @internal Tests forget what was tried (all packages, or `name`). A library that did load
 * stays in the process: forget only failures unless the test knows what it does.
 */
export function forgetNativeLoads(name?: NativePackage): void {
  if (name === undefined) loads.clear();
  else loads.delete(name);
}
