import { backendStates, currentBackend, type BackendInfo, type ConcreteBackendName } from "./init-backend.js";
import { probeWasm, probeWebGl, probeWebGpu, type Probe } from "./probes.js";

/** Whether a backend can run in this page and, if not, why. */
export interface BackendAvailability {
  name: ConcreteBackendName;
  available: boolean;
  version?: string;
  reason?: string;
}

/** One backend, as `diagnoseBackends` reports it in a browser. */
export interface BackendDiagnosis extends BackendAvailability {
  /** Models run on it now. */
  active: boolean;
  device?: string;
  threads?: number;
  threadsNote?: string;
  simd?: boolean;
  /** A GPU backend whose device is a software renderer (`"auto"` passes it over). */
  software?: boolean;
  checkedBy: "loaded in this page" | "probed" | "built in";
}

/** Every backend, and the current one. */
export interface BackendsDiagnosis {
  backends: BackendDiagnosis[];
  current?: BackendInfo;
  /** "browser: <user agent>". */
  platform: string;
}

function fromProbe(name: ConcreteBackendName, probe: Probe): Omit<BackendDiagnosis, "active"> {
  const failure = backendStates().failed.get(name);
  if (failure !== undefined) return { name, available: false, reason: failure, checkedBy: "loaded in this page" };
  return {
    name,
    available: probe.ok,
    ...(probe.reason === undefined ? {} : { reason: probe.reason }),
    ...(probe.device === undefined ? {} : { device: probe.device }),
    ...(probe.software === true ? { software: true } : {}),
    checkedBy: "probed",
  };
}

function withState(entry: Omit<BackendDiagnosis, "active">): BackendDiagnosis {
  const info = backendStates().ready.get(entry.name);
  const active = currentBackend()?.name === entry.name;
  if (info === undefined) return { ...entry, active };
  const { fallbackReason: _ignored, ...rest } = info;
  return { ...entry, ...rest, available: true, active, checkedBy: "loaded in this page" };
}

/**
 * Each backend, available or not and why not, from what the page can tell without loading
 * them (WebGPU's adapter needs `diagnoseBackends`, which is asynchronous).
 */
export function listBackends(): BackendAvailability[] {
  const gpu = (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu;
  const webgpu: Probe = gpu === undefined ? { ok: false, reason: "navigator.gpu is missing: this browser has no WebGPU" } : { ok: true };
  const entries = [fromProbe("webgpu", webgpu), fromProbe("webgl", probeWebGl()), fromProbe("wasm", probeWasm())];
  const all = [...entries.map(withState), withState({ name: "cpu", available: true, checkedBy: "built in" })];
  return all.map(({ name, available, version, reason }) => ({
    name,
    available,
    ...(version === undefined ? {} : { version }),
    ...(reason === undefined ? {} : { reason }),
  }));
}

/**
 * Every backend in this page: available or not and why, its device (GPU adapter or renderer,
 * marked when it is a software one), and for those already loaded their version and threads.
 * It does not change the current backend.
 *
 * @example
 * console.log(formatDiagnosis(await diagnoseBackends()));
 */
export async function diagnoseBackends(): Promise<BackendsDiagnosis> {
  const backends = [
    withState(fromProbe("webgpu", await probeWebGpu())),
    withState(fromProbe("webgl", probeWebGl())),
    withState(fromProbe("wasm", probeWasm())),
    withState({ name: "cpu", available: true, device: "cpu", checkedBy: "built in" }),
  ];
  const current = currentBackend();
  const agent = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent ?? "unknown";
  return { backends, ...(current === undefined ? {} : { current }), platform: `browser: ${agent}` };
}

/** The diagnosis as text, one line per backend. */
export function formatDiagnosis(diagnosis: BackendsDiagnosis): string {
  const lines = [diagnosis.platform];
  for (const b of diagnosis.backends) {
    const mark = b.active ? "*" : b.available ? "+" : "-";
    const detail = b.available
      ? [b.version, b.device, b.software ? "software renderer" : undefined, b.threads === undefined ? undefined : `${b.threads} thread(s)`]
          .filter((s) => s !== undefined)
          .join(", ")
      : b.reason;
    lines.push(`${mark} ${b.name.padEnd(6)} ${detail ?? ""}`);
  }
  return lines.join("\n");
}
