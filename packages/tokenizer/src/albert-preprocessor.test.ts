import { describe, expect, it } from "vitest";
import { AlbertPreprocessor } from "./albert-preprocessor.js";
import { AlbertTokenizer } from "./albert-tokenizer.js";
import { TokenizerError } from "./errors.js";
import { MultiSegmentPacker, trimRoundRobin, trimWaterfall } from "./multi-segment-packer.js";
import { kerasFixtureModel, testdataPath } from "./test-utils/fixtures.js";

const tokenizer = AlbertTokenizer.fromProto(kerasFixtureModel("tokenizer"));
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

describe("MultiSegmentPacker (KerasHub's Python workflow)", () => {
  it.each([
    // [segment lengths, budget, kept per segment]
    [[10, 3], 8, [5, 3]],
    [[3, 10], 8, [3, 5]],
    [[10, 10], 7, [4, 3]],
    [[2, 2], 8, [2, 2]],
    [[5, 5, 5], 7, [3, 2, 2]],
    [[0, 9], 4, [0, 4]],
    [[9, 9], 0, [0, 0]],
  ])("round_robin trims %j to %i as %j", (lengths, budget, kept) => {
    const row = lengths.map((n, s) => range(100 * (s + 1), n));
    expect(trimRoundRobin(row, budget).map((tokens) => tokens.length)).toEqual(kept);
  });

  it.each([
    [[10, 3], 8, [8, 0]],
    [[3, 10], 8, [3, 5]],
    [[2, 2], 8, [2, 2]],
    [[4, 4, 4], 9, [4, 4, 1]],
  ])("waterfall trims %j to %i as %j", (lengths, budget, kept) => {
    const row = lengths.map((n, s) => range(100 * (s + 1), n));
    expect(trimWaterfall(row, budget).map((tokens) => tokens.length)).toEqual(kept);
  });

  it("packs [start] a [sep] b [end] with segment ids and right padding", () => {
    const packer = new MultiSegmentPacker({
      sequenceLength: 8,
      startValue: 2,
      endValue: 3,
      padValue: 0,
    });
    expect(packer.pack([[[10, 11]], [[20]]])).toEqual({
      tokenIds: [[2, 10, 11, 3, 20, 3, 0, 0]],
      segmentIds: [[0, 0, 0, 0, 1, 1, 0, 0]],
    });
  });
});

describe("AlbertPreprocessor", () => {
  it("defaults to KerasHub's sequence_length 512 and round_robin", () => {
    const preprocessor = new AlbertPreprocessor({ tokenizer });
    expect(preprocessor.sequenceLength).toBe(512);
    expect(preprocessor.truncate).toBe("round_robin");
    const out = preprocessor.call(["the license"]);
    expect(out.tokenIds[0]).toHaveLength(512);
    expect(out.paddingMask[0]!.reduce((a, b) => a + b, 0)).toBe(
      tokenizer.tokenize("the license").length + 2,
    );
  });

  it("accepts a lone string as a batch of one", () => {
    const preprocessor = new AlbertPreprocessor({ tokenizer, sequenceLength: 8 });
    expect(preprocessor.call("the license")).toEqual(preprocessor.call(["the license"]));
  });

  it("truncates pairs with waterfall", () => {
    const preprocessor = new AlbertPreprocessor({
      tokenizer,
      sequenceLength: 10,
      truncate: "waterfall",
    });
    const first = tokenizer.tokenize("the license applies to any program");
    const second = tokenizer.tokenize("the program");
    const out = preprocessor.call([["the license applies to any program"], ["the program"]]);
    const keptFirst = Math.min(first.length, 7);
    expect(out.tokenIds[0]).toEqual(
      [
        2,
        ...first.slice(0, keptFirst),
        3,
        ...second.slice(0, 7 - keptFirst),
        3,
        ...new Array(Math.max(0, 7 - keptFirst - second.length)).fill(0),
      ].slice(0, 10),
    );
  });

  it("reads sequence_length from preprocessor.json", async () => {
    const preprocessor = await AlbertPreprocessor.fromPreset(testdataPath("tokenizer"));
    expect(preprocessor.sequenceLength).toBe(16);
    expect(preprocessor.tokenizer.lowercase).toBe(false);
    const overridden = await AlbertPreprocessor.fromPreset(testdataPath("tokenizer"), {
      sequenceLength: 32,
    });
    expect(overridden.sequenceLength).toBe(32);
  });

  it.each([
    [{ tokenizer, sequenceLength: 1 }, /sequenceLength must be an integer >= 2.*got 1/],
    [{ tokenizer, sequenceLength: 12.5 }, /sequenceLength must be an integer >= 2.*got 12\.5/],
    [{ tokenizer, sequenceLength: "128" }, /sequenceLength must be an integer >= 2.*got "128"/],
    [
      { tokenizer, truncate: "longest_first" },
      /truncate must be "round_robin" or "waterfall", got "longest_first"/,
    ],
    [{ tokenizer: "tok" }, /tokenizer must be an AlbertTokenizer, got "tok"/],
  ])("rejects bad options %#", (options, message) => {
    expect(() => new AlbertPreprocessor(options as never)).toThrow(message);
    expect(() => new AlbertPreprocessor(options as never)).toThrow(TokenizerError);
  });

  it("rejects malformed inputs, naming the element", () => {
    const preprocessor = new AlbertPreprocessor({ tokenizer, sequenceLength: 8 });
    expect(() => preprocessor.call([["a", "b"], ["c"]])).toThrow(
      /inputs\[1\] must be an array of 2 strings/,
    );
    expect(() => preprocessor.call(["a", 3 as unknown as string])).toThrow(
      /inputs\[1\] must be a string, got 3/,
    );
    expect(() => preprocessor.call(7 as unknown as string)).toThrow(
      /inputs must be a string, an array/,
    );
    const short = new AlbertPreprocessor({ tokenizer, sequenceLength: 2 });
    expect(() => short.call([["a"], ["b"]])).toThrow(/sequenceLength 2 is too short for 2 segment/);
  });

  it("returns empty batches for empty input", () => {
    const preprocessor = new AlbertPreprocessor({ tokenizer, sequenceLength: 8 });
    expect(preprocessor.call([])).toEqual({ tokenIds: [], segmentIds: [], paddingMask: [] });
  });
});
