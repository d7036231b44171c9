import { diagnoseBackends } from "./diagnose.js";
import type { ConcreteBackendName } from "./init-backend.js";

/** Whether a backend can run here and, if not, why. */
export interface BackendAvailability {
  name: ConcreteBackendName;
  available: boolean;
  version?: string;
  reason?: string;
}

/**
 * Every known backend, available or not, and why not: the short form of
 * `diagnoseBackends()`. It does not change the current backend; like it, it may load
 * `@tensorflow/tfjs-node` in this process (once), which fixes its thread count.
 *
 * @example
 * for (const b of listBackends()) console.log(b.name, b.available ? b.version : `no: ${b.reason}`);
 */
export function listBackends(): BackendAvailability[] {
  return diagnoseBackends().backends.map(({ name, available, version, reason }) => ({
    name,
    available,
    ...(version === undefined ? {} : { version }),
    ...(reason === undefined ? {} : { reason }),
  }));
}
