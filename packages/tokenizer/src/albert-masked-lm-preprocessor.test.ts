// AlbertMaskedLMPreprocessor against KerasHub's masked_lm task preset
// (testdata/tasks/keras/masked_lm): its preprocessor.json, one seeded batch of KerasHub's eager
// masking and the counts of 400 more (preprocessor_sample.json), then the configured rates.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { AlbertMaskedLMPreprocessor } from "./albert-masked-lm-preprocessor.js";
import { AlbertTokenizer } from "./albert-tokenizer.js";
import { TokenizerError } from "./errors.js";
import { Z, cappedBinomialMoments, countStandardError } from "./test-utils/binomial.js";
import {
  MASKED_LM_PRESET,
  SAVED_PREPROCESSOR_FILES,
  readBytes,
  readJson,
  savedPresetFiles,
  type MaskedLMSample,
} from "./test-utils/fixtures.js";

const sample = readJson<MaskedLMSample>(path.join(MASKED_LM_PRESET, "preprocessor_sample.json"));
const fixture = readJson<{ preprocessor_unselectable_token_ids: number[]; mask_token_id: number }>(
  path.join(MASKED_LM_PRESET, "fixture.json"),
);
const preprocessorJson = readJson<{ config: Record<string, unknown> }>(
  path.join(MASKED_LM_PRESET, "preprocessor.json"),
);
const MASK = fixture.mask_token_id;
const UNSELECTABLE = new Set(fixture.preprocessor_unselectable_token_ids);

/** What a batch of masked outputs says, counted the way the fixture's statistics count. */
function countMasking(
  out: ReturnType<AlbertMaskedLMPreprocessor["call"]>,
  selectionLength: number,
) {
  const counts = { selected: 0, mask: 0, other: 0, unchanged: 0, rowsAtCap: 0 };
  out.sampleWeight.forEach((weights, row) => {
    const n = weights.filter((w) => w === 1).length;
    counts.selected += n;
    if (n === selectionLength) counts.rowsAtCap++;
    for (let k = 0; k < n; k++) {
      const value = out.x.tokenIds[row]![out.x.maskPositions[row]![k]!]!;
      if (value === MASK) counts.mask++;
      else if (value === out.y[row]![k]) counts.unchanged++;
      else counts.other++;
    }
  });
  return counts;
}

function addCounts(a: ReturnType<typeof countMasking>, b: ReturnType<typeof countMasking>) {
  return {
    selected: a.selected + b.selected,
    mask: a.mask + b.mask,
    other: a.other + b.other,
    unchanged: a.unchanged + b.unchanged,
    rowsAtCap: a.rowsAtCap + b.rowsAtCap,
  };
}

