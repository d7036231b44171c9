/**
 * The markdown report of a run: pure formatting of BenchmarkResults (tested on known inputs).
 * Ratios are computed only between numbers measured in the same run; the committed reference
 * figures are shown apart, labelled as such.
 */
import { forwardFlops, shapeLabel } from "./cases.js";
import { dtypeSection } from "./report-dtype.js";
import { fitSection } from "./report-fit.js";
import type { BenchmarkResults, ForwardResult, LoadResult } from "./results.js";

const PEER_SHORT: Record<string, string> = {
  "onnxruntime-node": "ORT",
  hf_torch_sdpa: "torch",
  keras_hub_tensorflow: "KerasHub TF",
  keras_hub_jax: "KerasHub JAX",
};

export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return "—";
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  return ms.toFixed(2);
}

export function formatRatio(ratio: number | undefined): string {
  return ratio === undefined || !Number.isFinite(ratio) ? "—" : `${ratio.toFixed(2)}x`;
}

export function formatMB(mb: number | undefined): string {
  return mb === undefined ? "—" : mb.toFixed(0);
}

function formatDiff(x: number): string {
  return Number.isFinite(x) ? x.toExponential(1) : String(x);
}

export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** Our id first, then the peers, in a stable order. */
function implementationOrder(results: BenchmarkResults): string[] {
  const ids: string[] = [];
  for (const f of results.forward) if (!ids.includes(f.id)) ids.push(f.id);
  return ids;
}

/** The float32 peers with at least one measured case: the ratio columns (`--dtype` rows are
 * compared in their own section). */
export function measuredPeers(results: BenchmarkResults): string[] {
  return implementationOrder(results).filter((id) =>
    results.forward.some(
      (f) => !f.ours && f.id === id && f.status === "ok" && f.dtype === undefined,
    ),
  );
}

/** The measured result of `id` at a shape, if any. */
export function findForward(
  results: BenchmarkResults,
  id: string,
  batch: number,
  seq: number,
): ForwardResult | undefined {
  return results.forward.find(
    (f) => f.id === id && f.batch === batch && f.seq === seq && f.status === "ok",
  );
}

/** `row` median / `peer` median at the same shape, both measured in this run. */
export function ratioVs(
  results: BenchmarkResults,
  row: ForwardResult,
  peerId: string,
): number | undefined {
  if (row.status !== "ok" || row.medianMs === undefined) return undefined;
  const peer = findForward(results, peerId, row.batch, row.seq);
  return peer?.medianMs === undefined ? undefined : row.medianMs / peer.medianMs;
}

function forwardTable(results: BenchmarkResults): string {
  const peers = measuredPeers(results);
  const ceiling = results.ceiling?.status === "ok" ? results.ceiling.layerMixGflops : undefined;
  const header = [
    "case",
    "implementation",
    "median ms",
    "first call ms",
    "warm-up+runs",
    "GFLOP/s",
    ...(ceiling !== undefined ? ["% ceiling"] : []),
    "peak RSS MB",
    "private MB",
    ...peers.map((p) => `vs ${PEER_SHORT[p] ?? p}`),
  ];
  const rows: string[][] = [];
  for (const shape of results.options.shapes) {
    for (const f of results.forward) {
      if (f.batch !== shape.batch || f.seq !== shape.seq || f.status !== "ok") continue;
      rows.push([
        shapeLabel(f),
        f.ours ? `**${f.id}**` : f.id,
        formatMs(f.medianMs),
        formatMs(f.firstCallMs),
        `${f.warmups ?? "?"}+${f.runs ?? "?"}${f.rounds !== undefined ? ` (${f.rounds} rounds)` : ""}`,
        f.gflops === undefined ? "—" : f.gflops.toFixed(1),
        ...(ceiling !== undefined
          ? [f.gflops === undefined ? "—" : `${((100 * f.gflops) / ceiling).toFixed(0)}%`]
          : []),
        formatMB(f.peakRssMB),
        formatMB(f.anonRssMB),
        ...peers.map((p) => (p === f.id ? "—" : formatRatio(ratioVs(results, f, p)))),
      ]);
    }
  }
  const lines = [table(header, rows)];
  const notRun = new Map<string, string>();
  for (const f of results.forward) {
    if (f.status === "ok") continue;
    const key = `${f.id}: ${f.status}${f.reason ? ` (${f.reason})` : ""}`;
    const list = notRun.get(key);
    notRun.set(key, list ? `${list}, ${shapeLabel(f)}` : shapeLabel(f));
  }
  if (notRun.size > 0) {
    lines.push("", "Not measured in this run:");
    for (const [key, cases] of notRun) lines.push(`- ${key} — ${cases}`);
  }
  lines.push(
    "",
    "median: of the timed runs after the warm-ups (with rounds: of all rounds' runs, the warm-ups counted per round); first call: the first warm-up (tracing, compilation, weight upload). " +
      "GFLOP/s: the model's matrix-product FLOPs (" +
      results.options.shapes
        .map((s) => `${shapeLabel(s)}: ${(forwardFlops(results.model, s) / 1e9).toFixed(1)} GFLOP`)
        .join(", ") +
      ") / median time" +
      (ceiling !== undefined
        ? `; % ceiling: of numpy's matmul rate measured in this run (${ceiling.toFixed(0)} GFLOP/s)`
        : "") +
      ". peak RSS: the case's own process (imports, load and runs); private: its anonymous memory after the runs, i.e. RSS without the file-backed pages of loaded libraries (Linux RssAnon). vs X: median / X's median at the same case (below 1 = faster than X).",
  );
  return lines.join("\n");
}

