import { readFileSync } from "node:fs";
import os from "node:os";

/** The machine a run measured, for the JSON file and the report's header. */
export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGB: number;
  /** SIMD extensions the kernels may use (from /proc/cpuinfo). */
  simd: string[];
  platform: string;
  kernel: string;
  node: string;
  /** 1, 5 and 15 minute load averages when the run started (a shared machine is noisy). */
  loadAverageAtStart: number[];
  loadAverageAtEnd?: number[];
  /** OPENBLAS_CORETYPE as the harness found it (removed for the matmul ceiling only). */
  openblasCoretype: string | null;
}

function cpuFlags(): string[] {
  try {
    const info = readFileSync("/proc/cpuinfo", "utf8");
    const line = info.split("\n").find((l) => l.startsWith("flags"));
    if (!line) return [];
    const flags = new Set(line.split(":")[1]!.trim().split(/\s+/));
    return [
      "sse4_2",
      "avx",
      "avx2",
      "fma",
      "avx512f",
      "avx512bw",
      "avx512vl",
      "avx512_vnni",
      "avx512_bf16",
      "amx_tile",
    ].filter((f) => flags.has(f));
  } catch {
    return [];
  }
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    cores: os.availableParallelism(),
    memoryGB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    simd: cpuFlags(),
    platform: `${os.platform()} ${os.arch()}`,
    kernel: os.release(),
    node: process.versions.node,
    loadAverageAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
    openblasCoretype: process.env["OPENBLAS_CORETYPE"] ?? null,
  };
}