describe("AlbertMaskedLMPreprocessor: KerasHub's masked_lm preset", () => {
  it("fromPreset reads preprocessor.json, and masks none of KerasHub's unselectable ids", async () => {
    const preprocessor = await AlbertMaskedLMPreprocessor.fromPreset(MASKED_LM_PRESET);
    expect(preprocessor.sequenceLength).toBe(20);
    expect(preprocessor.truncate).toBe("round_robin");
    expect(preprocessor.maskSelectionRate).toBe(0.15);
    expect(preprocessor.maskSelectionLength).toBe(6);
    expect(preprocessor.maskTokenRate).toBe(0.8);
    expect(preprocessor.randomTokenRate).toBe(0.1);
    expect(preprocessor.maskGenerator.maskTokenId).toBe(MASK);
    expect(preprocessor.maskGenerator.vocabularySize).toBe(1000);
    expect(new Set(preprocessor.maskGenerator.unselectableTokenIds)).toEqual(UNSELECTABLE);
    expect(preprocessor.getConfig()).toEqual(preprocessorJson.config);
    expect(preprocessor.serialize()).toEqual(preprocessorJson);
  });

  it("options override the preset, as KerasHub's from_preset kwargs", async () => {
    const preprocessor = await AlbertMaskedLMPreprocessor.fromPreset(MASKED_LM_PRESET, {
      sequenceLength: 12,
      maskSelectionLength: 3,
      seed: 5,
    });
    expect(preprocessor.sequenceLength).toBe(12);
    expect(preprocessor.maskSelectionLength).toBe(3);
    expect(preprocessor.maskSelectionRate).toBe(0.15);
    expect(preprocessor.seed).toBe(5);
    expect(preprocessor.call(sample.texts).x.maskPositions[0]).toHaveLength(3);
  });

  it("packs exactly as KerasHub before masking", async () => {
    const unmasked = await AlbertMaskedLMPreprocessor.fromPreset(MASKED_LM_PRESET, {
      maskSelectionRate: 0,
    });
    const { x, y, sampleWeight } = unmasked.call(sample.texts);
    expect(x.tokenIds).toEqual(sample.unmasked_token_ids);
    expect(x.segmentIds).toEqual(sample.x.segment_ids);
    expect(x.paddingMask).toEqual(sample.x.padding_mask);
    const zeros = sample.texts.map(() => [0, 0, 0, 0, 0, 0]);
    expect(x.maskPositions).toEqual(zeros);
    expect(y).toEqual(zeros);
    expect(sampleWeight).toEqual(zeros);
  });

  it("with seed 1234 gives KerasHub's sample draw for draw (Python's random.seed(1234))", async () => {
    const preprocessor = await AlbertMaskedLMPreprocessor.fromPreset(MASKED_LM_PRESET, {
      seed: sample.seed,
    });
    const { x, y, sampleWeight } = preprocessor.call(sample.texts);
    expect(x.tokenIds).toEqual(sample.x.token_ids);
    expect(x.segmentIds).toEqual(sample.x.segment_ids);
    expect(x.paddingMask).toEqual(sample.x.padding_mask);
    expect(x.maskPositions).toEqual(sample.x.mask_positions);
    expect(y).toEqual(sample.y);
    expect(sampleWeight).toEqual(sample.sample_weight);
  });

  it("from seed 1235, 400 calls count exactly the fixture's statistics", async () => {
    const stats = sample.statistics;
    const preprocessor = await AlbertMaskedLMPreprocessor.fromPreset(MASKED_LM_PRESET, {
      seed: stats.seed,
    });
    let counts = countMasking(preprocessor.call(sample.texts), 6);
    for (let draw = 1; draw < stats.draws; draw++) {
      counts = addCounts(counts, countMasking(preprocessor.call(sample.texts), 6));
    }
    expect(counts).toEqual({
      selected: stats.selected,
      mask: stats.replaced_by_mask,
      other: stats.replaced_by_other_token,
      unchanged: stats.left_unchanged,
      rowsAtCap: stats.rows_hitting_mask_selection_length,
    });
  });

  it("the same seed repeats the masks; each call draws new ones", async () => {
    const a = await AlbertMaskedLMPreprocessor.fromPreset(MASKED_LM_PRESET, { seed: 99 });
    const b = await AlbertMaskedLMPreprocessor.fromPreset(MASKED_LM_PRESET, { seed: 99 });
    const first = a.call(sample.texts);
    expect(b.call(sample.texts)).toEqual(first);
    expect(a.call(sample.texts).x.maskPositions).not.toEqual(first.x.maskPositions);
  });
});

