import * as tf from "@tensorflow/tfjs-core";
import { describeGpu, gpuProbe, type NvidiaGpuProbe } from "./gpu.js";
import { currentBackend, type BackendInfo, type ConcreteBackendName } from "./init-backend.js";
import {
  CPU_PACKAGE,
  GPU_PACKAGE,
  knownNativeLoad,
  loadNative,
  loadedNative,
  notSetUpReason,
  type NativeLoad,
} from "./native.js";
import { checkAddonLoads } from "./provision/native-addon.js";
import {
  exists,
  locateNativePackage,
  type NativePackage,
  type NativePackageLocation,
} from "./provision/paths.js";
import { readProvisionRecord, type ProvisionRecord } from "./provision/provision.js";
import { threadsFromEnvironment } from "./threads.js";
import { WASM_THREADS_NOTE, locateWasmFiles, wasmState } from "./wasm.js";

/** Where a native TF.js package is installed and what `albert-provision` set up in it. */
export interface NativePackageReport {
  name: NativePackage;
  version: string;
  dir: string;
  /** `albert-home`: set up by `albert-provision` under ALBERT_HOME; `node_modules`: installed otherwise. */
  origin: NativePackageLocation["origin"];
  /** The compiled binding tfjs-node loads (`lib/napi-v8/tfjs_binding.node`). */
  addonPath: string;
  addonBuilt: boolean;
  /** What `albert-provision` recorded (`deps/albert-provision.json`), if it set this package up. */
  provision?: ProvisionRecord;
}

/** One backend, as `albert doctor` shows it. */
export interface BackendDiagnosis {
  name: ConcreteBackendName;
  available: boolean;
  /** Models run on this backend now. */
  active: boolean;
  version?: string;
  threads?: number;
  threadsNote?: string;
  device?: string;
  /** wasm: whether the SIMD build runs. */
  simd?: boolean;
  /** Why it is not available here. */
  reason?: string;
  /** How availability was established. */
  checkedBy:
    | "loaded in this process"
    | "loaded in a child process"
    | "files checked"
    | "preconditions"
    | "built in";
  /** Native backends: the package and its provisioning record. */
  nativePackage?: NativePackageReport;
  /** wasm: the folder its binaries are loaded from. */
  wasmDir?: string;
}

/** Every backend, what `"auto"` picks, and the GPU probe. */
export interface BackendsDiagnosis {
  backends: BackendDiagnosis[];
  /** The backend models run on now, if one was chosen. */
  current?: BackendInfo;
  /**
   * What `await initBackend("auto")` picks on this machine (in a fresh process), and what a
   * model's first call uses when nothing was chosen, if it is asynchronous
   * (`AlbertBackbone.fromPreset`: `ensureBackendAsync`).
   */
  auto: ConcreteBackendName;
  /**
   * What a model built synchronously before any backend was chosen (`new AlbertBackbone`,
   * `fromConfig`: `ensureBackend`) runs on: `auto`, except that WebAssembly, which initializes
   * asynchronously, is only reused once it runs in this process (else plain JS).
   */
  autoSync: ConcreteBackendName;
  gpu: NvidiaGpuProbe;
  /** "linux x64, Node 20.20.2". */
  platform: string;
}

function packageReport(
  location: NativePackageLocation | undefined,
): NativePackageReport | undefined {
  if (location === undefined) return undefined;
  const provision = readProvisionRecord(location);
  return {
    name: location.name,
    version: location.version,
    dir: location.dir,
    origin: location.origin,
    addonPath: location.addonPath,
    addonBuilt: exists(location.addonPath),
    ...(provision === undefined ? {} : { provision }),
  };
}

function fromLoad(
  name: "tensorflow" | "tensorflow-gpu",
  load: NativeLoad,
  served: string,
): Omit<BackendDiagnosis, "name" | "active"> {
  return {
    available: true,
    version: `${load.name} ${load.packageVersion}${served}, TensorFlow ${load.tensorflowVersion ?? "unknown"}`,
    threads: load.threads?.intraOp ?? 1,
    threadsNote: load.threads?.note ?? "",
    device: load.usingGpu ? `gpu: ${gpuProbe().gpus[0] ?? "NVIDIA GPU"}` : "cpu",
    checkedBy: "loaded in this process",
  };
}

/** A native package checked in a child process: this one stays free to load the other build. */
function fromChild(
  name: NativePackage,
  location: NativePackageLocation,
  wantGpu: boolean,
): Omit<BackendDiagnosis, "name" | "active"> {
  const check = checkAddonLoads(location);
  const threads = threadsFromEnvironment();
  if (!check.ok)
    return {
      available: false,
      reason: `${name} failed to load: ${check.error}`,
      checkedBy: "loaded in a child process",
    };
  if (wantGpu && !check.gpu) {
    return {
      available: false,
      reason:
        `${name} loads but TensorFlow found no usable GPU` +
        (check.gpuLog && check.gpuLog.length > 0 ? ` (${check.gpuLog.join(" | ")})` : "") +
        "; `npx albert-provision --gpu --force` sets up its CUDA libraries again",
      checkedBy: "loaded in a child process",
    };
  }
  return {
    available: true,
    version: `${name} ${location.version}, TensorFlow ${check.tensorflowVersion ?? "unknown"}`,
    threads: threads.intraOp,
    threadsNote: threads.note,
    device: check.gpu ? `gpu: ${gpuProbe().gpus[0] ?? "NVIDIA GPU"}` : "cpu",
    checkedBy: "loaded in a child process",
  };
}

