import { AlbertInputError, tf, type AlbertQuestionAnswerer } from "@albert/core";
import { chunked, padBatch } from "../batching.js";
import { booleanOption, checkOptionNames, checkText, integerOption } from "../options.js";
import { makePipeline, type PipelineBase, type PipelineSettings } from "../pipeline-base.js";
import type { PipelineEncoding, PipelineTokenizer } from "../tokenizers/pipeline-tokenizer.js";
import { selectSpans, type ChunkLogits } from "./span-selection.js";

/** One answer, with transformers' keys: its probability and its span of the context. */
export interface QuestionAnsweringResult {
  score: number;
  /** `[start, end)` in the context (code points by default). */
  start: number;
  end: number;
  answer: string;
}

/** A question about a context (or several questions about one context, or pairs of lists). */
export interface QuestionAnsweringInput {
  question: string | readonly string[];
  context: string | readonly string[];
}

export interface QuestionAnsweringOptions {
  /** Answers per question (default 1: a single result object). */
  topK?: number;
  /** Longest answer, in tokens (default 15). */
  maxAnswerLen?: number;
  /** Add the empty answer with the `[CLS]` score (the least over the chunks), as transformers
   * v4 did for SQuAD 2 models (default false). */
  handleImpossibleAnswer?: boolean;
  /** Tokens per chunk (default: the smaller of the tokenizer's `model_max_length` and 384). */
  maxSeqLen?: number;
  /** Tokens shared by consecutive chunks of a long context (default min(maxSeqLen / 2, 128)). */
  docStride?: number;
  /** Widen answers to whole words (default true). */
  alignToWords?: boolean;
  /** Stop tokenizing the context once a chunk is full, as tokenizers 0.23.1 and later do
   * (default false: chunks cover the whole context, as transformers v4's pipeline). */
  earlyTruncationExit?: boolean;
  batchSize?: number;
}

export type QuestionAnsweringOutput = QuestionAnsweringResult | QuestionAnsweringResult[];

export interface QuestionAnsweringPipeline extends PipelineBase<"question-answering", AlbertQuestionAnswerer> {
  (inputs: QuestionAnsweringInput | readonly { question: string; context: string }[], options?: QuestionAnsweringOptions): Promise<
    QuestionAnsweringOutput | QuestionAnsweringOutput[]
  >;
}

const OPTIONS = ["topK", "maxAnswerLen", "handleImpossibleAnswer", "maxSeqLen", "docStride", "alignToWords", "earlyTruncationExit", "batchSize"];

/** transformers' `QuestionAnsweringArgumentHandler`: the (question, context) pairs. */
function examples(inputs: unknown): { pairs: [string, string][]; single: boolean } {
  const pair = (value: unknown, argument: string): [string, string] => {
    if (typeof value !== "object" || value === null || !("question" in value) || !("context" in value)) {
      throw new AlbertInputError("invalid_type", argument, `${argument} must be { question, context }, got ${JSON.stringify(value)?.slice(0, 80)}`);
    }
    const { question, context } = value as Record<string, unknown>;
    for (const [key, v] of [["question", question], ["context", context]] as const) {
      if (checkText(v, `${argument}.${key}`).length === 0) throw new AlbertInputError("invalid_value", `${argument}.${key}`, `${argument}.${key} cannot be empty`);
    }
    return [question as string, context as string];
  };
  if (Array.isArray(inputs)) {
    if (inputs.length === 0) throw new AlbertInputError("empty_sequence", "inputs", "inputs is an empty array: pass at least one { question, context }");
    const pairs = inputs.map((v, i) => pair(v, `inputs[${i}]`));
    return { pairs, single: pairs.length === 1 };
  }
  if (typeof inputs === "object" && inputs !== null && "question" in inputs && "context" in inputs) {
    const { question, context } = inputs as { question: unknown; context: unknown };
    if (Array.isArray(question)) {
      const contexts = Array.isArray(context) ? context : question.map(() => context);
      if (contexts.length !== question.length) {
        throw new AlbertInputError("shape_mismatch", "inputs", `${question.length} questions but ${contexts.length} contexts: give one context, or one per question`);
      }
      const pairs = question.map((q, i) => pair({ question: q, context: contexts[i] }, `inputs[${i}]`));
      return { pairs, single: pairs.length === 1 };
    }
  }
  return { pairs: [pair(inputs, "inputs")], single: true };
}

