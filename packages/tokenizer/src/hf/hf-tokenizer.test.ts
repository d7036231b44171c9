// HfTokenizer on the transformers 5 task fixtures (testdata/tasks/hf/<head>): the encodings the
// fixtures were made with, the question-answering chunks, the token-classification offsets and
// the fill-mask decoding, exactly; plus its options, errors and loading.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { caught, readJson, startHubServer, testdataPath } from "@albert/test-utils";
import { describe, expect, it, vi } from "vitest";
import { AlbertTokenizer } from "../albert-tokenizer.js";
import { TokenizerError } from "../errors.js";
import { SentencePieceProcessor } from "../sentencepiece/processor.js";
import { HfTokenizer, type HfEncoding } from "./hf-tokenizer.js";

const HEADS = [
  "masked_lm",
  "multiple_choice",
  "question_answering",
  "sequence_classification",
  "token_classification",
] as const;

function headDir(head: string): string {
  return testdataPath("tasks", "hf", head);
}

function loadHead(head: string): HfTokenizer {
  return HfTokenizer.fromJson(readFileSync(path.join(headDir(head), "tokenizer.json"), "utf8"), {
    tokenizerConfig: readJson(path.join(headDir(head), "tokenizer_config.json")),
  });
}

/** The texts a head's inputs.json was made from (fixture.json's `inputs_note`). */
function fixtureTexts(head: string): unknown[] {
  const note = readJson<{ inputs_note: string }>(
    path.join(headDir(head), "fixture.json"),
  ).inputs_note;
  return JSON.parse(note.slice(note.indexOf("texts: ") + "texts: ".length)) as unknown[];
}

interface Inputs {
  input_ids: number[][] | number[][][];
  token_type_ids: number[][] | number[][][];
  attention_mask: number[][] | number[][][];
}

function columns(encodings: HfEncoding[]) {
  return {
    input_ids: encodings.map((e) => e.ids),
    token_type_ids: encodings.map((e) => e.typeIds),
    attention_mask: encodings.map((e) => e.attentionMask),
  };
}

