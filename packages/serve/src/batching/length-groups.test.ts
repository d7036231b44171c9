import { describe, expect, it } from "vitest";
import { lengthSortedBatches, paddedTokens, pickAroundOldest } from "./length-groups.js";

describe("lengthSortedBatches", () => {
  it("cuts rows sorted by length into batches within the token budget and row limit, every row once", () => {
    const lengths = [9, 3, 12, 3, 7, 30, 5, 5, 4];
    const batches = lengthSortedBatches(lengths, 24, 4);
    expect(batches.flat().sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
    for (const batch of batches) {
      expect(batch.length).toBeLessThanOrEqual(4);
      // A single row longer than the budget is a batch of its own.
      if (batch.length > 1) expect(paddedTokens(batch.map((i) => lengths[i]!))).toBeLessThanOrEqual(24);
    }
    // Shortest first, ties in input order.
    expect(batches[0]).toEqual([1, 3, 8, 6]);
    expect(batches.at(-1)).toEqual([5]);
  });

  it("is deterministic (a shard encoded again gets the same batches)", () => {
    const lengths = Array.from({ length: 200 }, (_, i) => ((i * 37) % 23) + 2);
    expect(lengthSortedBatches(lengths, 128, 16)).toEqual(lengthSortedBatches([...lengths], 128, 16));
  });
});

describe("pickAroundOldest", () => {
  it("always takes the oldest row and grows toward the nearest lengths within the budget", () => {
    const lengths = [10, 2, 11, 40, 9, 3, 12];
    const picked = pickAroundOldest(lengths, 0, 40, 8);
    expect(picked).toContain(0);
    // 10, 9, 11 and 12 are nearest to 10; 4 rows x 12 = 48 > 40, so three of them.
    expect(picked.sort((a, b) => a - b)).toEqual([0, 2, 4]);
    expect(paddedTokens(picked.map((i) => lengths[i]!))).toBeLessThanOrEqual(40);
  });

  it("keeps padding within maxPadding: rows far from the oldest's length wait for their own batch", () => {
    const lengths = [40, 10, 38, 120, 42, 12, 41];
    // Without a padding limit everything fits 7 x 120 = 840 tokens; with 10% only the 38-42s
    // (adding the 12 would make 5 x 42 = 210 tokens, 37 of them padding).
    expect(pickAroundOldest(lengths, 0, 1000, 8)).toHaveLength(7);
    const picked = pickAroundOldest(lengths, 0, 1000, 8, 0.1).sort((a, b) => a - b);
    expect(picked).toEqual([0, 2, 4, 6]);
    const padded = picked.length * Math.max(...picked.map((i) => lengths[i]!));
    const real = picked.reduce((sum, i) => sum + lengths[i]!, 0);
    expect((padded - real) / padded).toBeLessThanOrEqual(0.1);
    expect(pickAroundOldest(lengths, 0, 1000, 8, 0.25).sort((a, b) => a - b)).toEqual([0, 2, 4, 5, 6]);
  });

  it("takes the oldest row alone when it exceeds the budget, and respects maxRows", () => {
    expect(pickAroundOldest([100, 2, 3], 0, 50, 8)).toEqual([0]);
    expect(pickAroundOldest([5, 5, 5, 5, 5], 2, 1000, 3)).toHaveLength(3);
  });
});