/**
 * transformers v4's `question-answering` pipeline (transformers 5 has none): the context is cut
 * into chunks of `maxSeqLen` tokens overlapping by `docStride` (`[CLS] question [SEP] context
 * [SEP]`, the question whole in each), every chunk is scored, and the answers are chosen as v4's
 * `select_starts_ends` / `decode_spans` do: softmax of the start and end logits over the
 * context tokens (and `[CLS]`), spans with start ≤ end < start + `maxAnswerLen` scored by the
 * product, the best `topK·2 + 10` per chunk widened to whole words, equal answers (ignoring case)
 * merged by adding their scores, then the best `topK`. Segment ids go to the model, as v4's
 * ALBERT tokenizer passed `token_type_ids`.
 */
export function questionAnsweringPipeline(
  model: AlbertQuestionAnswerer,
  tokenizer: PipelineTokenizer,
  settings: PipelineSettings,
): QuestionAnsweringPipeline {
  const run = async (inputs: unknown, options?: QuestionAnsweringOptions) => {
    const o = checkOptionNames("question-answering", options, OPTIONS);
    const topK = integerOption(o["topK"], "topK", 1);
    const maxAnswerLen = integerOption(o["maxAnswerLen"], "maxAnswerLen", 15);
    const maxSeqLen = integerOption(o["maxSeqLen"], "maxSeqLen", Math.min(tokenizer.maxLength, 384), 4);
    if (maxSeqLen > tokenizer.maxLength) {
      throw new AlbertInputError("invalid_value", "maxSeqLen", `maxSeqLen ${maxSeqLen} is longer than the model takes (${tokenizer.maxLength} tokens)`);
    }
    const docStride = integerOption(o["docStride"], "docStride", Math.min(Math.floor(maxSeqLen / 2), 128), 0);
    if (docStride > maxSeqLen) {
      throw new AlbertInputError("invalid_value", "docStride", `docStride (${docStride}) is larger than maxSeqLen (${maxSeqLen})`);
    }
    const handleImpossibleAnswer = booleanOption(o["handleImpossibleAnswer"], "handleImpossibleAnswer", false);
    const alignToWords = booleanOption(o["alignToWords"], "alignToWords", true);
    const earlyTruncationExit = booleanOption(o["earlyTruncationExit"], "earlyTruncationExit", false);
    const batchSize = integerOption(o["batchSize"], "batchSize", settings.batchSize);
    const { pairs, single } = examples(inputs);
    const chunks = pairs.map(([question, context]) =>
      tokenizer.encodePairChunks(question, context, { maxLength: maxSeqLen, stride: docStride, offsetUnit: settings.offsetUnit, earlyTruncationExit }),
    );
    const logits = spanLogits(model, tokenizer, chunks.flat(), batchSize);
    let next = 0;
    const results = pairs.map(([, context], i) => {
      const scored: ChunkLogits[] = chunks[i]!.map((encoding) => ({ encoding, ...logits[next++]! }));
      const answers = selectSpans(scored, context, { topK, maxAnswerLen, handleImpossibleAnswer, alignToWords, clsTokenId: tokenizer.clsTokenId, offsetUnit: settings.offsetUnit });
      return answers.length === 1 ? answers[0]! : answers;
    });
    return single ? results[0]! : results;
  };
  return makePipeline("question-answering", model, tokenizer, settings, run) as unknown as QuestionAnsweringPipeline;
}

/** Start and end logits of every chunk (its own length, padding left out), in batches. */
function spanLogits(model: AlbertQuestionAnswerer, tokenizer: PipelineTokenizer, encodings: PipelineEncoding[], batchSize: number): { start: Float32Array; end: Float32Array }[] {
  const out: { start: Float32Array; end: Float32Array }[] = [];
  for (const batch of chunked(encodings, batchSize)) {
    const padded = padBatch(batch, tokenizer.padTokenId, true);
    const { startLogits, endLogits } = model.predict(padded, { batchSize: batch.length });
    const starts = startLogits.dataSync() as Float32Array;
    const ends = endLogits.dataSync() as Float32Array;
    tf.dispose([startLogits, endLogits]);
    batch.forEach((e, b) => {
      const from = b * padded.length;
      out.push({ start: starts.slice(from, from + e.ids.length), end: ends.slice(from, from + e.ids.length) });
    });
  }
  return out;
}