function loadTable(results: BenchmarkResults): string {
  const keras = results.load.find((l) => l.id === "keras_hub_tensorflow" && l.status === "ok");
  const kerasRef = results.references.load.find((l) => l.implementation === "keras_hub_tf");
  const hf = results.load.find((l) => l.id === "hf_torch_sdpa" && l.status === "ok");
  const header = [
    "implementation",
    "load call ms",
    "2nd call in process",
    "imports ms",
    "backend init ms",
    "RSS after load MB",
    "processes",
    "vs KerasHub from_preset",
    "vs HF from_pretrained",
  ];
  const rows: string[][] = [];
  const versus = (l: LoadResult, other: LoadResult | undefined) =>
    l.ours && l.loadMs !== undefined && other?.loadMs !== undefined
      ? formatRatio(l.loadMs / other.loadMs)
      : "—";
  for (const l of results.load) {
    if (l.status !== "ok") continue;
    const vsKeras =
      keras !== undefined
        ? versus(l, keras)
        : l.ours && l.loadMs !== undefined && kerasRef !== undefined
          ? `${formatRatio(l.loadMs / kerasRef.loadMs)} (committed ref.)`
          : "—";
    rows.push([
      l.ours ? `**${l.label}**` : l.label,
      formatMs(l.loadMs),
      formatMs(l.secondLoadMs),
      formatMs(l.importMs),
      formatMs(l.backendInitMs),
      formatMB(l.rssAfterLoadMB),
      String(l.processes ?? "—"),
      vsKeras,
      versus(l, hf),
    ]);
  }
  if (kerasRef !== undefined && keras === undefined) {
    rows.push([
      `_${kerasRef.label}: committed reference figure, not measured in this run_`,
      `_${formatMs(kerasRef.loadMs)}_`,
      `_${formatMs(kerasRef.secondLoadMs)}_`,
      `_${formatMs(kerasRef.importMs)}_`,
      "—",
      `_${formatMB(kerasRef.rssAfterLoadMB)}_`,
      "—",
      "—",
      "—",
    ]);
  }
  const lines = [table(header, rows)];
  const notRun = results.load.filter((l) => l.status !== "ok");
  for (const l of notRun)
    lines.push(`- ${l.label}: ${l.status}${l.reason ? ` (${l.reason})` : ""}`);
  lines.push(
    "",
    `Each load row is the median over fresh processes with a warm page cache. ours: the ${results.model.name} KerasHub preset ` +
      '(config.json + model.weights.h5, written once by writePreset); imports: `import("@albert/core")`; backend init: `initBackend`. ' +
      "HF and ONNX Runtime rows come from their forward-case processes (from_pretrained of the safetensors folder; InferenceSession.create). " +
      "A ratio marked 'committed ref.' compares with a figure from another machine and day (reference-figures.json): indicative only.",
  );
  return lines.join("\n");
}