describe("HfTokenizer on the transformers task fixtures", () => {
  for (const head of HEADS) {
    it(`${head}: the fixture's input_ids, token_type_ids and attention_mask`, () => {
      const tokenizer = loadHead(head);
      const inputs = readJson<Inputs>(path.join(headDir(head), "inputs.json"));
      const texts = fixtureTexts(head);
      if (head === "multiple_choice") {
        // [prompt, choices] rows, encoded as one batch of (prompt, choice) pairs.
        const rows = texts as Array<[string, string[]]>;
        const pairs = rows.flatMap(([prompt, choices]) =>
          choices.map((c): [string, string] => [prompt, c]),
        );
        const flat = columns(tokenizer.encodeBatch(pairs, { padding: true }));
        const perChoice = rows[0]![1].length;
        const regroup = (m: number[][]) =>
          rows.map((_, r) => m.slice(r * perChoice, (r + 1) * perChoice));
        expect({
          input_ids: regroup(flat.input_ids),
          token_type_ids: regroup(flat.token_type_ids),
          attention_mask: regroup(flat.attention_mask),
        }).toEqual(inputs);
        return;
      }
      const batch = (texts as Array<string | [string, string]>).map((t) =>
        typeof t === "string" ? t : t,
      );
      expect(columns(tokenizer.encodeBatch(batch, { padding: true }))).toEqual(inputs);
    });
  }

  it("question_answering: transformers v4's QA chunks (qa_encodings), every field", () => {
    const tokenizer = loadHead("question_answering");
    const { qa_encodings } = readJson<{
      qa_encodings: {
        tokenizer_call: { truncation: "only_second"; max_length: number; stride: number };
        chunks: Array<{
          question: string;
          context: string;
          input_ids: number[][];
          token_type_ids: number[][];
          attention_mask: number[][];
          offset_mapping: Array<Array<[number, number]>>;
          sequence_ids: Array<Array<number | null>>;
        }>;
      };
    }>(path.join(headDir("question_answering"), "pipeline_cases.json"));
    const call = qa_encodings.tokenizer_call;
    expect(qa_encodings.chunks.length).toBe(2);
    for (const expected of qa_encodings.chunks) {
      const encoding = tokenizer.encode(expected.question, {
        textPair: expected.context,
        truncation: call.truncation,
        maxLength: call.max_length,
        stride: call.stride,
        padding: "max_length",
        returnOverflowingTokens: true,
      });
      const chunks = [encoding, ...encoding.overflowing];
      expect({
        input_ids: chunks.map((c) => c.ids),
        token_type_ids: chunks.map((c) => c.typeIds),
        attention_mask: chunks.map((c) => c.attentionMask),
        offset_mapping: chunks.map((c) => c.offsets),
        sequence_ids: chunks.map((c) => c.sequenceIds),
      }).toEqual({
        input_ids: expected.input_ids,
        token_type_ids: expected.token_type_ids,
        attention_mask: expected.attention_mask,
        offset_mapping: expected.offset_mapping,
        sequence_ids: expected.sequence_ids,
      });
    }
    // The long context gives two chunks that stop at its 64th token: tokenizers >= 0.23.1 stops
    // tokenizing there (huggingface/tokenizers#2091). Tokenizing it all covers the whole context.
    const long = qa_encodings.chunks.find((c) => c.input_ids.length > 1)!;
    const whole = tokenizer.encode(long.question, {
      textPair: long.context,
      truncation: "only_second",
      maxLength: 64,
      stride: 32,
      returnOverflowingTokens: true,
      earlyTruncationExit: false,
    });
    const chunks = [whole, ...whole.overflowing];
    expect(chunks.length).toBe(3);
    expect(chunks[0]!.ids).toEqual(long.input_ids[0]);
    const lastEnd = Math.max(...chunks.at(-1)!.offsets.map(([, end]) => end));
    expect(lastEnd).toBe([...long.context].length - 0);
  });

  it("token_classification: each token's piece, index and character offsets as the pipeline reports them", () => {
    const tokenizer = loadHead("token_classification");
    const { cases } = readJson<{
      cases: Array<{
        call_args: [string[]];
        call_kwargs: { aggregation_strategy: string; ignore_labels?: string[] };
        result: Array<Array<{ index: number; word: string; start: number; end: number }>>;
      }>;
    }>(path.join(headDir("token_classification"), "pipeline_cases.json"));
    const all = cases.find(
      (c) =>
        c.call_kwargs.aggregation_strategy === "none" && c.call_kwargs.ignore_labels?.length === 0,
    )!;
    all.call_args[0].forEach((text, i) => {
      const encoding = tokenizer.encode(text);
      const entities = all.result[i]!;
      // Every token but [CLS] and [SEP] is an entity when no label is ignored.
      expect(entities.map((e) => e.index)).toEqual(encoding.ids.map((_, k) => k).slice(1, -1));
      for (const entity of entities) {
        expect(tokenizer.convertIdsToTokens([encoding.ids[entity.index]!])[0]).toBe(entity.word);
        expect(encoding.offsets[entity.index]).toEqual([entity.start, entity.end]);
      }
    });
  });

  it("masked_lm: fill-mask's token_str and sequence decode as transformers decodes them", () => {
    const tokenizer = loadHead("masked_lm");
    const { cases } = readJson<{
      cases: Array<{
        call_args: [string[]];
        result: Array<
          | Array<{ token: number; token_str: string; sequence: string }>
          | Array<Array<{ token: number; token_str: string; sequence: string }>>
        >;
      }>;
    }>(path.join(headDir("masked_lm"), "pipeline_cases.json"));
    const mask = tokenizer.specialTokens.mask!.id;
    let checked = 0;
    cases[0]!.call_args[0].forEach((text, i) => {
      const ids = tokenizer.encode(text).ids;
      const positions = ids.flatMap((id, k) => (id === mask ? [k] : []));
      const result = cases[0]!.result[i]!;
      const perMask = (positions.length === 1 ? [result] : result) as Array<
        Array<{ token: number; token_str: string; sequence: string }>
      >;
      perMask.forEach((candidates, m) => {
        for (const candidate of candidates) {
          expect(tokenizer.decode([candidate.token])).toBe(candidate.token_str);
          const filled = [...ids];
          filled[positions[m]!] = candidate.token;
          // transformers skips special tokens only when there is a single mask.
          expect(tokenizer.decode(filled, { skipSpecialTokens: positions.length === 1 })).toBe(
            candidate.sequence,
          );
          checked++;
        }
      });
    });
    expect(checked).toBe(20);
  });
});

