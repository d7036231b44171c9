/**
 * Question answering on the fixture QA model (testdata/tasks/hf/question_answering):
 * - the chunks transformers recorded in pipeline_cases.json (`qa_encodings`, tokenizers 0.23.2)
 *   and their start/end logits;
 * - span_selection.json (scripts/fixtures/make_qa_span_selection.py): transformers v4's
 *   pipeline steps with tokenizers 0.22 (the chunks v4 made), transformers' own
 *   `select_starts_ends`, v4's word alignment and merging. Our chunks equal its chunks, our span
 *   selection on its logits gives its answers, and the whole pipeline gives them too.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PARITY_TOLERANCE, maxAbsDiff, readJson, testdataPath } from "@albert/test-utils";
import { AlbertInputError, tf } from "@albert/core";
import { pipeline, selectSpans, type QuestionAnsweringResult } from "../index.js";
import type { PipelineEncoding } from "../tokenizers/pipeline-tokenizer.js";

const DIR = testdataPath("tasks", "hf", "question_answering");

interface RecordedChunks {
  question: string;
  context: string;
  input_ids: number[][];
  token_type_ids: number[][];
  attention_mask: number[][];
  offset_mapping: [number, number][][];
  sequence_ids: (number | null)[][];
  start_logits: number[][];
  end_logits: number[][];
}

interface SpanCase {
  question: string;
  context: string;
  kwargs: Record<string, unknown>;
  chunks: {
    input_ids: number[];
    token_type_ids: number[];
    offsets: [number, number][];
    sequence_ids: (number | null)[];
    word_ids: (number | null)[];
    start_logits: number[];
    end_logits: number[];
  }[];
  result: QuestionAnsweringResult | QuestionAnsweringResult[];
}

const recorded = readJson<{ qa_encodings: { chunks: RecordedChunks[] } }>(path.join(DIR, "pipeline_cases.json")).qa_encodings.chunks;
const spanCases = readJson<{ cases: SpanCase[] }>(path.join(DIR, "span_selection.json")).cases;

function camel(kwargs: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(kwargs).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]));
}

function expectAnswers(actual: unknown, expected: QuestionAnsweringResult | QuestionAnsweringResult[]): void {
  const list = (v: unknown) => (Array.isArray(v) ? v : [v]) as QuestionAnsweringResult[];
  expect(Array.isArray(actual)).toBe(Array.isArray(expected));
  const a = list(actual);
  const e = list(expected);
  expect(a.map(({ start, end, answer }) => ({ start, end, answer }))).toEqual(e.map(({ start, end, answer }) => ({ start, end, answer })));
  a.forEach((answer, i) => expect(Math.abs(answer.score - e[i]!.score)).toBeLessThanOrEqual(1e-5));
  for (const answer of a) expect(Object.keys(answer)).toEqual(["score", "start", "end", "answer"]);
}

describe("question answering: the recorded chunks (pipeline_cases.json qa_encodings)", () => {
  it("chunks with tokenizers 0.23's early truncation exit, and the model's start/end logits on them", async () => {
    const before = tf.memory().numTensors;
    const qa = await pipeline("question-answering", DIR);
    for (const c of recorded) {
      const chunks = qa.tokenizer.encodePairChunks(c.question, c.context, { maxLength: 64, stride: 32, earlyTruncationExit: true });
      expect(chunks).toHaveLength(c.input_ids.length);
      chunks.forEach((chunk, i) => {
        const n = chunk.ids.length;
        expect(c.attention_mask[i]!.slice(0, n).every((m) => m === 1) && c.attention_mask[i]!.slice(n).every((m) => m === 0)).toBe(true);
        expect(chunk.ids).toEqual(c.input_ids[i]!.slice(0, n));
        expect(chunk.typeIds).toEqual(c.token_type_ids[i]!.slice(0, n));
        expect(chunk.offsets).toEqual(c.offset_mapping[i]!.slice(0, n));
        expect(chunk.sequenceIds).toEqual(c.sequence_ids[i]!.slice(0, n));
      });
      // The model on the recorded (padded) inputs, as transformers ran it.
      const { startLogits, endLogits } = qa.model.predict({ tokenIds: c.input_ids, segmentIds: c.token_type_ids, paddingMask: c.attention_mask });
      expect(maxAbsDiff(startLogits.dataSync(), c.start_logits)).toBeLessThanOrEqual(PARITY_TOLERANCE);
      expect(maxAbsDiff(endLogits.dataSync(), c.end_logits)).toBeLessThanOrEqual(PARITY_TOLERANCE);
      tf.dispose([startLogits, endLogits]);
    }
    qa.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("question answering: transformers v4's span selection (span_selection.json)", () => {
  const named = spanCases.map((c, i) => ({ ...c, name: `${i}: ${c.question} ${JSON.stringify(c.kwargs)}` }));

  it.each(named)("$name: our chunks, and our selection on v4's logits", async (c) => {
    const qa = await pipeline("question-answering", DIR);
    const o = camel(c.kwargs);
    const maxLength = (o["maxSeqLen"] as number | undefined) ?? 64;
    const chunks = qa.tokenizer.encodePairChunks(c.question, c.context, { maxLength, stride: (o["docStride"] as number | undefined) ?? Math.min(Math.floor(maxLength / 2), 128) });
    expect(chunks.map((e) => e.ids)).toEqual(c.chunks.map((k) => k.input_ids));
    expect(chunks.map((e) => e.offsets)).toEqual(c.chunks.map((k) => k.offsets));
    expect(chunks.map((e) => e.sequenceIds)).toEqual(c.chunks.map((k) => k.sequence_ids));
    expect(chunks.map((e) => e.wordIds)).toEqual(c.chunks.map((k) => k.word_ids));
    const answers = selectSpans(
      chunks.map((encoding: PipelineEncoding, i) => ({ encoding, start: c.chunks[i]!.start_logits, end: c.chunks[i]!.end_logits })),
      c.context,
      {
        topK: (o["topK"] as number | undefined) ?? 1,
        maxAnswerLen: (o["maxAnswerLen"] as number | undefined) ?? 15,
        handleImpossibleAnswer: (o["handleImpossibleAnswer"] as boolean | undefined) ?? false,
        alignToWords: (o["alignToWords"] as boolean | undefined) ?? true,
        clsTokenId: qa.tokenizer.clsTokenId,
      },
    );
    expectAnswers(answers.length === 1 ? answers[0] : answers, c.result);
    qa.dispose();
  });

  it.each(named)("$name: the whole pipeline", async (c) => {
    const before = tf.memory().numTensors;
    const qa = await pipeline("question-answering", DIR, { batchSize: 2 });
    expectAnswers(await qa({ question: c.question, context: c.context }, camel(c.kwargs)), c.result);
    qa.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("question answering: inputs and options", () => {
  it("several questions give one result each; the list forms transformers takes", async () => {
    const qa = await pipeline("question-answering", DIR);
    const [a, b] = spanCases;
    const both = await qa([{ question: a!.question, context: a!.context }, { question: spanCases[5]!.question, context: spanCases[5]!.context }]);
    expect(both).toHaveLength(2);
    expectAnswers((both as unknown[])[0], a!.result);
    expectAnswers((both as unknown[])[1], spanCases[5]!.result);
    const sameContext = await qa({ question: [a!.question, a!.question], context: a!.context });
    const first = (both as unknown[])[0];
    expect(sameContext).toEqual([first, first]);
    expectAnswers(await qa({ question: b!.question, context: b!.context }, { topK: 3 }), b!.result);
    qa.dispose();
  });

  it("bad input and options are typed errors naming them", async () => {
    const qa = await pipeline("question-answering", DIR);
    const context = spanCases[0]!.context;
    await expect(qa({ question: "", context })).rejects.toThrow(/inputs\.question cannot be empty/);
    await expect(qa({ question: "q" } as never)).rejects.toThrow(AlbertInputError);
    await expect(qa({ question: "q", context }, { topK: 0 })).rejects.toThrow(/topK must be an integer >= 1/);
    await expect(qa({ question: "q", context }, { docStride: 100, maxSeqLen: 64 })).rejects.toThrow(/docStride \(100\) is larger than maxSeqLen \(64\)/);
    await expect(qa({ question: "q", context }, { maxSeqLen: 500 })).rejects.toThrow(/maxSeqLen 500 is longer than the model takes \(64 tokens\)/);
    await expect(qa({ question: "q", context }, { top_k: 2 } as never)).rejects.toThrow(/unknown option "top_k"/);
    qa.dispose();
  });
});