/** The peers in words, for the goals table a user reads in the terminal. */
const PEER_WORDS: Record<string, string> = {
  "onnxruntime-node": "ONNX Runtime",
  hf_torch_sdpa: "HF transformers on PyTorch",
  keras_hub_tensorflow: "KerasHub on TensorFlow",
  keras_hub_jax: "KerasHub on JAX (jit)",
};

/** One goal of the native backend: what is compared, the goal and the measurement, in words. */
export interface GoalRow {
  comparison: string;
  target: string;
  measured: string;
  met: string;
}

/**
 * The project's performance goals for the native backend (`albert-ts/tensorflow`), each with
 * what this run measured: time at most 1.0x KerasHub on JAX and 0.5x HF on PyTorch (and 0.9x
 * the fastest peer, a stretch goal) at 8x128 and 1x128; at least 75% of the matmul ceiling and
 * at most 0.9x PyTorch's peak memory at 8x128; preset load at most 0.8x KerasHub's.
 */
export function goalRows(results: BenchmarkResults): GoalRow[] {
  const native = "albert-ts/tensorflow";
  const rows: GoalRow[] = [];
  const peers = measuredPeers(results);
  const met = (ratio: number | undefined, limit: number) =>
    ratio === undefined ? "not measured" : ratio <= limit ? "yes" : "no";
  const ofItsTime = (ratio: number) => `${formatRatio(ratio)} its time`;
  for (const [batch, seq] of [
    [8, 128],
    [1, 128],
  ] as const) {
    const ours = findForward(results, native, batch, seq);
    if (ours === undefined) continue;
    const c = `${batch}x${seq}`;
    const against = (peerId: string, limit: number) => {
      const ratio = ratioVs(results, ours, peerId);
      const ref = results.references.forward.find(
        (r) =>
          r.batch === batch &&
          r.seq === seq &&
          r.implementation === (peerId === "keras_hub_jax" ? "keras_hub_jax_jit" : peerId),
      );
      rows.push({
        comparison: `${c}: time vs ${PEER_WORDS[peerId] ?? peerId}`,
        target: `at most ${limit.toFixed(1)}x its time`,
        measured:
          ratio !== undefined
            ? ofItsTime(ratio)
            : `not measured in this run${ref ? ` (it took ${formatMs(ref.medianMs)} ms on another machine, in the committed reference figures; ours here: ${formatMs(ours.medianMs)} ms)` : ""}`,
        met: met(ratio, limit),
      });
    };
    against("keras_hub_jax", 1.0);
    against("hf_torch_sdpa", 0.5);
    const fastest = peers
      .map((p) => findForward(results, p, batch, seq))
      .filter((f): f is ForwardResult => f !== undefined)
      .sort((a, b) => a.medianMs! - b.medianMs!)[0];
    if (fastest) {
      const ratio = ours.medianMs! / fastest.medianMs!;
      rows.push({
        comparison: `${c}: time vs the fastest other implementation here (${PEER_WORDS[fastest.id] ?? fastest.id})`,
        target: "at most 0.9x its time (a stretch goal)",
        measured: ofItsTime(ratio),
        met: met(ratio, 0.9),
      });
    }
  }
  const ours8 = findForward(results, native, 8, 128);
  const ceiling = results.ceiling?.status === "ok" ? results.ceiling.layerMixGflops : undefined;
  if (ours8?.gflops !== undefined && ceiling !== undefined) {
    const share = ours8.gflops / ceiling;
    rows.push({
      comparison: "8x128: throughput vs the fp32 matmul ceiling (numpy)",
      target: "at least 75% of it",
      measured: `${(100 * share).toFixed(0)}% (${ours8.gflops.toFixed(0)} of ${ceiling.toFixed(0)} GFLOP/s)`,
      met: share >= 0.75 ? "yes" : "no",
    });
  }
  if (ours8?.peakRssMB !== undefined) {
    const torch = findForward(results, "hf_torch_sdpa", 8, 128);
    const ort = findForward(results, "onnxruntime-node", 8, 128);
    const ratio = torch?.peakRssMB !== undefined ? ours8.peakRssMB / torch.peakRssMB : undefined;
    const privateRatio =
      ours8.anonRssMB !== undefined && torch?.anonRssMB !== undefined
        ? ours8.anonRssMB / torch.anonRssMB
        : undefined;
    rows.push({
      comparison: `8x128: peak memory (RSS) vs ${PEER_WORDS["hf_torch_sdpa"]}`,
      target: "at most 0.9x its peak",
      measured: `${formatMB(ours8.peakRssMB)} MB${ratio !== undefined ? `, ${formatRatio(ratio)} its peak` : ""}${ort?.peakRssMB !== undefined ? ` (ONNX Runtime: ${formatMB(ort.peakRssMB)} MB)` : ""}${privateRatio !== undefined ? `; private memory ${formatMB(ours8.anonRssMB)} MB, ${formatRatio(privateRatio)} its private memory` : ""}`,
      met: met(ratio, 0.9),
    });
  }
  const oursLoad = results.load.find((l) => l.ours && l.status === "ok");
  if (oursLoad?.loadMs !== undefined) {
    const keras = results.load.find((l) => l.id === "keras_hub_tensorflow" && l.status === "ok");
    const ref = results.references.load.find((l) => l.implementation === "keras_hub_tf");
    const comparison = "loading a preset from disk vs KerasHub's from_preset";
    const target = "at most 0.8x its time";
    if (keras?.loadMs !== undefined) {
      const ratio = oursLoad.loadMs / keras.loadMs;
      rows.push({ comparison, target, measured: ofItsTime(ratio), met: met(ratio, 0.8) });
    } else if (ref !== undefined) {
      const ratio = oursLoad.loadMs / ref.loadMs;
      rows.push({
        comparison,
        target,
        measured: `${formatMs(oursLoad.loadMs)} ms, ${formatRatio(ratio)} the ${formatMs(ref.loadMs)} ms KerasHub took on another machine (committed reference figure; KerasHub did not run here)`,
        met: `${met(ratio, 0.8)}, against that reference only`,
      });
    }
  }
  return rows;
}

