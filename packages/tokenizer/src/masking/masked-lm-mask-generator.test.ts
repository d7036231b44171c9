import { describe, expect, it } from "vitest";
import { TokenizerError } from "../errors.js";
import { Z, countStandardError } from "../test-utils/binomial.js";
import { MaskedLMMaskGenerator } from "./masked-lm-mask-generator.js";

const base = { vocabularySize: 10, maskSelectionRate: 0.2, maskTokenId: 3, maskSelectionLength: 5 };

describe("MaskedLMMaskGenerator (KerasHub's eager path)", () => {
  it("keeps a random subset of the cap's size, in position order, when more are selected", () => {
    // 100 eligible tokens at rate 0.5: about 50 selected, always cut to 6 chosen uniformly.
    const masker = new MaskedLMMaskGenerator({
      vocabularySize: 200,
      maskSelectionRate: 0.5,
      maskTokenId: 0,
      maskSelectionLength: 6,
      unselectableTokenIds: [0],
      maskTokenRate: 0,
      randomTokenRate: 0,
      seed: 21,
    });
    const row = Array.from({ length: 100 }, (_, i) => i + 100);
    const ROWS = 3000;
    const hits = new Array<number>(100).fill(0);
    const { maskPositions, maskIds, maskWeights, tokenIds } = masker.call(
      Array.from({ length: ROWS }, () => row),
    );
    maskPositions.forEach((positions, r) => {
      expect(maskWeights[r]).toEqual([1, 1, 1, 1, 1, 1]);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
      expect(maskIds[r]).toEqual(positions.map((p) => row[p]));
      for (const p of positions) hits[p]! += 1;
    });
    expect(tokenIds[0]).toEqual(row); // keep rate 1: nothing replaced
    // Every position is kept with probability 6/100 (the subset is uniform).
    const p = 6 / 100;
    for (const count of hits) {
      expect(Math.abs(count - ROWS * p)).toBeLessThanOrEqual(Z * countStandardError(ROWS, p));
    }
    expect(Math.min(...hits)).toBeGreaterThan(0);
  });

  it("draws random replacements uniformly from the whole vocabulary, special ids included", () => {
    const V = 5;
    const masker = new MaskedLMMaskGenerator({
      vocabularySize: V,
      maskSelectionRate: 1,
      maskTokenId: 4,
      maskSelectionLength: 8,
      unselectableTokenIds: [0, 4],
      maskTokenRate: 0,
      randomTokenRate: 1,
      seed: 8,
    });
    const ROWS = 2000;
    const out = masker.call(Array.from({ length: ROWS }, () => [1, 2, 3, 1, 2, 3, 1, 2]));
    const seen = new Array<number>(V).fill(0);
    for (const row of out.tokenIds) for (const id of row) seen[id]! += 1;
    const draws = ROWS * 8;
    for (const count of seen) {
      expect(Math.abs(count - draws / V)).toBeLessThanOrEqual(Z * countStandardError(draws, 1 / V));
    }
  });

  it("never selects unselectable ids, and pads rows with fewer selections with 0", () => {
    const masker = new MaskedLMMaskGenerator({ ...base, unselectableTokenIds: [0, 1, 2], seed: 1 });
    const out = masker.call([[1, 2, 0, 0], [], [2, 9, 2]]);
    expect(out.maskPositions[0]).toEqual([0, 0, 0, 0, 0]);
    expect(out.maskWeights[1]).toEqual([0, 0, 0, 0, 0]);
    expect(out.tokenIds[1]).toEqual([]);
    for (const position of out.maskPositions[2]!.filter((_, k) => out.maskWeights[2]![k])) {
      expect(position).toBe(1);
    }
  });

  it.each([
    [{ maskTokenId: 10 }, /maskTokenId must be in \[0, vocabularySize - 1\] = \[0, 9\], got 10/],
    [{ vocabularySize: 0 }, /vocabularySize must be an integer >= 1, got 0/],
    [{ maskSelectionRate: -0.1 }, /maskSelectionRate must be a number in \[0, 1\], got -0\.1/],
    [{ randomTokenRate: Number.NaN }, /randomTokenRate must be a number in \[0, 1\], got NaN/],
    [{ unselectableTokenIds: [0, "1"] }, /unselectableTokenIds must be an array of integer ids/],
  ])("rejects bad options %#", (options, message) => {
    const make = () => new MaskedLMMaskGenerator({ ...base, ...options } as never);
    expect(make).toThrow(TokenizerError);
    expect(make).toThrow(message);
  });

  it("rejects input that is not a batch of rows", () => {
    const masker = new MaskedLMMaskGenerator(base);
    expect(() => masker.call([1, 2, 3] as never)).toThrow(
      /tokenIds must be an array of rows \(arrays of token ids\)/,
    );
  });
});