describe("AlbertMaskedLMPreprocessor: masking statistics (seed 7, 2000 calls of the sample texts)", async () => {
  const DRAWS = 2000;
  const preprocessor = await AlbertMaskedLMPreprocessor.fromPreset(MASKED_LM_PRESET, { seed: 7 });
  const { maskSelectionRate: rate, maskSelectionLength: cap } = preprocessor;
  const V = preprocessor.tokenizer.vocabularySize();
  const eligiblePerRow = sample.unmasked_token_ids.map(
    (row) => row.filter((id) => !UNSELECTABLE.has(id)).length,
  );
  const outputs = Array.from({ length: DRAWS }, () => preprocessor.call(sample.texts));
  const counts = outputs.map((out) => countMasking(out, cap)).reduce(addCounts);

  it("selects only eligible positions, ascending, and y holds the original ids there", () => {
    for (const { x, y, sampleWeight } of outputs) {
      x.maskPositions.forEach((positions, row) => {
        const n = sampleWeight[row]!.filter((w) => w === 1).length;
        const selected = positions.slice(0, n);
        expect(selected).toEqual([...selected].sort((a, b) => a - b));
        expect(new Set(selected).size).toBe(n);
        selected.forEach((position, k) => {
          const original = sample.unmasked_token_ids[row]![position]!;
          expect(UNSELECTABLE.has(original)).toBe(false);
          expect(y[row]![k]).toBe(original);
        });
        // Everything not selected is untouched.
        x.tokenIds[row]!.forEach((id, position) => {
          if (!selected.includes(position)) {
            expect(id).toBe(sample.unmasked_token_ids[row]![position]);
          }
        });
      });
    }
  });

  it("pads maskPositions, y and sampleWeight with 0 to maskSelectionLength", () => {
    for (const { x, y, sampleWeight } of outputs) {
      sampleWeight.forEach((weights, row) => {
        const n = weights.filter((w) => w === 1).length;
        expect(weights).toEqual([...new Array(n).fill(1), ...new Array(cap - n).fill(0)]);
        expect(x.maskPositions[row]!.slice(n)).toEqual(new Array(cap - n).fill(0));
        expect(y[row]!.slice(n)).toEqual(new Array(cap - n).fill(0));
      });
    }
  });

  it("selects E[min(Binomial(eligible, 0.15), 6)] tokens per row; rows reach the cap as often as P(X >= 6)", () => {
    const rows = eligiblePerRow.map((n) => cappedBinomialMoments(n, rate, cap));
    const mean = DRAWS * rows.reduce((sum, r) => sum + r.mean, 0);
    const sd = Math.sqrt(DRAWS * rows.reduce((sum, r) => sum + r.variance, 0));
    expect(Math.abs(counts.selected - mean)).toBeLessThanOrEqual(Z * sd);
    const atCapMean = DRAWS * rows.reduce((sum, r) => sum + r.atCap, 0);
    const atCapSd = Math.sqrt(DRAWS * rows.reduce((sum, r) => sum + r.atCap * (1 - r.atCap), 0));
    expect(Math.abs(counts.rowsAtCap - atCapMean)).toBeLessThanOrEqual(Z * atCapSd);
  });

  it("replaces selected tokens by [MASK] 80%, a random id 10%, and keeps 10%", () => {
    // A random id equals [MASK] with probability 1/V (the original is never [MASK]) and the
    // original with probability 1/V.
    const expected = {
      mask: preprocessor.maskTokenRate + preprocessor.randomTokenRate / V,
      unchanged:
        1 -
        preprocessor.maskTokenRate -
        preprocessor.randomTokenRate +
        preprocessor.randomTokenRate / V,
      other: (preprocessor.randomTokenRate * (V - 2)) / V,
    };
    for (const key of ["mask", "unchanged", "other"] as const) {
      const deviation = Math.abs(counts[key] - counts.selected * expected[key]);
      expect(deviation, key).toBeLessThanOrEqual(
        Z * countStandardError(counts.selected, expected[key]),
      );
    }
    expect(counts.mask + counts.unchanged + counts.other).toBe(counts.selected);
  });

  it("agrees with the rates KerasHub showed in the fixture (two-sample bounds)", () => {
    const stats = sample.statistics;
    const eligibleOurs = DRAWS * stats.eligible_positions_per_draw;
    const eligibleTheirs = stats.draws * stats.eligible_positions_per_draw;
    // Selected per eligible position: per-row variances of the capped count, both samples.
    const rowVariance = eligiblePerRow
      .map((n) => cappedBinomialMoments(n, rate, cap).variance)
      .reduce((a, b) => a + b, 0);
    const se = Math.sqrt(
      (DRAWS * rowVariance) / eligibleOurs ** 2 + (stats.draws * rowVariance) / eligibleTheirs ** 2,
    );
    expect(
      Math.abs(counts.selected / eligibleOurs - stats.rates.selected_per_eligible!),
    ).toBeLessThanOrEqual(Z * se);
    const perSelected: Array<[number, number]> = [
      [counts.mask, stats.replaced_by_mask],
      [counts.other, stats.replaced_by_other_token],
      [counts.unchanged, stats.left_unchanged],
    ];
    for (const [ours, theirs] of perSelected) {
      const p = (ours + theirs) / (counts.selected + stats.selected);
      const seDiff = Math.sqrt(p * (1 - p) * (1 / counts.selected + 1 / stats.selected));
      expect(Math.abs(ours / counts.selected - theirs / stats.selected)).toBeLessThanOrEqual(
        Z * seDiff,
      );
    }
  });
});

