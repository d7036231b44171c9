/**
 * The fine-tuning cases: `fit` of a 2-class AlbertTextClassifier on the benchmark's backbone,
 * ours (src/workers/tfjs-fit.ts) next to KerasHub's on TensorFlow (python/keras_hub_fit.py),
 * each in a fresh process, on the same KerasHub preset and the same ids.
 */
import { CPU_MAX_TOKENS, iterationPlan, shapeLabel, timingArgs, type Shape } from "./cases.js";
import { caseStatus, type ChildOutcome } from "./child-process.js";
import type { ResolvedOptions } from "./options.js";
import type { FitResult, WeightsInfo } from "./results.js";
import type { TfjsFitArgs } from "./workers/tfjs-fit.js";

/** How the harness starts the processes (run-benchmark.ts owns the process plumbing). */
export interface FitRunners {
  ours: (args: TfjsFitArgs) => Promise<ChildOutcome>;
  /** KerasHub's case with these script arguments; absent when the keras-hub peer is off. */
  kerasHub?: { run: (args: string[]) => Promise<ChildOutcome>; missing?: string };
}

export const KERAS_HUB_FIT_LABEL = "KerasHub AlbertTextClassifier.fit on TensorFlow";

/** The fields of a fit process' result that a FitResult keeps. */
export function fitFromOutcome(
  base: Pick<FitResult, "id" | "ours" | "label" | "batch" | "seq">,
  outcome: ChildOutcome,
): FitResult {
  const status = caseStatus(outcome, "medianStepMs");
  if (status.status !== "ok") return { ...base, ...status, wallMs: outcome.wallMs };
  const r = outcome.result!;
  const keys = [
    "warmups",
    "runs",
    "firstStepMs",
    "medianStepMs",
    "minStepMs",
    "stepTimesMs",
    "samplesPerSecond",
    "optimizer",
    "jitCompile",
    "firstLoss",
    "lastLoss",
    "peakRssMB",
    "anonRssMB",
    "rssAfterLoadMB",
    "loadMs",
    "importMs",
    "leakedTensors",
    "threads",
    "versions",
  ] as const;
  const picked = Object.fromEntries(
    keys.filter((k) => r[k] !== undefined && r[k] !== null).map((k) => [k, r[k]]),
  );
  return { ...base, status: "ok", ...picked, wallMs: outcome.wallMs } as FitResult;
}

/**
 * Runs every fine-tuning case: ours on each selected backend (wasm and cpu only up to
 * CPU_MAX_TOKENS tokens: a training step there costs about three forward passes), then KerasHub
 * on TensorFlow. Iterations follow the forward cases' plan for the backend.
 */
export async function measureFit(
  opts: ResolvedOptions,
  weights: WeightsInfo,
  runners: FitRunners,
  log: (line: string) => void,
): Promise<FitResult[]> {
  const results: FitResult[] = [];
  for (const shape of opts.fitShapes) {
    const caseName = shapeLabel(shape);
    for (const backend of opts.backends) {
      const base = {
        id: `albert-ts/${backend}`,
        ours: true,
        label: `albert-ts AlbertTextClassifier.fit on TF.js ${backend}`,
        batch: shape.batch,
        seq: shape.seq,
      };
      if (backend !== "tensorflow" && shape.batch * shape.seq > CPU_MAX_TOKENS) {
        results.push({
          ...base,
          status: "skipped",
          reason: `fit on ${backend} runs only up to ${CPU_MAX_TOKENS} tokens (a step costs about three forward passes)`,
        });
        continue;
      }
      const plan = iterationPlan(shape, backend, opts.quick);
      log(`fit ${caseName} ${base.id}: ${plan.warmups} warm-up + ${plan.runs} steps`);
      const result = fitFromOutcome(
        base,
        await runners.ours({
          backend,
          ...shape,
          ...plan,
          spec: opts.model,
          ...(weights.kerasPresetDir ? { presetDir: weights.kerasPresetDir } : {}),
        }),
      );
      if (result.status !== "ok") log(`  ${result.status}: ${result.reason}`);
      results.push(result);
    }
    if (runners.kerasHub !== undefined)
      results.push(await kerasHubFit(shape, opts, weights, runners.kerasHub, log));
  }
  return results;
}

async function kerasHubFit(
  shape: Shape,
  opts: ResolvedOptions,
  weights: WeightsInfo,
  runner: NonNullable<FitRunners["kerasHub"]>,
  log: (line: string) => void,
): Promise<FitResult> {
  const base = {
    id: "keras_hub_tensorflow",
    ours: false,
    label: KERAS_HUB_FIT_LABEL,
    batch: shape.batch,
    seq: shape.seq,
  };
  if (runner.missing !== undefined || weights.kerasPresetDir === undefined) {
    return {
      ...base,
      status: "unavailable",
      reason: runner.missing ?? "no KerasHub preset was written",
    };
  }
  const plan = iterationPlan(shape, "peer", opts.quick);
  log(`fit ${shapeLabel(shape)} ${base.id}: ${plan.warmups} warm-up + ${plan.runs} steps`);
  const result = fitFromOutcome(
    base,
    await runner.run([
      "--backend",
      "tensorflow",
      "--preset",
      weights.kerasPresetDir,
      ...timingArgs(shape, plan),
    ]),
  );
  if (result.status !== "ok") log(`  ${result.status}: ${result.reason}`);
  return result;
}
