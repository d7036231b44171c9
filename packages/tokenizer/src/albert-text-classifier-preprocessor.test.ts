import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  AlbertPreprocessor,
  AlbertTextClassifierPreprocessor,
} from "./albert-text-classifier-preprocessor.js";
import { AlbertTokenizer } from "./albert-tokenizer.js";
import { TokenizerError } from "./errors.js";
import { MultiSegmentPacker, trimRoundRobin, trimWaterfall } from "./multi-segment-packer.js";
import {
  CLASSIFIER_PRESET,
  MASKED_LM_PRESET,
  SAVED_PREPROCESSOR_FILES,
  kerasFixtureModel,
  savedPresetFiles,
  readJson,
  testdataPath,
  type ClassifierE2eExpected,
} from "./test-utils/fixtures.js";

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

describe("AlbertTextClassifierPreprocessor (AlbertPreprocessor)", () => {
  it("AlbertPreprocessor is KerasHub's alias: the same class", () => {
    expect(AlbertPreprocessor).toBe(AlbertTextClassifierPreprocessor);
    expect(new AlbertPreprocessor({ tokenizer })).toBeInstanceOf(AlbertTextClassifierPreprocessor);
  });

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
    const out = preprocessor.call({
      first: ["the license applies to any program"],
      second: ["the program"],
    });
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

  it("reads sequence_length from preprocessor.json (testdata/tokenizer)", async () => {
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
    expect(() => preprocessor.call(["a", 3 as unknown as string])).toThrow(
      /inputs\[1\] must be a string, got 3/,
    );
    expect(() =>
      preprocessor.call([
        ["a", "b"],
        ["c", 3 as unknown as string],
      ]),
    ).toThrow(/inputs\[1\]\[1\] must be a string, got 3/);
    expect(() => preprocessor.call(7 as unknown as string)).toThrow(
      /inputs must be a string, an array of strings, \{ first, second \} sentence pairs/,
    );
    const short = new AlbertPreprocessor({ tokenizer, sequenceLength: 2 });
    expect(() => short.call({ first: "a", second: "b" })).toThrow(
      /sequenceLength 2 is too short for 2 segment/,
    );
  });

  it("explains a tuple form whose lists differ in length, showing both forms", () => {
    const preprocessor = new AlbertPreprocessor({ tokenizer, sequenceLength: 8 });
    // What a user means as three (question, context) pairs, written as a list of pairs.
    const error = (() => {
      try {
        preprocessor.call([["q1", "c1"], ["q2", "c2"], ["q3"]]);
      } catch (e) {
        return e as TokenizerError;
      }
      throw new Error("expected an error");
    })();
    expect(error).toBeInstanceOf(TokenizerError);
    expect(error.code).toBe("invalid_argument");
    expect(error.message).toMatch(/KerasHub's tuple form \[firstSegments, secondSegments\]/);
    expect(error.message).toMatch(/inputs\[0\] has 2 texts, inputs\[2\] has 1/);
    expect(error.message).toMatch(/\{ first: \[q1, q2, \.\.\.\], second: \[c1, c2, \.\.\.\] \}/);
    expect(error.message).toMatch(
      /\[\[q1, q2, \.\.\.\], \[c1, c2, \.\.\.\]\].*not \[\[q1, c1\], \[q2, c2\]\]/,
    );
    expect(() => preprocessor.call(["a", ["b"]] as never)).toThrow(
      /tuple form.*but inputs\[0\] is "a"/,
    );
  });

  it("checks { first, second } pairs", () => {
    const preprocessor = new AlbertPreprocessor({ tokenizer, sequenceLength: 12 });
    expect(() => preprocessor.call({ first: ["a", "b"], second: ["c"] })).toThrow(
      /inputs\.first and inputs\.second must have the same length .* got 2 and 1/,
    );
    expect(() => preprocessor.call({ text: "a", text_pair: "b" } as never)).toThrow(
      /inputs as an object must be \{ first, second \} sentence pairs, got keys \["text","text_pair"\]/,
    );
    expect(() => preprocessor.call({ first: ["a"], second: [5] } as never)).toThrow(
      /inputs\.second\[0\] must be a string, got 5/,
    );
    // A lone pair is a batch of one, like a lone string.
    expect(preprocessor.call({ first: "the license", second: "applies" })).toEqual(
      preprocessor.call({ first: ["the license"], second: ["applies"] }),
    );
  });

  it("returns empty batches for empty input", () => {
    const preprocessor = new AlbertPreprocessor({ tokenizer, sequenceLength: 8 });
    expect(preprocessor.call([])).toEqual({ tokenIds: [], segmentIds: [], paddingMask: [] });
    const longest = new AlbertPreprocessor({ tokenizer, padding: "longest" });
    expect(longest.call({ first: [], second: [] })).toEqual({
      tokenIds: [],
      segmentIds: [],
      paddingMask: [],
    });
  });
});

describe("padding: 'longest' (HF's padding to the longest row of the batch)", () => {
  const texts = ["the license", "you may copy and distribute verbatim copies of the program", ""];
  const full = new AlbertPreprocessor({ tokenizer, sequenceLength: 64 });
  const longest = new AlbertPreprocessor({ tokenizer, sequenceLength: 64, padding: "longest" });

  it("pads every row to the longest one, and is KerasHub's packing cut there", () => {
    const width = Math.max(...texts.map((t) => tokenizer.tokenize(t).length + 2));
    expect(width).toBeLessThan(64);
    const a = full.call(texts);
    const b = longest.call(texts);
    expect(b.tokenIds.map((row) => row.length)).toEqual([width, width, width]);
    expect(b.tokenIds).toEqual(a.tokenIds.map((row) => row.slice(0, width)));
    expect(b.segmentIds).toEqual(a.segmentIds.map((row) => row.slice(0, width)));
    expect(b.paddingMask).toEqual(a.paddingMask.map((row) => row.slice(0, width)));
    expect(b.paddingMask[1]!.every((m) => m === 1)).toBe(true);
  });

  it("still truncates to sequenceLength, and pads pairs too", () => {
    const short = new AlbertPreprocessor({ tokenizer, sequenceLength: 10, padding: "longest" });
    expect(short.call(texts).tokenIds[1]).toHaveLength(10);
    const pairs = longest.call({ first: ["the license", "any"], second: ["applies", "program"] });
    const width = Math.max(...pairs.paddingMask.map((row) => row.lastIndexOf(1) + 1));
    expect(pairs.tokenIds.every((row) => row.length === width)).toBe(true);
    expect(pairs.segmentIds[0]).toContain(1);
  });

  it("is the default 'max_length' otherwise, and refuses other values", () => {
    expect(full.padding).toBe("max_length");
    expect(() => new AlbertPreprocessor({ tokenizer, padding: "do_not_pad" as never })).toThrow(
      /padding must be "max_length" or "longest", got "do_not_pad"/,
    );
  });
});

describe("AlbertTextClassifierPreprocessor: KerasHub's classifier preset", () => {
  const temp = mkdtempSync(path.join(tmpdir(), "albert-classifier-preprocessor-"));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));
  const e2e = readJson<ClassifierE2eExpected>(path.join(CLASSIFIER_PRESET, "e2e_expected.json"));
  const preprocessorJson = readJson<{ config: Record<string, unknown> }>(
    path.join(CLASSIFIER_PRESET, "preprocessor.json"),
  );

  it("fromPreset reads preprocessor.json; its packing of singles and pairs is KerasHub's", async () => {
    const preprocessor = await AlbertTextClassifierPreprocessor.fromPreset(CLASSIFIER_PRESET);
    expect(preprocessor.sequenceLength).toBe(e2e.sequence_length);
    expect(preprocessor.truncate).toBe(e2e.truncate);
    expect(preprocessor.tokenizer.lowercase).toBe(false);
    const single = preprocessor.call(e2e.single.inputs);
    expect(single.tokenIds).toEqual(e2e.single.token_ids);
    expect(single.segmentIds).toEqual(e2e.single.segment_ids);
    expect(single.paddingMask).toEqual(e2e.single.padding_mask);
    const pairs = preprocessor.call({ first: e2e.pairs.first, second: e2e.pairs.second });
    expect(pairs.tokenIds).toEqual(e2e.pairs.token_ids);
    expect(pairs.segmentIds).toEqual(e2e.pairs.segment_ids);
    expect(pairs.paddingMask).toEqual(e2e.pairs.padding_mask);
    expect(preprocessor.call([e2e.pairs.first, e2e.pairs.second])).toEqual(pairs);
  });

  it("getConfig() is KerasHub's config; fromConfig round-trips it and whole files", async () => {
    const preprocessor = await AlbertTextClassifierPreprocessor.fromPreset(CLASSIFIER_PRESET);
    expect(preprocessor.getConfig()).toEqual(preprocessorJson.config);
    expect(preprocessor.serialize()).toEqual(preprocessorJson);
    const again = AlbertTextClassifierPreprocessor.fromConfig(preprocessor.getConfig(), {
      tokenizer: preprocessor.tokenizer,
    });
    expect(again.getConfig()).toEqual(preprocessor.getConfig());
    const fromFile = AlbertTextClassifierPreprocessor.fromConfig(preprocessorJson, {
      tokenizer: preprocessor.tokenizer,
      padding: "longest",
    });
    expect(fromFile.sequenceLength).toBe(24);
    expect(fromFile.padding).toBe("longest");
    expect(() =>
      AlbertTextClassifierPreprocessor.fromConfig(
        readJson(path.join(MASKED_LM_PRESET, "preprocessor.json")),
        { tokenizer },
      ),
    ).toThrow(
      /is a serialized keras_hub>AlbertMaskedLMPreprocessor, expected keras_hub>AlbertTextClassifierPreprocessor/,
    );
  });

  it("a masked-LM preset's preprocessor.json is another class: KerasHub's defaults apply", async () => {
    const preprocessor = await AlbertTextClassifierPreprocessor.fromPreset(MASKED_LM_PRESET);
    expect(preprocessor.sequenceLength).toBe(512);
    expect(preprocessor.truncate).toBe("round_robin");
  });

  it("saveToPreset writes KerasHub's files byte for byte, plus the casing record", async () => {
    const preprocessor = await AlbertTextClassifierPreprocessor.fromPreset(CLASSIFIER_PRESET);
    const dir = path.join(temp, "saved");
    expect(await preprocessor.saveToPreset(dir)).toEqual(SAVED_PREPROCESSOR_FILES);
    const { actual, expected } = savedPresetFiles(dir, CLASSIFIER_PRESET, false);
    expect(actual).toEqual(expected);
    const reloaded = await AlbertTextClassifierPreprocessor.fromPreset(dir);
    expect(reloaded.call({ first: e2e.pairs.first, second: e2e.pairs.second }).tokenIds).toEqual(
      e2e.pairs.token_ids,
    );
  });
});