describe("AlbertMaskedLMPreprocessor: configs, presets and inputs", () => {
  const temp = mkdtempSync(path.join(tmpdir(), "albert-mlm-preprocessor-"));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));
  const tokenizer = AlbertTokenizer.fromProto(
    readBytes(path.join(MASKED_LM_PRESET, "assets/tokenizer/vocabulary.spm")),
  );

  it("saveToPreset writes KerasHub's files byte for byte, plus the casing record", async () => {
    const preprocessor = await AlbertMaskedLMPreprocessor.fromPreset(MASKED_LM_PRESET);
    const dir = path.join(temp, "saved");
    expect(await preprocessor.saveToPreset(dir)).toEqual(SAVED_PREPROCESSOR_FILES);
    const { actual, expected } = savedPresetFiles(dir, MASKED_LM_PRESET, false);
    expect(actual).toEqual(expected);
    const reloaded = await AlbertMaskedLMPreprocessor.fromPreset(dir, { seed: 3 });
    expect(reloaded.getConfig()).toEqual(preprocessor.getConfig());
  });

  it("writes Python floats for the rates (1.0 and 0.0, as json.dumps)", async () => {
    const preprocessor = new AlbertMaskedLMPreprocessor({
      tokenizer,
      maskTokenRate: 1,
      randomTokenRate: 0,
    });
    const dir = path.join(temp, "floats");
    await preprocessor.saveToPreset(dir);
    const text = readFileSync(path.join(dir, "preprocessor.json"), "utf8");
    expect(text).toContain('"mask_token_rate": 1.0,');
    expect(text).toContain('"random_token_rate": 0.0\n');
    expect(text).toContain('"mask_selection_length": 96,');
  });

  it("fromConfig(getConfig()) round-trips; a whole preprocessor.json works too", () => {
    const preprocessor = new AlbertMaskedLMPreprocessor({
      tokenizer,
      sequenceLength: 16,
      maskSelectionLength: 4,
      maskSelectionRate: 0.3,
      truncate: "waterfall",
    });
    const again = AlbertMaskedLMPreprocessor.fromConfig(preprocessor.getConfig(), { tokenizer });
    expect(again.getConfig()).toEqual(preprocessor.getConfig());
    const fromFile = AlbertMaskedLMPreprocessor.fromConfig(preprocessorJson, {
      tokenizer,
      seed: 1,
    });
    expect(fromFile.getConfig()).toEqual(preprocessorJson.config);
    expect(() => AlbertMaskedLMPreprocessor.fromConfig(preprocessorJson)).toThrow(
      /needs the tokenizer/,
    );
  });

  it("takes { first, second } pairs and KerasHub's tuple form alike", () => {
    const make = () => new AlbertMaskedLMPreprocessor({ tokenizer, sequenceLength: 16, seed: 11 });
    const pairs = { first: ["the license", "any program"], second: ["applies", "or other work"] };
    const out = make().call(pairs);
    expect(out).toEqual(make().call([pairs.first, pairs.second]));
    expect(out.x.segmentIds[0]).toContain(1);
  });

  it("pads to the longest row with padding: 'longest', masking the same positions", () => {
    const full = new AlbertMaskedLMPreprocessor({ tokenizer, sequenceLength: 64, seed: 4 });
    const short = new AlbertMaskedLMPreprocessor({
      tokenizer,
      sequenceLength: 64,
      seed: 4,
      padding: "longest",
    });
    const a = full.call(sample.texts);
    const b = short.call(sample.texts);
    const width = Math.max(...sample.texts.map((t) => tokenizer.tokenize(t).length + 2));
    expect(b.x.tokenIds.every((row) => row.length === width)).toBe(true);
    expect(b.x.tokenIds).toEqual(a.x.tokenIds.map((row) => row.slice(0, width)));
    expect(b.x.maskPositions).toEqual(a.x.maskPositions);
    expect(b.y).toEqual(a.y);
  });

  it.each([
    [{ maskSelectionRate: 1.5 }, /maskSelectionRate must be a number in \[0, 1\], got 1\.5/],
    [
      { maskTokenRate: 0.8, randomTokenRate: 0.3 },
      /maskTokenRate \+ randomTokenRate must be at most 1/,
    ],
    [{ maskSelectionLength: 0 }, /maskSelectionLength must be an integer >= 1, got 0/],
    [{ seed: 0.5 }, /seed must be a safe integer/],
    [{ padding: "shortest" }, /padding must be "max_length" or "longest", got "shortest"/],
    [{ tokenizer: {} }, /tokenizer must be an AlbertTokenizer, got an object/],
  ])("rejects bad options %#", (options, message) => {
    const make = () => new AlbertMaskedLMPreprocessor({ tokenizer, ...options } as never);
    expect(make).toThrow(TokenizerError);
    expect(make).toThrow(message);
  });
});
