export { BackendError, type BackendErrorCode } from "./errors.js";
export {
  BACKEND_NAMES,
  currentBackend,
  ensureBackend,
  initBackend,
  initBackendSync,
  type BackendInfo,
  type BackendName,
  type ConcreteBackendName,
} from "./init-backend.js";
export { listBackends, type BackendAvailability } from "./list-backends.js";
export {
  provisionNative,
  readProvisionRecord,
  type ProvisionOptions,
  type ProvisionRecord,
  type ProvisionReport,
} from "./provision/provision.js";
