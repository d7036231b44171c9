// @albert/backends in browser bundles (the "browser" export condition): webgpu, webgl, wasm and
// cpu. Nothing here reaches native TensorFlow, its provisioning, or a Node built-in.
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
} from "./browser/init-backend.js";
export {
  diagnoseBackends,
  formatDiagnosis,
  listBackends,
  type BackendAvailability,
  type BackendDiagnosis,
  type BackendsDiagnosis,
} from "./browser/diagnose.js";
export { probeWasm, probeWebGl, probeWebGpu, type Probe } from "./browser/probes.js";
