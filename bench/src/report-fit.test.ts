import { describe, expect, it } from "vitest";
import { fitSection } from "./report-fit.js";
import type { BenchmarkResults, FitResult } from "./results.js";

function fitRow(id: string, medianStepMs: number, extra: Partial<FitResult> = {}): FitResult {
  return {
    id,
    ours: id.startsWith("albert-ts/"),
    label: id,
    batch: 8,
    seq: 128,
    status: "ok",
    warmups: 3,
    runs: 10,
    firstStepMs: medianStepMs * 4,
    medianStepMs,
    samplesPerSecond: 8 / (medianStepMs / 1000),
    peakRssMB: 1500,
    anonRssMB: 1200,
    ...extra,
  };
}

/** Only the fields the section reads. */
const resultsWith = (fit: FitResult[] | undefined) => ({ fit }) as unknown as BenchmarkResults;

describe("fitSection", () => {
  it("prints each case's step time, samples/s and memory, ours against KerasHub's from the same run", () => {
    const section = fitSection(
      resultsWith([
        fitRow("albert-ts/tensorflow", 2000),
        fitRow("albert-ts/wasm", 0, {
          status: "skipped",
          reason: "fit on wasm runs only up to 128 tokens",
        }),
        fitRow("keras_hub_tensorflow", 2500, { jitCompile: false }),
      ]),
    )!;
    expect(section).toContain(
      "| 8x128 | **albert-ts/tensorflow** | 3+10 | 8000 | 2000 | 4.00 | 1500 | 1200 | 1.25x |",
    );
    expect(section).toContain(
      "| 8x128 | **albert-ts/wasm** | skipped | fit on wasm runs only up to 128 tokens |",
    );
    expect(section).toContain(
      "| 8x128 | keras_hub_tensorflow | 3+10 | 10000 | 2500 | 3.20 | 1500 | 1200 | — |",
    );
    expect(section).toContain("KerasHub's jit_compile resolved to false.");
  });

  it("computes no ratio when KerasHub did not run, and nothing without fine-tuning cases", () => {
    const section = fitSection(
      resultsWith([
        fitRow("albert-ts/tensorflow", 2000),
        fitRow("keras_hub_tensorflow", 0, {
          status: "unavailable",
          reason: "keras_hub not installed",
        }),
      ]),
    )!;
    expect(section).toContain(
      "| 8x128 | **albert-ts/tensorflow** | 3+10 | 8000 | 2000 | 4.00 | 1500 | 1200 | — |",
    );
    expect(section).toContain(
      "| 8x128 | keras_hub_tensorflow | unavailable | keras_hub not installed |",
    );
    expect(fitSection(resultsWith(undefined))).toBeUndefined();
    expect(fitSection(resultsWith([]))).toBeUndefined();
  });
});