describe("HfTokenizer API", () => {
  const tokenizer = loadHead("masked_lm");

  it("knows the special tokens, the vocabulary and model_max_length", () => {
    expect(tokenizer.specialTokens).toEqual({
      bos: { token: "[CLS]", id: 2 },
      eos: { token: "[SEP]", id: 3 },
      unk: { token: "<unk>", id: 1 },
      sep: { token: "[SEP]", id: 3 },
      pad: { token: "<pad>", id: 0 },
      cls: { token: "[CLS]", id: 2 },
      mask: { token: "[MASK]", id: 4 },
    });
    expect(tokenizer.vocabularySize).toBe(1000);
    expect(tokenizer.modelMaxLength).toBe(64);
    expect(tokenizer.tokenToId("[MASK]")).toBe(4);
    expect(tokenizer.tokenToId("no such piece")).toBeUndefined();
    expect(tokenizer.idToToken(4)).toBe("[MASK]");
    expect(tokenizer.idToToken(5000)).toBeUndefined();
  });

  it("matches [MASK] in the raw text, with no ▁ before it", () => {
    const encoding = tokenizer.encode("license [MASK] applies", { addSpecialTokens: false });
    expect(encoding.tokens).toEqual(["▁license", "[MASK]", "▁applies"]);
    expect(encoding.offsets).toEqual([
      [0, 7],
      [8, 14],
      [15, 22],
    ]);
    expect(encoding.wordIds).toEqual([0, 1, 2]);
  });

  it("gives offsets in code points by default and in UTF-16 units on request", () => {
    const text = "😀 café [MASK] 😀x";
    const points = tokenizer.encode(text).offsets;
    const units = tokenizer.encode(text, { offsetUnit: "utf16" }).offsets;
    const cps = [...text];
    const tokens = tokenizer.encode(text).tokens;
    tokens.forEach((token, i) => {
      const [s, e] = points[i]!;
      const [s16, e16] = units[i]!;
      expect(cps.slice(s, e).join("")).toBe(text.slice(s16, e16));
      if (token === "[MASK]") expect(text.slice(s16, e16)).toBe("[MASK]");
    });
    expect(units.at(-2)).toEqual([text.length - 1, text.length]);
  });

  it("encodes an empty pair as a single text, as transformers' tokenizer(text, '') does", () => {
    expect(tokenizer.encode("hello", { textPair: "" })).toEqual(tokenizer.encode("hello"));
    expect(tokenizer.encodeBatch([["hello", ""]])[0]!.sequenceIds).toEqual([
      null,
      0,
      0,
      0,
      0,
      null,
      null,
    ]);
  });

  it("pads a batch to its longest encoding, on either side, to a multiple", () => {
    const [a, b] = tokenizer.encodeBatch(["a", "a longer text here"], {
      padding: true,
      padToMultipleOf: 8,
      paddingSide: "left",
    });
    expect(a!.ids.length).toBe(b!.ids.length);
    expect(a!.ids.length % 8).toBe(0);
    expect(a!.attentionMask[0]).toBe(0);
    expect(a!.ids[0]).toBe(0);
    expect(a!.ids.at(-1)).toBe(3);
  });

  it("refuses bad arguments with TokenizerError naming them", async () => {
    const cases: Array<[() => unknown, string, RegExp]> = [
      [
        () => tokenizer.encode(42 as unknown as string),
        "invalid_argument",
        /text must be a string, got 42/,
      ],
      [
        () => tokenizer.encode("a", { truncation: "middle" as never }),
        "invalid_argument",
        /options.truncation must be one of .*"only_second", got "middle"/,
      ],
      [
        () => tokenizer.encode("a", { maxLength: -1 }),
        "invalid_argument",
        /options.maxLength must be an integer >= 0, got -1/,
      ],
      [
        () => tokenizer.encode("a", { stride: 1.5 }),
        "invalid_argument",
        /options.stride must be an integer >= 0/,
      ],
      [
        () => tokenizer.encode("a b c", { maxLength: 4, stride: 3 }),
        "invalid_argument",
        /stride 3 is greater than the effective max length 2/,
      ],
      [
        () => tokenizer.encode("a b c d e f", { truncation: "only_second", maxLength: 4 }),
        "invalid_argument",
        /needs a second sequence/,
      ],
      [
        () =>
          tokenizer.encode("a b c d e f", {
            textPair: "x",
            truncation: "only_second",
            maxLength: 5,
          }),
        "invalid_argument",
        /may only shorten the second sequence/,
      ],
      [
        () =>
          tokenizer.encode("a", {
            padding: "max_length",
            maxLength: 10,
            padToMultipleOf: 4,
            truncation: true,
          }),
        "invalid_argument",
        /not a multiple of padToMultipleOf 4/,
      ],
      [() => tokenizer.encodeBatch("a" as never), "invalid_argument", /inputs must be an array/],
      [
        () => tokenizer.encodeBatch([3 as never]),
        "invalid_argument",
        /inputs\[0\] must be a string/,
      ],
      [
        () => tokenizer.decode([1, -2]),
        "invalid_id",
        /ids\[1\] must be a non-negative integer, got -2/,
      ],
      [
        () => tokenizer.convertIdsToTokens([4000]),
        "invalid_id",
        /token id 4000 is outside the vocabulary \[0, 1000\)/,
      ],
    ];
    for (const [call, code, message] of cases) {
      const error = await caught(call, TokenizerError);
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
    }
  });

  it("refuses broken and unsupported tokenizer.json files, naming the field", async () => {
    const json = readJson<{ model: Record<string, unknown> } & Record<string, unknown>>(
      path.join(headDir("masked_lm"), "tokenizer.json"),
    );
    const variants: Array<[unknown, string, RegExp]> = [
      ["{not json", "invalid_model", /tokenizer.json is not valid JSON/],
      [[], "invalid_model", /tokenizer.json must be a JSON object, got an array of length 0/],
      [
        { ...json, model: { ...json.model, type: "BPE" } },
        "unsupported_model",
        /model.type is "BPE"; only Unigram/,
      ],
      [
        { ...json, model: { ...json.model, vocab: [["a", "x"]] } },
        "invalid_model",
        /model.vocab\[0\] must be a \[piece, score\] pair/,
      ],
      [
        { ...json, model: { ...json.model, unk_id: 5000 } },
        "invalid_model",
        /unk_id is 5000, outside the vocabulary of 1000/,
      ],
      [
        { ...json, normalizer: { type: "BertNormalizer" } },
        "unsupported_model",
        /normalizer: normalizer type "BertNormalizer" is not supported/,
      ],
      [
        { ...json, pre_tokenizer: { type: "ByteLevel" } },
        "unsupported_model",
        /pre_tokenizer: pre-tokenizer type "ByteLevel"/,
      ],
      [
        { ...json, decoder: { type: "WordPiece" } },
        "unsupported_model",
        /decoder: decoder type "WordPiece"/,
      ],
      [
        { ...json, post_processor: { type: "BertProcessing" } },
        "unsupported_model",
        /post-processor type "BertProcessing"/,
      ],
      [
        { ...json, normalizer: { type: "Precompiled", precompiled_charsmap: "AAAA" } },
        "invalid_model",
        /precompiled_charsmap is broken/,
      ],
      [{ ...json, version: "2.0" }, "unsupported_model", /version "2.0" is unknown/],
    ];
    for (const [value, code, message] of variants) {
      const error = await caught(() => HfTokenizer.fromJson(value as object), TokenizerError);
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
    }
  });

  it("fromPreset reads a directory's tokenizer.json and tokenizer_config.json", async () => {
    const fromDir = await HfTokenizer.fromPreset(headDir("token_classification"));
    const text = "The Free Software Foundation is in Boston.";
    expect(fromDir.encode(text)).toEqual(loadHead("token_classification").encode(text));
    expect(fromDir.modelMaxLength).toBe(64);
  });

  it("fromPreset says what is missing", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "hf-tokenizer-"));
    try {
      await expect(HfTokenizer.fromPreset(dir)).rejects.toMatchObject({ code: "missing_file" });
      writeFileSync(
        path.join(dir, "tokenizer.json"),
        JSON.stringify({ class_name: "AlbertTokenizer", config: {} }),
      );
      await expect(HfTokenizer.fromPreset(dir)).rejects.toMatchObject({
        code: "invalid_preset",
        message: expect.stringMatching(/not an HF tokenizers file/),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("AlbertTokenizer on an HF tokenizer.json directory", () => {
  it("fromPreset tokenizes, offsets and decodes as transformers does", async () => {
    const albert = await AlbertTokenizer.fromPreset(headDir("masked_lm"));
    const hf = loadHead("masked_lm");
    expect(albert.hf).toBeDefined();
    expect(albert.lowercase).toBe(true);
    const inputs = readJson<Inputs>(path.join(headDir("masked_lm"), "inputs.json"));
    const texts = fixtureTexts("masked_lm") as string[];
    texts.forEach((text, i) => {
      const ids = [albert.clsTokenId, ...albert.tokenize(text), albert.sepTokenId];
      expect(ids).toEqual((inputs.input_ids[i] as number[]).slice(0, ids.length));
    });
    const text = "Héllo 😀 [MASK] wörld";
    const encoding = hf.encode(text, { addSpecialTokens: false, offsetUnit: "utf16" });
    expect(albert.tokenizeWithOffsets(text)).toEqual(
      encoding.ids.map((id, i) => ({
        id,
        piece: encoding.tokens[i],
        start: encoding.offsets[i]![0],
        end: encoding.offsets[i]![1],
      })),
    );
    expect(albert.tokenizeToPieces(text)).toEqual(encoding.tokens);
    expect(albert.detokenize(encoding.ids)).toBe(hf.decode(encoding.ids));
    expect(albert.specialTokens.mask).toEqual({ token: "[MASK]", id: 4 });
    expect(albert.vocabularySize()).toBe(1000);
  });

  it("keeps the vocabulary as a SentencePiece model: the one transformers converted", () => {
    const hf = loadHead("masked_lm");
    const original = SentencePieceProcessor.fromBytes(
      new Uint8Array(
        readFileSync(testdataPath("tokenizer", "assets", "tokenizer", "vocabulary.spm")),
      ),
    );
    const rebuilt = SentencePieceProcessor.fromBytes(hf.sentencePieceModel());
    expect(rebuilt.model.pieces.map((p) => [p.piece, p.score])).toEqual(
      original.model.pieces.map((p) => [p.piece, p.score]),
    );
    const charsmap = (sp: SentencePieceProcessor) =>
      Buffer.from(sp.model.normalizerSpec.precompiledCharsmap);
    expect(charsmap(rebuilt).length).toBeGreaterThan(0);
    expect(charsmap(rebuilt).equals(charsmap(original))).toBe(true);
    for (const text of ["the license applies.", "  Héllo wörld ﬁ ①  ", "東京 😀 e\u0301"]) {
      expect(rebuilt.encodeIds(text)).toEqual(original.encodeIds(text));
    }
  });
});

describe("hf:// checkpoints saved by transformers 5 (tokenizer.json, no spiece.model)", () => {
  it("HfTokenizer.fromPreset and AlbertTokenizer.fromPreset download and read them", async () => {
    const files = Object.fromEntries(
      ["tokenizer.json", "tokenizer_config.json"].map((f) => [
        f,
        readFileSync(path.join(headDir("masked_lm"), f)),
      ]),
    );
    files["config.json"] = Buffer.from(
      JSON.stringify({ model_type: "albert", architectures: ["AlbertForMaskedLM"] }),
    );
    const server = await startHubServer({ hf: { "test/albert-v5": { files } } });
    const home = mkdtempSync(path.join(tmpdir(), "hf-tokenizer-hub-"));
    vi.stubEnv("ALBERT_HOME", home);
    vi.stubEnv("HF_ENDPOINT", server.url);
    vi.stubEnv("HF_TOKEN", "");
    vi.stubEnv("ALBERT_OFFLINE", "");
    try {
      const hf = await HfTokenizer.fromPreset("hf://test/albert-v5", { retries: 0 });
      const text = "the license [MASK] applies.";
      expect(hf.encode(text)).toEqual(loadHead("masked_lm").encode(text));
      const albert = await AlbertTokenizer.fromPreset("hf://test/albert-v5", { retries: 0 });
      expect(albert.tokenize(text)).toEqual(hf.encode(text, { addSpecialTokens: false }).ids);
      expect(server.requests.some((r) => r.url.includes("/model.safetensors"))).toBe(false);
    } finally {
      vi.unstubAllEnvs();
      await server.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});
