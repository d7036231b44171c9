import { describe, expect, it } from "vitest";
import { mergeRounds, type ForwardResult } from "./results.js";

const base = { ours: false, label: "x", batch: 1, seq: 128 } as const;
const ok = (id: string, timesMs: number[], extra: Partial<ForwardResult> = {}): ForwardResult => ({
  ...base,
  id,
  status: "ok",
  warmups: 1,
  runs: timesMs.length,
  timesMs,
  medianMs: [...timesMs].sort((a, b) => a - b)[Math.floor(timesMs.length / 2)]!,
  minMs: Math.min(...timesMs),
  gflops: 100,
  ...extra,
});

describe("mergeRounds", () => {
  it("keeps a single round's results as they are", () => {
    const one = [ok("a", [10, 20, 30]), ok("b", [5])];
    expect(mergeRounds(one)).toEqual(one);
  });

  it("pools every round's timed runs per implementation and case", () => {
    const merged = mergeRounds([
      ok("a", [10, 11, 12], { firstCallMs: 50, peakRssMB: 100, medianMs: 11, gflops: 100 }),
      ok("b", [7]),
      ok("a", [20, 21, 22], { firstCallMs: 70, peakRssMB: 120 }),
      ok("a", [13, 14, 15], { firstCallMs: 60, peakRssMB: 110 }),
    ]);
    expect(merged.map((r) => r.id)).toEqual(["a", "b"]);
    const a = merged[0]!;
    expect(a.timesMs).toEqual([10, 11, 12, 20, 21, 22, 13, 14, 15]);
    expect(a.medianMs).toBe(14);
    expect(a.minMs).toBe(10);
    expect(a.runs).toBe(9);
    expect(a.rounds).toBe(3);
    expect(a.firstCallMs).toBe(60);
    expect(a.peakRssMB).toBe(120);
    // GFLOP/s follows the pooled median: 100 GFLOP/s at 11 ms is 78.6 at 14 ms.
    expect(a.gflops).toBeCloseTo((100 * 11) / 14, 6);
  });

  it("keeps the rounds that succeeded, and the first failure when none did", () => {
    const failed: ForwardResult = { ...base, id: "a", status: "failed", reason: "crashed" };
    const merged = mergeRounds([
      failed,
      ok("a", [30]),
      ok("a", [40]),
      { ...failed, id: "c" },
      { ...failed, id: "c", reason: "again" },
    ]);
    expect(merged[0]).toMatchObject({ status: "ok", timesMs: [30, 40], rounds: 2 });
    expect(merged[1]).toEqual({ ...failed, id: "c" });
  });

  it("separates cases of different shapes", () => {
    const merged = mergeRounds([ok("a", [1]), { ...ok("a", [9]), batch: 8 }, ok("a", [3])]);
    expect(merged.map((r) => [r.batch, r.timesMs])).toEqual([
      [1, [1, 3]],
      [8, [9]],
    ]);
  });
});
