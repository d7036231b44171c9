import { median, type ModelSpec, type Shape } from "./cases.js";
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
  /** Private (anonymous) resident memory after the timed runs: RSS without the file-backed
   * pages of loaded libraries, which the page cache shares (Linux `RssAnon`). */
  anonRssMB?: number;
  rssAfterLoadMB?: number;
  /** Load of the weights in that process (fromPreset / from_pretrained / session creation). */
  loadMs?: number;
  importMs?: number;
  parity?: ParityResult;
  /** TF.js tensors alive after the timed calls that were not before (should be 0). */
  leakedTensors?: number;
  threads?: string;
  versions?: Record<string, string>;
  /** Wall time of the whole process (summed over rounds). */
  wallMs?: number;
  /** How many rounds (fresh processes) the figures pool, when more than one. */
  rounds?: number;
  /** The dtype policy of a `--dtype` row (absent: float32); its id ends in `@<dtype>`. */
  dtype?: string;
  /** How ours ran (`AlbertBackbone.inferenceEngine`: graph or eager, and the compute dtype). */
  engine?: string;
}

/**
 * One result per implementation and case from the results of several rounds: the timed runs
 * are pooled (median and minimum over all of them), the first call is the median of the
 * rounds' first calls, memory the largest seen. A case that failed in some round keeps the
 * rounds that succeeded; one that never succeeded keeps its first result.
 */
export function mergeRounds(results: readonly ForwardResult[]): ForwardResult[] {
  const groups = new Map<string, ForwardResult[]>();
  for (const r of results) {
    const key = `${r.id} ${r.batch}x${r.seq}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((group) => {
    const ok = group.filter((r) => r.status === "ok" && r.medianMs !== undefined);
    if (group.length === 1 || ok.length === 0) return group[0]!;
    const first = ok[0]!;
    const times = ok.flatMap((r) => r.timesMs ?? [r.medianMs!]);
    const medianMs = median(times);
    const values = (pick: (r: ForwardResult) => number | undefined) =>
      ok.map(pick).filter((v): v is number => v !== undefined);
    const medianOf = (pick: (r: ForwardResult) => number | undefined) => {
      const v = values(pick);
      return v.length > 0 ? median(v) : undefined;
    };
    const maxOf = (pick: (r: ForwardResult) => number | undefined) => {
      const v = values(pick);
      return v.length > 0 ? Math.max(...v) : undefined;
    };
    const defined = (fields: Record<string, number | undefined>) =>
      Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
    return {
      ...first,
      runs: values((r) => r.runs).reduce((a, b) => a + b, 0) || first.runs,
      medianMs,
      minMs: Math.min(...times),
      timesMs: times,
      ...(first.gflops !== undefined
        ? { gflops: (first.gflops * first.medianMs!) / medianMs }
        : {}),
      ...defined({
        firstCallMs: medianOf((r) => r.firstCallMs),
        peakRssMB: maxOf((r) => r.peakRssMB),
        anonRssMB: maxOf((r) => r.anonRssMB),
        rssAfterLoadMB: maxOf((r) => r.rssAfterLoadMB),
        loadMs: medianOf((r) => r.loadMs),
        importMs: medianOf((r) => r.importMs),
        leakedTensors: maxOf((r) => r.leakedTensors),
        wallMs: values((r) => r.wallMs).reduce((a, b) => a + b, 0),
      }),
      rounds: ok.length,
    };
  });
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

/** One implementation's `fit` at one shape: a 2-class classifier on the backbone, KerasHub's
 * compile defaults (Adam(1e-5)), `warmups + runs` steps of one epoch. */
export interface FitResult extends Pick<
  ForwardResult,
  | "ours"
  | "label"
  | "batch"
  | "seq"
  | "status"
  | "reason"
  | "warmups"
  | "runs"
  | "peakRssMB"
  | "anonRssMB"
  | "rssAfterLoadMB"
  | "loadMs"
  | "importMs"
  | "leakedTensors"
  | "threads"
  | "versions"
  | "wallMs"
> {
  /** `albert-ts/<backend>` or `keras_hub_tensorflow`. */
  id: string;
  /** The first step: tracing, gradient setup, the optimizer's slots. */
  firstStepMs?: number;
  medianStepMs?: number;
  minStepMs?: number;
  stepTimesMs?: number[];
  /** Examples per second at the median step time. */
  samplesPerSecond?: number;
  optimizer?: string;
  /** Keras' resolved `jit_compile` (KerasHub only). */
  jitCompile?: boolean;
  firstLoss?: number;
  lastLoss?: number;
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
    /** The `--dtype` policies measured besides float32. */
    dtypes?: string[];
  };
  machine: MachineInfo;
  model: ModelSpec;
  weights: WeightsInfo;
  python?: PythonEnv;
  ceiling?: CeilingResult;
  forward: ForwardResult[];
  /** Fine-tuning cases (`--fit-cases`), absent with `--no-fit`. */
  fit?: FitResult[];
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
