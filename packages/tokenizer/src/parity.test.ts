// Parity with the Python references, case by case: KerasHub's AlbertTokenizer and
// AlbertTextClassifierPreprocessor (testdata/tokenizer, testdata/tokenizer/casefold), the
// SentencePiece C++ library on a real 30k ALBERT vocabulary (../shared/fixtures/tokenizer-30k),
// and HF transformers' uncased ALBERT preprocessing (uncased_cases.json).
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AlbertPreprocessor } from "./albert-text-classifier-preprocessor.js";
import { AlbertTokenizer } from "./albert-tokenizer.js";
import {
  KERAS_TOKENIZER_FIXTURES,
  TOKENIZER_30K,
  kerasFixtureModel,
  readBytes,
  readJson,
  testdataPath,
  type KerasTokenizerCase,
  type PreprocessorCases,
  type SentencePieceCase,
  type UncasedCase,
} from "./test-utils/fixtures.js";

describe.each(KERAS_TOKENIZER_FIXTURES)(
  "KerasHub AlbertTokenizer parity: testdata/%s",
  (fixture) => {
    const tokenizer = AlbertTokenizer.fromProto(kerasFixtureModel(fixture));
    const cases = readJson<KerasTokenizerCase[]>(testdataPath(fixture, "tokenizer_cases.json"));

    it.each(cases.map((c) => [JSON.stringify(c.text).slice(0, 60), c] as const))("%s", (_, c) => {
      const ids = tokenizer.tokenize(c.text);
      expect(ids).toEqual(c.token_ids);
      expect(ids.map((id) => tokenizer.idToToken(id))).toEqual(c.tokens);
      expect(tokenizer.detokenize(c.token_ids)).toBe(c.detokenized);
    });

    it("tokenizes the whole batch at once", () => {
      expect(tokenizer.tokenize(cases.map((c) => c.text))).toEqual(cases.map((c) => c.token_ids));
      expect(tokenizer.detokenize(cases.map((c) => c.token_ids))).toEqual(
        cases.map((c) => c.detokenized),
      );
    });
  },
);

describe("HF uncased preprocessing parity (lowercase: true): testdata/tokenizer/uncased_cases.json", () => {
  const tokenizer = AlbertTokenizer.fromProto(kerasFixtureModel("tokenizer"), { lowercase: true });
  const { cases } = readJson<{ cases: UncasedCase[] }>(
    testdataPath("tokenizer", "uncased_cases.json"),
  );
  it.each(cases.map((c) => [JSON.stringify(c.text).slice(0, 60), c] as const))("%s", (_, c) => {
    expect(tokenizer.tokenizeToPieces(c.text)).toEqual(c.tokens);
    expect(tokenizer.tokenize(c.text)).toEqual(c.token_ids);
  });
});

describe.each(KERAS_TOKENIZER_FIXTURES)(
  "KerasHub AlbertTextClassifierPreprocessor parity: testdata/%s",
  (fixture) => {
    const tokenizer = AlbertTokenizer.fromProto(kerasFixtureModel(fixture));
    const expected = readJson<PreprocessorCases>(testdataPath(fixture, "preprocessor_cases.json"));
    const preprocessor = new AlbertPreprocessor({
      tokenizer,
      sequenceLength: expected.sequence_length,
      truncate: expected.truncate,
    });

    it("packs single sentences", () => {
      const out = preprocessor.call(expected.single.inputs);
      expect(out.tokenIds).toEqual(expected.single.token_ids);
      expect(out.segmentIds).toEqual(expected.single.segment_ids);
      expect(out.paddingMask).toEqual(expected.single.padding_mask);
    });

    it("packs sentence pairs, given as { first, second } or KerasHub's tuple form", () => {
      const out = preprocessor.call({ first: expected.pairs.first, second: expected.pairs.second });
      expect(out.tokenIds).toEqual(expected.pairs.token_ids);
      expect(out.segmentIds).toEqual(expected.pairs.segment_ids);
      expect(out.paddingMask).toEqual(expected.pairs.padding_mask);
      expect(preprocessor.call([expected.pairs.first, expected.pairs.second])).toEqual(out);
    });

    it("gives the backbone inputs of e2e_expected.json", () => {
      const e2e = readJson<
        { inputs: string[] } & Partial<{
          token_ids: number[][];
          segment_ids: number[][];
          padding_mask: number[][];
        }>
      >(testdataPath(fixture, "e2e_expected.json"));
      const out = preprocessor.call(e2e.inputs);
      expect(out.tokenIds).toEqual(e2e.token_ids);
      expect(out.segmentIds).toEqual(e2e.segment_ids);
      expect(out.paddingMask).toEqual(e2e.padding_mask);
    });
  },
);

if (TOKENIZER_30K === undefined) {
  console.warn(
    "tokenizer-30k parity tests skipped: ../shared/fixtures/tokenizer-30k is absent " +
      "(a third-party model that is not committed; see testdata/README.md)",
  );
}

describe.skipIf(TOKENIZER_30K === undefined)(
  "SentencePiece C++ parity on the real 30k ALBERT vocabulary (../shared/fixtures/tokenizer-30k)",
  () => {
    const dir = TOKENIZER_30K ?? "";
    const model =
      TOKENIZER_30K === undefined ? new Uint8Array(0) : readBytes(path.join(dir, "vocabulary.spm"));

    describe("cases.json (lowercase: false)", () => {
      const tokenizer = TOKENIZER_30K === undefined ? undefined : AlbertTokenizer.fromProto(model);
      const { cases } =
        TOKENIZER_30K === undefined
          ? { cases: [] }
          : readJson<{ cases: SentencePieceCase[] }>(path.join(dir, "cases.json"));
      it.each(cases.map((c) => [JSON.stringify(c.text).slice(0, 60), c] as const))("%s", (_, c) => {
        expect(tokenizer!.tokenize(c.text)).toEqual(c.token_ids);
        expect(tokenizer!.tokenizeToPieces(c.text)).toEqual(c.tokens);
        expect(tokenizer!.detokenize(c.token_ids)).toBe(c.detokenized);
      });
    });

    describe("uncased_cases.json (lowercase: true)", () => {
      const tokenizer =
        TOKENIZER_30K === undefined
          ? undefined
          : AlbertTokenizer.fromProto(model, { lowercase: true });
      const { cases } =
        TOKENIZER_30K === undefined
          ? { cases: [] }
          : readJson<{ cases: UncasedCase[] }>(path.join(dir, "uncased_cases.json"));
      it.each(cases.map((c) => [JSON.stringify(c.text).slice(0, 60), c] as const))("%s", (_, c) => {
        expect(tokenizer!.tokenizeToPieces(c.text)).toEqual(c.tokens);
        expect(tokenizer!.tokenize(c.text)).toEqual(c.token_ids);
      });
    });
  },
);
