import { loadNative } from "./native.js";
import type { ConcreteBackendName } from "./init-backend.js";
import { locateNativePackage } from "./provision/paths.js";

/** Whether a backend can run here and, if not, why. */
export interface BackendAvailability {
  name: ConcreteBackendName;
  available: boolean;
  version?: string;
  reason?: string;
}

/**
 * Every known backend, available or not. Checking native availability loads the native
 * package (once per process); it does not change the current backend.
 */
export function listBackends(): BackendAvailability[] {
  const native = loadNative("@tensorflow/tfjs-node");
  const gpuInstalled = locateNativePackage("@tensorflow/tfjs-node-gpu") !== undefined;
  const gpu = gpuInstalled ? loadNative("@tensorflow/tfjs-node-gpu") : undefined;
  return [
    native.ok
      ? { name: "tensorflow", available: true, version: `@tensorflow/tfjs-node ${native.packageVersion}` }
      : { name: "tensorflow", available: false, reason: native.reason ?? "unknown" },
    gpu?.ok
      ? { name: "tensorflow-gpu", available: true, version: `@tensorflow/tfjs-node-gpu ${gpu.packageVersion}` }
      : {
          name: "tensorflow-gpu",
          available: false,
          reason: gpu?.reason ?? "@tensorflow/tfjs-node-gpu is not installed",
        },
    { name: "wasm", available: false, reason: "not part of this version of @albert/backends" },
    { name: "cpu", available: true, version: "@tensorflow/tfjs-backend-cpu" },
  ];
}
