import type { OffsetUnit, PipelineEncoding } from "../tokenizers/pipeline-tokenizer.js";

/** One chunk of a (question, context) pair with the model's logits for its tokens. */
export interface ChunkLogits {
  encoding: PipelineEncoding;
  start: ArrayLike<number>;
  end: ArrayLike<number>;
}

export interface SpanSelectionOptions {
  topK: number;
  maxAnswerLen: number;
  handleImpossibleAnswer: boolean;
  alignToWords: boolean;
  clsTokenId: number;
  /** The unit of the encodings' offsets (and of the answers' `start`/`end`). */
  offsetUnit?: OffsetUnit;
}

export interface SpanAnswer {
  score: number;
  start: number;
  end: number;
  answer: string;
}

/** Softmax of the logits with the positions that cannot hold an answer set to -10000. */
function probabilities(logits: ArrayLike<number>, allowed: readonly boolean[]): Float64Array {
  const n = allowed.length;
  const masked = Float64Array.from({ length: n }, (_, i) => (allowed[i] ? logits[i]! : -10000));
  let max = -Infinity;
  for (const v of masked) max = Math.max(max, v);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    masked[i] = Math.exp(masked[i]! - max);
    sum += masked[i]!;
  }
  for (let i = 0; i < n; i++) masked[i] = masked[i]! / sum;
  return masked;
}

/** `[start, end)` of the answer from token `s` to token `e`: whole words of the context
 * (`token_to_word` / `word_to_chars` of the chunk), else the tokens' own offsets. */
function indices(encoding: PipelineEncoding, s: number, e: number, alignToWords: boolean): [number, number] {
  if (alignToWords) {
    const span = (token: number): [number, number] | undefined => {
      const word = encoding.wordIds[token];
      if (word === null || word === undefined) return undefined;
      let first = -1;
      let last = -1;
      encoding.wordIds.forEach((w, j) => {
        if (w === word && encoding.sequenceIds[j] === 1) {
          if (first < 0) first = j;
          last = j;
        }
      });
      return first < 0 ? undefined : [encoding.offsets[first]![0], encoding.offsets[last]![1]];
    };
    const a = span(s);
    const b = span(e);
    if (a !== undefined && b !== undefined) return [a[0], b[1]];
  }
  return [encoding.offsets[s]![0], encoding.offsets[e]![1]];
}

/**
 * transformers v4's answer selection for the chunks of one (question, context) pair
 * (`QuestionAnsweringPipeline.postprocess` with `select_starts_ends` and `decode_spans`):
 *
 * - per chunk, the start and end logits outside the context are set to -10000 (`[CLS]` stays
 *   in), each softmaxed over the chunk; with `handleImpossibleAnswer`, the `[CLS]` product is the
 *   null score (the least over the chunks); then `[CLS]`'s probabilities are set to 0;
 * - spans with start ≤ end < start + `maxAnswerLen` score `p_start · p_end`; the best
 *   `topK·2 + 10` (or `topK` without `alignToWords`) are kept;
 * - each becomes a span of the context (widened to whole words), and one whose text equals an
 *   earlier answer's, ignoring case, adds its score to it;
 * - the null answer `{ start: 0, end: 0, answer: "" }` joins, and the best `topK` are returned.
 *
 * Spans of probability 0 are left out: v4 lists them only when a chunk has fewer candidate spans
 * than it keeps, in an order numpy's partitioning decides.
 */
export function selectSpans(chunks: readonly ChunkLogits[], context: string, options: SpanSelectionOptions): SpanAnswer[] {
  const characters = options.offsetUnit === "utf16" ? undefined : Array.from(context);
  const slice = (a: number, b: number) => (characters ? characters.slice(a, b).join("") : context.slice(a, b));
  const keep = options.alignToWords ? options.topK * 2 + 10 : options.topK;
  let minNullScore = 1_000_000;
  const answers: SpanAnswer[] = [];
  for (const { encoding, start, end } of chunks) {
    const n = encoding.ids.length;
    const allowed = encoding.ids.map((id, i) => encoding.sequenceIds[i] === 1 || id === options.clsTokenId);
    const ps = probabilities(start, allowed);
    const pe = probabilities(end, allowed);
    if (options.handleImpossibleAnswer) minNullScore = Math.min(minNullScore, ps[0]! * pe[0]!);
    ps[0] = 0;
    pe[0] = 0;
    const candidates: [number, number, number][] = [];
    for (let s = 0; s < n; s++) {
      if (ps[s] === 0) continue;
      for (let e = s; e < Math.min(n, s + options.maxAnswerLen); e++) {
        const score = ps[s]! * pe[e]!;
        if (score > 0) candidates.push([s, e, score]);
      }
    }
    // Best first; equal scores in row-major order, as numpy's argmax.
    candidates.sort((x, y) => y[2] - x[2] || x[0] - y[0] || x[1] - y[1]);
    for (const [s, e, score] of candidates.slice(0, keep)) {
      const [a, b] = indices(encoding, s, e, options.alignToWords);
      const text = slice(a, b);
      const same = answers.find((answer) => answer.answer.toLowerCase() === text.toLowerCase());
      if (same !== undefined) same.score += score;
      else answers.push({ score, start: a, end: b, answer: text });
    }
  }
  if (options.handleImpossibleAnswer) answers.push({ score: minNullScore, start: 0, end: 0, answer: "" });
  return answers.sort((x, y) => y.score - x.score).slice(0, options.topK);
}
