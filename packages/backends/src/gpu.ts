import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";

/** What this machine offers the CUDA build of TensorFlow. */
export interface NvidiaGpuProbe {
  /** An NVIDIA driver is loaded and a GPU is visible to this process. */
  present: boolean;
  /** The kernel driver's version (from nvidia-smi or /proc/driver/nvidia/version). */
  driverVersion?: string;
  /** GPU names as nvidia-smi lists them (empty when only the driver file was found). */
  gpus: string[];
  /** Why no GPU can be used, when `present` is false. */
  reason?: string;
}

export interface DetectNvidiaGpuOptions {
  /** The NVIDIA kernel module's version file (default `/proc/driver/nvidia/version`). */
  procVersionFile?: string;
  /** The nvidia-smi command (default `nvidia-smi`, looked up on PATH). */
  nvidiaSmi?: string;
  /** The environment to read `CUDA_VISIBLE_DEVICES` and PATH from (default `process.env`). */
  env?: Record<string, string | undefined>;
}

const PROC_VERSION_FILE = "/proc/driver/nvidia/version";

/**
 * Looks for an NVIDIA GPU and driver the way a user would: `nvidia-smi`, then the kernel
 * module's `/proc/driver/nvidia/version`. It does not load CUDA or TensorFlow.
 *
 * @example
 * const gpu = detectNvidiaGpu();
 * console.log(gpu.present ? `GPU: ${gpu.gpus.join(", ")}` : `no GPU: ${gpu.reason}`);
 */
export function detectNvidiaGpu(options: DetectNvidiaGpuOptions = {}): NvidiaGpuProbe {
  const env = options.env ?? process.env;
  if (process.platform !== "linux" && process.platform !== "win32") {
    return {
      present: false,
      gpus: [],
      reason: `TensorFlow's CUDA build runs on Linux and Windows, not ${process.platform}`,
    };
  }
  const visible = env["CUDA_VISIBLE_DEVICES"];
  if (visible !== undefined && (visible.trim() === "" || visible.trim() === "-1")) {
    return {
      present: false,
      gpus: [],
      reason: `CUDA_VISIBLE_DEVICES=${JSON.stringify(visible)} hides every GPU from this process`,
    };
  }
  const smi = spawnSync(
    options.nvidiaSmi ?? "nvidia-smi",
    ["--query-gpu=name,driver_version", "--format=csv,noheader"],
    { encoding: "utf8", env, timeout: 15_000 },
  );
  if (smi.status === 0) {
    const rows = smi.stdout
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "")
      .map((line) => line.split(",").map((cell) => cell.trim()));
    if (rows.length > 0) {
      return {
        present: true,
        gpus: rows.map((row) => row[0] ?? "unknown GPU"),
        driverVersion: rows[0]?.[1] ?? "unknown",
      };
    }
  }
  const smiProblem =
    smi.error !== undefined
      ? (smi.error as NodeJS.ErrnoException).code === "ENOENT"
        ? "nvidia-smi is not installed"
        : `nvidia-smi failed (${smi.error.message})`
      : smi.status === 0
        ? "nvidia-smi lists no GPU"
        : `nvidia-smi failed: ${(smi.stdout + smi.stderr).trim().split("\n")[0] ?? `exit ${smi.status}`}`;
  const procFile = options.procVersionFile ?? PROC_VERSION_FILE;
  if (existsSync(procFile)) {
    // "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar  5 ..."
    const text = readFileSync(procFile, "utf8");
    const driverVersion = /Kernel Module\s+([\d.]+)/.exec(text)?.[1] ?? "unknown";
    if (smi.error === undefined && smi.status === 0) {
      return {
        present: false,
        gpus: [],
        driverVersion,
        reason: `the NVIDIA driver ${driverVersion} is loaded but ${smiProblem}`,
      };
    }
    // A driver without a working nvidia-smi: let TensorFlow decide whether a GPU is usable.
    return { present: true, gpus: [], driverVersion };
  }
  return {
    present: false,
    gpus: [],
    reason: `no NVIDIA driver (${smiProblem}, ${procFile} does not exist)`,
  };
}

let cachedProbe: NvidiaGpuProbe | undefined;
let probeOverride: (() => NvidiaGpuProbe) | undefined;

/** `detectNvidiaGpu()` once per process (nvidia-smi takes a moment). */
export function gpuProbe(): NvidiaGpuProbe {
  if (probeOverride !== undefined) return probeOverride();
  cachedProbe ??= detectNvidiaGpu();
  return cachedProbe;
}

/** @internal Tests stand in for the GPU probe (undefined restores the real one). */
export function setGpuProbeForTests(probe: (() => NvidiaGpuProbe) | undefined): void {
  probeOverride = probe;
}

/** One line for reports: "NVIDIA H100 (driver 550.54.15)" or why there is no GPU. */
export function describeGpu(probe: NvidiaGpuProbe): string {
  if (!probe.present) return `no usable GPU: ${probe.reason ?? "unknown"}`;
  const names = probe.gpus.length > 0 ? probe.gpus.join(", ") : "NVIDIA GPU";
  return `${names} (driver ${probe.driverVersion ?? "unknown"})`;
}
