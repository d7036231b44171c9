import { describe, expect, it } from "vitest";
import { ALBERT_BASE } from "./cases.js";
import { formatMs, formatRatio, formatReport, goalRows, measuredPeers, ratioVs } from "./report.js";
import { dtypeGoalRows } from "./report-dtype.js";
import type { BenchmarkResults, ForwardResult } from "./results.js";
import { readReferenceFigures } from "./run-benchmark.js";

function row(
  id: string,
  batch: number,
  medianMs: number,
  extra: Partial<ForwardResult> = {},
): ForwardResult {
  return {
    id,
    ours: id.startsWith("albert-ts/"),
    label: id,
    batch,
    seq: 128,
    status: "ok",
    warmups: 3,
    runs: batch === 1 ? 15 : 10,
    firstCallMs: medianMs * 3,
    medianMs,
    gflops: 179 / (medianMs / 1000) / 8,
    peakRssMB: 400,
    ...extra,
  };
}

function results(
  forward: ForwardResult[],
  extra: Partial<BenchmarkResults> = {},
): BenchmarkResults {
  return {
    schema: 1,
    startedAt: "2026-01-01T00:00:00.000Z",
    finishedAt: "2026-01-01T00:10:00.000Z",
    options: {
      quick: false,
      shapes: [
        { batch: 1, seq: 128 },
        { batch: 8, seq: 128 },
      ],
      backends: ["tensorflow", "cpu"],
      peers: ["onnxruntime", "torch", "keras-hub"],
      loadProcesses: 5,
    },
    machine: {
      cpuModel: "Test CPU",
      cores: 2,
      memoryGB: 24,
      simd: ["avx2", "fma"],
      platform: "linux x64",
      kernel: "6",
      node: "20.20.0",
      loadAverageAtStart: [0.1, 0.1, 0.1],
      openblasCoretype: "Haswell",
    },
    model: ALBERT_BASE,
    weights: { source: "hf", hfDir: "/cache/hf" },
    ceiling: {
      status: "ok",
      tokens: 1024,
      layerMixGflops: 400,
      products: [
        { name: "projection", shape: [1024, 768, 768], medianGflops: 390, bestGflops: 410 },
      ],
      numpy: "2.4.6",
      openblasCorename: "SkylakeX",
    },
    forward,
    load: [
      {
        id: "albert-ts/tensorflow",
        ours: true,
        label: "ours load",
        status: "ok",
        processes: 5,
        loadMs: 150,
        importMs: 500,
      },
      {
        id: "keras_hub_tensorflow",
        ours: false,
        label: "KerasHub load",
        status: "unavailable",
        reason: "keras_hub is not installed",
      },
    ],
    notes: ["a note"],
    references: readReferenceFigures(),
    ...extra,
  };
}

const measured = results([
  row("albert-ts/tensorflow", 1, 60),
  row("albert-ts/tensorflow", 8, 400, {
    anonRssMB: 150,
    parity: {
      against: "hf_torch",
      batch: 1,
      seq: 128,
      sequenceMaxAbsDiff: 2.5e-6,
      pooledMaxAbsDiff: 1e-6,
    },
  }),
  row("albert-ts/cpu", 1, 24000, { warmups: 1, runs: 3 }),
  {
    id: "albert-ts/cpu",
    ours: true,
    label: "cpu",
    batch: 8,
    seq: 128,
    status: "skipped",
    reason: "too slow",
  },
  {
    id: "albert-ts/wasm",
    ours: true,
    label: "wasm",
    batch: 1,
    seq: 128,
    status: "unavailable",
    reason: "not built",
  },
  {
    id: "albert-ts/wasm",
    ours: true,
    label: "wasm",
    batch: 8,
    seq: 128,
    status: "unavailable",
    reason: "not built",
  },
  row("onnxruntime-node", 1, 50),
  row("onnxruntime-node", 8, 500),
  row("hf_torch_sdpa", 1, 150, { peakRssMB: 500 }),
  row("hf_torch_sdpa", 8, 1000, { peakRssMB: 500, anonRssMB: 300 }),
  {
    id: "keras_hub_tensorflow",
    ours: false,
    label: "KerasHub",
    batch: 1,
    seq: 128,
    status: "unavailable",
    reason: "keras_hub is not installed",
  },
  {
    id: "keras_hub_tensorflow",
    ours: false,
    label: "KerasHub",
    batch: 8,
    seq: 128,
    status: "unavailable",
    reason: "keras_hub is not installed",
  },
]);

