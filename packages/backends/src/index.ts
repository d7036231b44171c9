export { BackendError, type BackendErrorCode } from "./errors.js";
export {
  BACKEND_NAMES,
  currentBackend,
  ensureBackend,
  ensureBackendAsync,
  initBackend,
  initBackendSync,
  type BackendInfo,
  type BackendName,
  type ConcreteBackendName,
  type InitBackendOptions,
} from "./init-backend.js";
export { listBackends, type BackendAvailability } from "./list-backends.js";
export {
  diagnoseBackends,
  formatDiagnosis,
  type BackendDiagnosis,
  type BackendsDiagnosis,
  type NativePackageReport,
} from "./diagnose.js";
export { detectNvidiaGpu, type DetectNvidiaGpuOptions, type NvidiaGpuProbe } from "./gpu.js";
export { locateWasmFiles, type WasmFiles } from "./wasm.js";
export { threadsFromEnvironment, type NativeThreadOptions, type NativeThreads } from "./threads.js";
export {
  provisionNative,
  readProvisionRecord,
  type ProvisionOptions,
  type ProvisionRecord,
  type ProvisionReport,
} from "./provision/provision.js";
