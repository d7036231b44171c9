/**
 * The `--dtype` part of the report: every 16-bit row beside its own float32 row and the
 * fastest peers of the same run, and the speed targets for KerasHub's reduced-precision
 * policies on the native backend. Pure formatting of BenchmarkResults.
 */
import { shapeLabel } from "./cases.js";
import { findForward, formatMs, formatRatio, measuredPeers, table } from "./report.js";
import type { BenchmarkResults, ForwardResult } from "./results.js";

const NATIVE = "albert-ts/tensorflow";

/** The fastest measured row among `candidates` at a shape. */
function fastest(candidates: ForwardResult[]): ForwardResult | undefined {
  return [...candidates].sort((a, b) => a.medianMs! - b.medianMs!)[0];
}

function fastestFloat32Peer(results: BenchmarkResults, batch: number, seq: number) {
  return fastest(
    measuredPeers(results)
      .map((id) => findForward(results, id, batch, seq))
      .filter((f): f is ForwardResult => f !== undefined),
  );
}

function fastestPeerIn(results: BenchmarkResults, dtype: string, batch: number, seq: number) {
  return fastest(
    results.forward.filter(
      (f) =>
        !f.ours && f.dtype === dtype && f.batch === batch && f.seq === seq && f.status === "ok",
    ),
  );
}

/** The float32 row an `id@dtype` row was measured beside. */
function float32RowOf(results: BenchmarkResults, row: ForwardResult): ForwardResult | undefined {
  return findForward(results, row.id.slice(0, row.id.lastIndexOf("@")), row.batch, row.seq);
}

const ratio = (a: ForwardResult | undefined, b: ForwardResult | undefined) =>
  a?.medianMs !== undefined && b?.medianMs !== undefined ? a.medianMs / b.medianMs : undefined;

/** The targets for `--dtype` rows, as far as this run measured them. */
export function dtypeGoalRows(results: BenchmarkResults): string[][] {
  const rows: string[][] = [];
  const met = (r: number | undefined, limit: number) =>
    r === undefined ? "not measured" : r <= limit ? "yes" : "no";
  const add = (comparison: string, r: number | undefined, limit: number) =>
    rows.push([
      comparison,
      `at most ${formatRatio(limit)}`,
      r === undefined ? "—" : formatRatio(r),
      met(r, limit),
    ]);
  for (const [batch, seq, vsFloat32] of [
    [1, 128, 0.6],
    [8, 128, 0.57],
  ] as const) {
    const c = `${batch}x${seq}`;
    const bf16 = findForward(results, `${NATIVE}@bfloat16`, batch, seq);
    const mixed = findForward(results, `${NATIVE}@mixed_bfloat16`, batch, seq);
    const float32 = findForward(results, NATIVE, batch, seq);
    const bf16Peer = fastestPeerIn(results, "bfloat16", batch, seq);
    const f32Peer = fastestFloat32Peer(results, batch, seq);
    if (bf16 && bf16Peer)
      add(
        `${c}: bfloat16 vs the fastest bfloat16 peer (${bf16Peer.id})`,
        ratio(bf16, bf16Peer),
        0.9,
      );
    if (bf16 && f32Peer)
      add(
        `${c}: bfloat16 vs the fastest float32 peer (${f32Peer.id})`,
        ratio(bf16, f32Peer),
        vsFloat32,
      );
    if (bf16 && mixed) add(`${c}: mixed_bfloat16 vs our bfloat16`, ratio(mixed, bf16), 1.1);
    if (bf16 && float32 && f32Peer)
      add(
        `${c}: float32 vs the fastest float32 peer (${f32Peer.id})`,
        ratio(float32, f32Peer),
        1.0,
      );
  }
  return rows;
}

/** The report section, or undefined when the run measured no `--dtype`. */
export function dtypeSection(results: BenchmarkResults): string | undefined {
  const dtypes = results.options.dtypes ?? [];
  if (dtypes.length === 0) return undefined;
  const rows: string[][] = [];
  for (const shape of results.options.shapes) {
    const f32Peer = fastestFloat32Peer(results, shape.batch, shape.seq);
    for (const dtype of dtypes) {
      const peer = fastestPeerIn(results, dtype, shape.batch, shape.seq);
      for (const f of results.forward) {
        if (
          f.dtype !== dtype ||
          f.batch !== shape.batch ||
          f.seq !== shape.seq ||
          f.status !== "ok"
        )
          continue;
        rows.push([
          shapeLabel(f),
          f.ours ? `**${f.id}**` : f.id,
          formatMs(f.medianMs),
          formatRatio(ratio(f, float32RowOf(results, f))),
          f32Peer ? `${formatRatio(ratio(f, f32Peer))} (${f32Peer.id})` : "—",
          peer && peer !== f ? `${formatRatio(ratio(f, peer))} (${peer.id})` : "—",
          f.engine ?? "",
        ]);
      }
    }
  }
  const lines = [
    table(
      [
        "case",
        "implementation",
        "median ms",
        "vs its own float32 row",
        "vs the fastest float32 peer",
        "vs the fastest peer in this dtype",
        "how ours ran",
      ],
      rows,
    ),
    "",
    "Every 16-bit row ran in this run, beside the float32 rows above. Peers: KerasHub on TensorFlow and JAX under the same policy (`from_preset(dir, dtype=...)`, `predict_on_batch`), HF on PyTorch with bfloat16/float16 weights (mixed policies: float32 weights under `torch.autocast`). ONNX Runtime has no 16-bit row.",
  ];
  const goals = dtypeGoalRows(results);
  if (goals.length > 0) {
    lines.push(
      "",
      "Targets for KerasHub's reduced-precision policies on the native backend (time ratios; below 1x: faster):",
      "",
      table(["comparison", "target", "measured", "met"], goals),
    );
  }
  return lines.join("\n");
}