function unavailable(
  reason: string,
  checkedBy: BackendDiagnosis["checkedBy"],
): Omit<BackendDiagnosis, "name" | "active"> {
  return { available: false, reason, checkedBy };
}

function diagnoseGpu(
  gpu: NvidiaGpuProbe,
  location: NativePackageLocation | undefined,
): Omit<BackendDiagnosis, "name" | "active"> {
  const loaded = loadedNative();
  if (loaded?.name === GPU_PACKAGE) {
    return loaded.usingGpu
      ? fromLoad("tensorflow-gpu", loaded, "")
      : unavailable(
          `${GPU_PACKAGE} loaded but TensorFlow found no usable GPU (${describeGpu(gpu)})`,
          "loaded in this process",
        );
  }
  if (!gpu.present) return unavailable(gpu.reason ?? "no NVIDIA GPU", "preconditions");
  if (location === undefined) return unavailable(notSetUpReason(GPU_PACKAGE), "preconditions");
  if (!exists(location.addonPath)) {
    return unavailable(
      `${GPU_PACKAGE} has no native addon yet: run \`npx albert-provision --gpu\``,
      "preconditions",
    );
  }
  const failed = knownNativeLoad(GPU_PACKAGE);
  if (failed !== undefined && !failed.ok)
    return unavailable(failed.reason ?? "unknown", "loaded in this process");
  const child = fromChild(GPU_PACKAGE, location, true);
  if (child.available && loaded !== undefined) {
    child.threadsNote = `${child.threadsNote ?? ""}; only in a new process: this one already loaded ${loaded.name}`;
  }
  return child;
}

function diagnoseCpuNative(gpuStillPossible: boolean): Omit<BackendDiagnosis, "name" | "active"> {
  const loaded = loadedNative();
  if (loaded?.name === CPU_PACKAGE) return fromLoad("tensorflow", loaded, "");
  if (loaded?.name === GPU_PACKAGE)
    return fromLoad(
      "tensorflow",
      loaded,
      loaded.usingGpu ? "" : " (CUDA build running on the CPU)",
    );
  const location = locateNativePackage(CPU_PACKAGE);
  if (location === undefined)
    return unavailable(notSetUpReason(CPU_PACKAGE), "preconditions");
  const known = knownNativeLoad(CPU_PACKAGE);
  if (known !== undefined && !known.ok)
    return unavailable(known.reason ?? "unknown", "loaded in this process");
  // Loading the CPU build here would rule out the GPU build for the rest of this process.
  if (gpuStillPossible) return fromChild(CPU_PACKAGE, location, false);
  const load = loadNative(CPU_PACKAGE);
  return load.ok
    ? fromLoad("tensorflow", load, "")
    : unavailable(load.reason ?? "unknown", "loaded in this process");
}

function diagnoseWasm(): Omit<BackendDiagnosis, "name" | "active"> {
  const state = wasmState();
  if (state.failure !== undefined)
    return { ...unavailable(state.failure, "loaded in this process"), wasmDir: state.dir ?? "" };
  const files = locateWasmFiles(state.dir);
  const ready = state.ready === true;
  if (!files.ok)
    return { ...unavailable(files.reason ?? "unknown", "files checked"), wasmDir: files.dir };
  const simd = ready ? state.simd === true : files.simd;
  return {
    available: true,
    version: `@tensorflow/tfjs-backend-wasm ${files.packageVersion ?? "unknown"} (${simd ? "SIMD" : "no SIMD"})`,
    threads: 1,
    threadsNote: WASM_THREADS_NOTE,
    device: "cpu",
    simd,
    checkedBy: ready ? "loaded in this process" : "files checked",
    wasmDir: files.dir,
  };
}

/**
 * Reports every backend: available or not and why, version, threads, device, plus where the
 * native packages are and what `albert-provision` set up. This is what `albert doctor` prints
 * (through `formatDiagnosis`).
 *
 * It does not change the current backend. It loads `@tensorflow/tfjs-node` in this process
 * (fixing its thread count) unless a GPU build could still be chosen, in which case native
 * packages are checked in child processes; wasm is checked by validating its binaries.
 *
 * @example
 * const report = diagnoseBackends();
 * console.log(formatDiagnosis(report));
 * if (!report.backends.find((b) => b.name === "tensorflow")?.available) process.exitCode = 1;
 */
