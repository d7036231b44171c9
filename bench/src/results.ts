import type { ModelSpec, Shape } from "./cases.js";
import type { MachineInfo } from "./machine.js";
import type { PythonEnv } from "./python-env.js";
import type { ParityResult } from "./workers/parity.js";

export type Status = "ok" | "unavailable" | "failed" | "skipped";

/** One implementation at one input shape. */
export interface ForwardResult {
  /** `albert-ts/tensorflow`, `albert-ts/wasm`, `albert-ts/cpu`, `onnxruntime-node`,
   * `hf_torch_sdpa`, `keras_hub_tensorflow`, `keras_hub_jax`. */
  id: string;
  ours: boolean;
  label: string;
  batch: number;
  seq: number;
  status: Status;
  reason?: string;
  warmups?: number;
  runs?: number;
  /** The first call (the first warm-up), which includes any tracing or compilation. */
  firstCallMs?: number;
  medianMs?: number;
  minMs?: number;
  timesMs?: number[];
  /** Model FLOPs (cases.ts forwardFlops) / median time. */
  gflops?: number;
  peakRssMB?: number;
  rssAfterLoadMB?: number;
  /** Load of the weights in that process (fromPreset / from_pretrained / session creation). */
  loadMs?: number;
  importMs?: number;
  parity?: ParityResult;
  /** TF.js tensors alive after the timed calls that were not before (should be 0). */
  leakedTensors?: number;
  threads?: string;
  versions?: Record<string, string>;
  /** Wall time of the whole process. */
  wallMs?: number;
}

/** Loading a preset from a local folder, median over fresh processes. */
export interface LoadResult {
  id: string;
  ours: boolean;
  label: string;
  status: Status;
  reason?: string;
  processes?: number;
  loadMs?: number;
  loadMsAll?: number[];
  secondLoadMs?: number;
  importMs?: number;
  backendInitMs?: number;
  rssAfterLoadMB?: number;
  peakRssMB?: number;
  versions?: Record<string, string>;
}

export interface CeilingResult {
  status: Status;
  reason?: string;
  tokens?: number;
  /** FLOP-weighted rate of one encoder layer's matrix products (median times). */
  layerMixGflops?: number;
  products?: { name: string; shape: number[]; medianGflops: number; bestGflops: number }[];
  numpy?: string;
  openblasCorename?: string | null;
  blas?: unknown;
}

export interface TokenizerResult {
  status: Status;
  reason?: string;
  command?: string;
  output?: string;
}

export interface WeightsInfo {
  /** `hf`: the random HF AlbertModel every implementation loads; `random`: our own random
   * weights (torch could not run), so only our backends share them. */
  source: "hf" | "random";
  hfDir?: string;
  kerasPresetDir?: string;
  onnxPath?: string;
  note?: string;
}

export interface BenchmarkResults {
  schema: 1;
  startedAt: string;
  finishedAt: string;
  options: {
    quick: boolean;
    shapes: Shape[];
    backends: string[];
    peers: string[];
    loadProcesses: number;
  };
  machine: MachineInfo;
  model: ModelSpec;
  weights: WeightsInfo;
  python?: PythonEnv;
  ceiling?: CeilingResult;
  forward: ForwardResult[];
  load: LoadResult[];
  tokenizer?: TokenizerResult;
  notes: string[];
  /** The committed reference figures (reference-figures.json), never measured by this run. */
  references: ReferenceFigures;
}

export interface ReferenceFigures {
  description: string;
  provenance: Record<string, unknown>;
  forward: {
    implementation: string;
    label: string;
    batch: number;
    seq: number;
    medianMs: number;
    peakRssMB?: number;
    source: string;
  }[];
  load: {
    implementation: string;
    label: string;
    loadMs: number;
    secondLoadMs?: number;
    importMs?: number;
    rssAfterLoadMB?: number;
    source: string;
  }[];
  matmulCeiling: { gflops: number; label: string; source: string };
}