describe("formatReport", () => {
  it("formats numbers", () => {
    expect(formatMs(1234.4)).toBe("1234");
    expect(formatMs(56.78)).toBe("56.8");
    expect(formatMs(5.678)).toBe("5.68");
    expect(formatMs(undefined)).toBe("—");
    expect(formatRatio(0.4)).toBe("0.40x");
    expect(formatRatio(undefined)).toBe("—");
  });

  it("computes ratios only against peers measured in the same run", () => {
    expect(measuredPeers(measured)).toEqual(["onnxruntime-node", "hf_torch_sdpa"]);
    const ours8 = measured.forward[1]!;
    expect(ratioVs(measured, ours8, "onnxruntime-node")).toBeCloseTo(0.8);
    expect(ratioVs(measured, ours8, "hf_torch_sdpa")).toBeCloseTo(0.4);
    expect(ratioVs(measured, ours8, "keras_hub_tensorflow")).toBeUndefined();
  });

  it("prints the forward table with ratio columns, and lists what did not run", () => {
    const report = formatReport(measured);
    expect(report).toContain(
      "| case | implementation | median ms | first call ms | warm-up+runs | GFLOP/s | % ceiling | peak RSS MB | private MB | vs ORT | vs torch |",
    );
    expect(report).toContain("| 8x128 | **albert-ts/tensorflow** | 400 | 1200 | 3+10 |");
    expect(report).toMatch(/\| 8x128 \| \*\*albert-ts\/tensorflow\*\* .* \| 0\.80x \| 0\.40x \|/);
    expect(report).toMatch(/\| 1x128 \| \*\*albert-ts\/cpu\*\* \| 24000 \| 72000 \| 1\+3 \|/);
    expect(report).toContain("- albert-ts/cpu: skipped (too slow) — 8x128");
    expect(report).toContain("- albert-ts/wasm: unavailable (not built) — 1x128, 8x128");
    expect(report).toContain(
      "- keras_hub_tensorflow: unavailable (keras_hub is not installed) — 1x128, 8x128",
    );
    expect(report).not.toContain("vs KerasHub TF");
  });

  it("shows the native backend's goals as target vs measured, in words, with no tracker jargon", () => {
    const report = formatReport(measured);
    expect(report).not.toMatch(/issue/i);
    expect(report).toContain(
      "## Goals for the native backend\n\nWhat the project aims for with `albert-ts/tensorflow`, and what this run measured",
    );
    expect(report).toContain("| comparison | target | measured | met |");
    expect(report).toContain(
      "| 8x128: time vs HF transformers on PyTorch | at most 0.5x its time | 0.40x its time | yes |",
    );
    expect(report).toContain(
      "| 8x128: time vs the fastest other implementation here (ONNX Runtime) | at most 0.9x its time (a stretch goal) | 0.80x its time | yes |",
    );
    expect(report).toContain(
      "| 1x128: time vs the fastest other implementation here (ONNX Runtime) | at most 0.9x its time (a stretch goal) | 1.20x its time | no |",
    );
    expect(report).toMatch(
      /\| 8x128: time vs KerasHub on JAX \(jit\) \| at most 1\.0x its time \| not measured in this run \(it took 456 ms on another machine, in the committed reference figures; ours here: 400 ms\) \| not measured \|/,
    );
    expect(report).toContain(
      "| 8x128: peak memory (RSS) vs HF transformers on PyTorch | at most 0.9x its peak | 400 MB, 0.80x its peak (ONNX Runtime: 400 MB); private memory 150 MB, 0.50x its private memory | yes |",
    );
    expect(report).toMatch(
      /\| 8x128: throughput vs the fp32 matmul ceiling \(numpy\) \| at least 75% of it \| \d+% \(\d+ of 400 GFLOP\/s\) \| (yes|no) \|/,
    );
    expect(report).toContain(
      "| loading a preset from disk vs KerasHub's from_preset | at most 0.8x its time | 150 ms, 0.59x the 255 ms KerasHub took on another machine (committed reference figure; KerasHub did not run here) | yes, against that reference only |",
    );
  });

  it("measures the load goal against KerasHub when it ran, and leaves the goals out for other models", () => {
    const withKeras = results(measured.forward, {
      load: [
        measured.load[0]!,
        {
          id: "keras_hub_tensorflow",
          ours: false,
          label: "KerasHub load",
          status: "ok",
          processes: 5,
          loadMs: 100,
        },
      ],
    });
    expect(goalRows(withKeras).at(-1)).toEqual({
      comparison: "loading a preset from disk vs KerasHub's from_preset",
      target: "at most 0.8x its time",
      measured: "1.50x its time",
      met: "no",
    });
    const small = formatReport(
      results(measured.forward, { model: { ...ALBERT_BASE, name: "albert_tiny" } }),
    );
    expect(small).not.toContain("## Goals for the native backend");
  });

  it("labels committed reference figures and keeps the other sections", () => {
    const report = formatReport(measured);
    expect(report).toContain("committed reference figure, not measured in this run");
    expect(report).toContain("| albert-ts/tensorflow | 8x128 | 1x128 | 2.5e-6 | 1.0e-6 |");
    expect(report).toContain("> a note");
  });
});