function ceilingSection(results: BenchmarkResults): string | undefined {
  const c = results.ceiling;
  if (c === undefined) return undefined;
  if (c.status !== "ok") return `numpy matmul ceiling: ${c.status} (${c.reason ?? ""})`;
  const rows = (c.products ?? []).map((p) => [
    p.name,
    p.shape.join("x"),
    p.medianGflops.toFixed(1),
    p.bestGflops.toFixed(1),
  ]);
  rows.push([
    "**one encoder layer's mix** (4 projections + FFN, FLOP-weighted)",
    "",
    `**${c.layerMixGflops!.toFixed(1)}**`,
    "",
  ]);
  return [
    table(
      ["product (T = 1024 tokens = 8x128)", "m x k x n", "median GFLOP/s", "best GFLOP/s"],
      rows,
    ),
    "",
    `numpy ${c.numpy ?? "?"}, OpenBLAS kernel ${c.openblasCorename ?? "?"}, OPENBLAS_CORETYPE unset for this measurement (it was ${results.machine.openblasCoretype === null ? "not set" : `"${results.machine.openblasCoretype}"`} in the environment). ` +
      `Committed reference: ~${results.references.matmulCeiling.gflops} GFLOP/s on an AVX-512 machine (not this run).`,
  ].join("\n");
}

function paritySection(results: BenchmarkResults): string | undefined {
  const rows = results.forward
    .filter((f) => f.status === "ok" && f.parity !== undefined)
    .map((f) => [
      f.id,
      shapeLabel(f),
      `${f.parity!.batch}x${f.parity!.seq}`,
      formatDiff(f.parity!.sequenceMaxAbsDiff),
      formatDiff(f.parity!.pooledMaxAbsDiff),
    ]);
  if (rows.length === 0) return undefined;
  return [
    table(
      [
        "implementation",
        "case",
        "rows compared",
        "max |diff| sequence_output",
        "max |diff| pooled_output",
      ],
      rows,
    ),
    "",
    "Against HF transformers on PyTorch (python/make_weights.py) on the same weights and input: the first call's outputs.",
  ].join("\n");
}

