/**
 * The fine-tuning part of the report: each implementation's `fit` step time, samples per second
 * and memory at each fine-tuning case, with ours against KerasHub's measured in the same run.
 * Pure formatting of BenchmarkResults.
 */
import { shapeLabel } from "./cases.js";
import { formatMB, formatMs, formatRatio, table } from "./report.js";
import type { BenchmarkResults, FitResult } from "./results.js";

const KERAS_HUB = "keras_hub_tensorflow";

function formatRate(rate: number | undefined): string {
  return rate === undefined || !Number.isFinite(rate)
    ? "—"
    : rate >= 10
      ? rate.toFixed(1)
      : rate.toFixed(2);
}

/** KerasHub's samples/s / this row's, when both ran: above 1x, this row trains faster. */
function speedupVsKerasHub(results: readonly FitResult[], row: FitResult): number | undefined {
  const peer = results.find(
    (f) => f.id === KERAS_HUB && f.batch === row.batch && f.seq === row.seq && f.status === "ok",
  );
  if (peer === undefined || row.status !== "ok" || row.id === KERAS_HUB) return undefined;
  return row.samplesPerSecond! / peer.samplesPerSecond!;
}

/** The section, or undefined when the run had no fine-tuning cases. */
export function fitSection(results: BenchmarkResults): string | undefined {
  const fit = results.fit;
  if (fit === undefined || fit.length === 0) return undefined;
  const kerasHub = fit.find((f) => f.id === KERAS_HUB && f.status === "ok");
  const rows = fit.map((f) => {
    const name = f.ours ? `**${f.id}**` : f.id;
    if (f.status !== "ok")
      return [shapeLabel(f), name, f.status, f.reason ?? "", "", "", "", "", ""];
    return [
      shapeLabel(f),
      name,
      `${f.warmups}+${f.runs}`,
      formatMs(f.firstStepMs),
      formatMs(f.medianStepMs),
      formatRate(f.samplesPerSecond),
      formatMB(f.peakRssMB),
      formatMB(f.anonRssMB),
      formatRatio(speedupVsKerasHub(fit, f)),
    ];
  });
  return [
    "`fit` of a 2-class AlbertTextClassifier on the benchmark's backbone (the same KerasHub preset and ids for each), " +
      "KerasHub's compile defaults (Adam(1e-5), sparse categorical cross-entropy from logits, sparse categorical accuracy), " +
      "dropout on, one epoch of warm-up + timed steps, each in a fresh process. A step runs from the end of the previous " +
      "one to its own end, as a callback sees it; samples/s = batch / median step. Peak RSS includes the load; private " +
      `is the anonymous memory after training.${kerasHub?.jitCompile !== undefined ? ` KerasHub's jit_compile resolved to ${kerasHub.jitCompile}.` : ""}`,
    "",
    table(
      [
        "case",
        "implementation",
        "warm-up+steps",
        "first step ms",
        "median step ms",
        "samples/s",
        "peak RSS MB",
        "private MB",
        "speed vs KerasHub TF",
      ],
      rows,
    ),
  ].join("\n");
}