describe("--dtype rows", () => {
  const forward = [
    row("albert-ts/tensorflow", 1, 120),
    row("onnxruntime-node", 1, 118),
    row("hf_torch_sdpa", 1, 160),
    row("albert-ts/tensorflow@bfloat16", 1, 68, {
      dtype: "bfloat16",
      engine: "graph (fused, bfloat16)",
    }),
    row("albert-ts/tensorflow@mixed_bfloat16", 1, 73, { dtype: "mixed_bfloat16" }),
    row("hf_torch_sdpa@bfloat16", 1, 80, { dtype: "bfloat16" }),
    row("keras_hub_tensorflow@bfloat16", 1, 95, { dtype: "bfloat16" }),
  ];
  const r = results(forward, {
    options: {
      ...results([]).options,
      shapes: [{ batch: 1, seq: 128 }],
      dtypes: ["bfloat16", "mixed_bfloat16"],
    },
  });

  it("keeps the 16-bit peers out of the float32 ratio columns", () => {
    expect(measuredPeers(r)).toEqual(["onnxruntime-node", "hf_torch_sdpa"]);
  });

  it("compares each 16-bit row with its float32 row and the fastest peers of the run, and checks the targets", () => {
    const report = formatReport(r);
    expect(report).toContain("## Reduced precision (--dtype)");
    expect(report).toMatch(
      /\| 1x128 \| \*\*albert-ts\/tensorflow@bfloat16\*\* \| 68\.0 \| 0\.57x \| 0\.58x \(onnxruntime-node\) \| 0\.85x \(hf_torch_sdpa@bfloat16\) \| graph \(fused, bfloat16\) \|/,
    );
    expect(dtypeGoalRows(r)).toEqual([
      [
        "1x128: bfloat16 vs the fastest bfloat16 peer (hf_torch_sdpa@bfloat16)",
        "at most 0.90x",
        "0.85x",
        "yes",
      ],
      [
        "1x128: bfloat16 vs the fastest float32 peer (onnxruntime-node)",
        "at most 0.60x",
        "0.58x",
        "yes",
      ],
      ["1x128: mixed_bfloat16 vs our bfloat16", "at most 1.10x", "1.07x", "yes"],
      [
        "1x128: float32 vs the fastest float32 peer (onnxruntime-node)",
        "at most 1.00x",
        "1.02x",
        "no",
      ],
    ]);
    expect(formatReport(results(forward.slice(0, 3)))).not.toContain("Reduced precision");
  });
});