function referenceSection(results: BenchmarkResults): string {
  const refs = results.references;
  const rows = refs.forward.map((r) => [
    r.label,
    `${r.batch}x${r.seq}`,
    formatMs(r.medianMs),
    formatMB(r.peakRssMB),
    r.source,
  ]);
  return [
    `Committed reference figures (${String(refs.provenance["machine"])}; not measured in this run, no ratio is computed against them above except where marked):`,
    "",
    table(["implementation", "case", "median ms", "peak RSS MB", "source"], rows),
  ].join("\n");
}

function machineLine(results: BenchmarkResults): string {
  const m = results.machine;
  const versions = new Set<string>();
  for (const f of results.forward) {
    if (f.status !== "ok" || !f.versions) continue;
    for (const [k, v] of Object.entries(f.versions)) if (k !== "node") versions.add(`${k} ${v}`);
  }
  return [
    `Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGB} GB, SIMD ${m.simd.join(" ") || "?"}; ${m.platform}; Node ${m.node}. ` +
      `Load average at start ${m.loadAverageAtStart.join(" / ")}${m.loadAverageAtEnd ? `, at end ${m.loadAverageAtEnd.join(" / ")}` : ""}.`,
    versions.size > 0 ? `Versions: ${[...versions].join("; ")}.` : "",
    results.python
      ? `Python: ${results.python.python} (${results.python.origin}, Python ${results.python.version ?? "?"}): ${Object.entries(
          results.python.modules,
        )
          .map(([k, v]) => `${k} ${v ?? "missing"}`)
          .join(", ")}.`
      : "",
  ]
    .filter(Boolean)
    .join("\n");
}

/** The whole report as markdown. */
export function formatReport(results: BenchmarkResults): string {
  const m = results.model;
  const w = results.weights;
  const out: string[] = [];
  out.push(
    `# albert-ts benchmark${results.options.quick ? " (--quick: few iterations, a smoke run, not a measurement)" : ""}`,
    "",
    `Model: ${m.name} (V${m.vocabularySize} E${m.embeddingDim} H${m.hiddenDim} L${m.numLayers} heads ${m.numHeads} I${m.intermediateDim}), fp32, ` +
      `all-ones mask, segment 0, valid token ids. Weights: ${
        w.source === "hf"
          ? "one random HF AlbertModel (albert-base-v2 settings) shared by every implementation (safetensors, its ONNX export, and the KerasHub preset written from it)"
          : (w.note ?? "random weights of our own")
      }. Each case runs in its own fresh process.`,
    "",
    machineLine(results),
  );
  if (results.notes.length > 0) out.push("", ...results.notes.map((n) => `> ${n}`));
  out.push("", "## Forward pass", "", forwardTable(results));
  const goals = m.name === "albert_base" ? goalRows(results) : [];
  if (goals.length > 0) {
    out.push(
      "",
      "## Goals for the native backend",
      "",
      "What the project aims for with `albert-ts/tensorflow`, and what this run measured (a ratio below 1x: faster or smaller than the other implementation).",
      "",
      table(
        ["comparison", "target", "measured", "met"],
        goals.map((g) => [g.comparison, g.target, g.measured, g.met]),
      ),
    );
  }
  const reduced = dtypeSection(results);
  if (reduced) out.push("", "## Reduced precision (--dtype)", "", reduced);
  const fit = fitSection(results);
  if (fit) out.push("", "## Fine-tuning (fit)", "", fit);
  const ceiling = ceilingSection(results);
  if (ceiling) out.push("", "## fp32 matmul ceiling (numpy)", "", ceiling);
  if (results.load.length > 0)
    out.push("", "## Loading a preset from a local folder", "", loadTable(results));
  const parity = paritySection(results);
  if (parity) out.push("", "## Parity on the shared weights", "", parity);
  if (results.tokenizer) {
    const t = results.tokenizer;
    out.push("", "## Tokenizer throughput (packages/tokenizer/bench)", "");
    if (t.status === "ok") out.push(`\`${t.command}\``, "", "```", t.output ?? "", "```");
    else out.push(`${t.status}: ${t.reason ?? ""}`);
  }
  out.push("", "## Committed reference figures", "", referenceSection(results));
  return out.join("\n");
}