export function diagnoseBackends(): BackendsDiagnosis {
  const gpu = gpuProbe();
  const gpuLocation = locateNativePackage(GPU_PACKAGE);
  const cpuLocation = locateNativePackage(CPU_PACKAGE);
  const gpuStillPossible =
    loadedNative() === undefined &&
    gpu.present &&
    gpuLocation !== undefined &&
    exists(gpuLocation.addonPath);
  const current = currentBackend();
  const entries: Array<
    [
      ConcreteBackendName,
      Omit<BackendDiagnosis, "name" | "active">,
      NativePackageLocation | undefined,
    ]
  > = [
    ["tensorflow", diagnoseCpuNative(gpuStillPossible), cpuLocation],
    ["tensorflow-gpu", diagnoseGpu(gpu, gpuLocation), gpuLocation],
    ["wasm", diagnoseWasm(), undefined],
    [
      "cpu",
      {
        available: true,
        version: `@tensorflow/tfjs-backend-cpu ${tf.version_core}`,
        threads: 1,
        threadsNote: "plain JavaScript runs on the calling thread",
        device: "cpu",
        checkedBy: "built in",
      },
      undefined,
    ],
  ];
  const backends = entries.map(([name, diagnosis, location]): BackendDiagnosis => {
    const nativePackage = packageReport(location);
    return {
      name,
      ...diagnosis,
      active: current?.name === name,
      ...(nativePackage ? { nativePackage } : {}),
    };
  });
  const order: ConcreteBackendName[] = ["tensorflow-gpu", "tensorflow", "wasm", "cpu"];
  const auto = order.find((name) => backends.find((b) => b.name === name)?.available) ?? "cpu";
  const autoSync = auto === "wasm" && wasmState().ready !== true ? "cpu" : auto;
  return {
    backends,
    ...(current === undefined ? {} : { current }),
    auto,
    autoSync,
    gpu,
    platform: `${process.platform} ${process.arch}, Node ${process.versions.node}`,
  };
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? "").length)));
  return rows.map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd(),
  );
}

/**
 * The diagnosis as plain text: a table of backends, then why each unavailable one is not
 * available, thread notes, native packages and the GPU probe.
 *
 * @example
 * console.log(formatDiagnosis(diagnoseBackends()));
 * // Backend         Available  Version                                             Threads  Device
 * // tensorflow      yes *      @tensorflow/tfjs-node 4.22.0, TensorFlow 2.21.0     2        cpu
 * // ...
 */
export function formatDiagnosis(diagnosis: BackendsDiagnosis): string {
  const rows = [
    ["Backend", "Available", "Version", "Threads", "Device"],
    ...diagnosis.backends.map((b) => [
      b.name,
      `${b.available ? "yes" : "no"}${b.active ? " *" : ""}`,
      b.version ?? "-",
      b.threads === undefined ? "-" : String(b.threads),
      b.device ?? "-",
    ]),
  ];
  const lines = table(rows);
  if (diagnosis.backends.some((b) => b.active)) lines.push("(* models run on this one now)");
  lines.push(
    "",
    `auto picks: ${diagnosis.auto}${diagnosis.current?.fallbackReason ? ` (now: ${diagnosis.current.fallbackReason})` : ""}`,
  );
  if (diagnosis.autoSync !== diagnosis.auto) {
    lines.push(
      `  (a model built with new AlbertBackbone before any backend is chosen runs on ${diagnosis.autoSync}: ` +
        `${diagnosis.auto} initializes asynchronously; \`await initBackend()\` or AlbertBackbone.fromPreset picks it)`,
    );
  }
  if (diagnosis.auto !== "tensorflow" && diagnosis.auto !== "tensorflow-gpu") {
    lines.push("  native TensorFlow: run `npx albert-provision` to set it up");
  }
  const unavailable = diagnosis.backends.filter((b) => !b.available);
  if (unavailable.length > 0) {
    lines.push("", "Why not:");
    for (const b of unavailable) lines.push(`  ${b.name}: ${b.reason ?? "unknown"}`);
  }
  lines.push("", "Threads:");
  for (const b of diagnosis.backends.filter((b) => b.available && b.threadsNote))
    lines.push(`  ${b.name}: ${b.threadsNote}`);
  lines.push("", "Native packages:");
  for (const b of diagnosis.backends) {
    const pkg = b.nativePackage;
    if (b.name !== "tensorflow" && b.name !== "tensorflow-gpu") continue;
    if (pkg === undefined) {
      lines.push(`  ${b.name === "tensorflow" ? CPU_PACKAGE : GPU_PACKAGE}: not set up`);
      continue;
    }
    const record = pkg.provision;
    const origin = pkg.origin === "albert-home" ? "set up by albert-provision" : "installed in node_modules";
    lines.push(
      `  ${pkg.name} ${pkg.version} at ${pkg.dir} (${origin})`,
      `    addon: ${pkg.addonBuilt ? pkg.addonPath : "not built"}`,
      `    provisioned: ${record ? `TensorFlow ${record.tensorflowVersion} from ${record.source} (${record.detail}), ${record.provisionedAt}` : "no record (not set up by albert-provision)"}`,
    );
  }
  const wasm = diagnosis.backends.find((b) => b.name === "wasm");
  if (wasm?.wasmDir) lines.push("", `WebAssembly binaries: ${wasm.wasmDir}`);
  lines.push(`GPU: ${describeGpu(diagnosis.gpu)}`, `Platform: ${diagnosis.platform}`);
  return lines.join("\n");
}
