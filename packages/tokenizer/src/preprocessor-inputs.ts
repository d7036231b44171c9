// What both preprocessors share: the input forms they accept, and text -> packed rows.
import type { AlbertTokenizer } from "./albert-tokenizer.js";
import { TokenizerError, describeValue } from "./errors.js";
import type { MultiSegmentPacker } from "./multi-segment-packer.js";

/** A batch of sentence pairs: `first[i]` is packed with `second[i]`. A lone string is a batch of one. */
export interface SentencePairs {
  first: string | readonly string[];
  second: string | readonly string[];
}

/**
 * What a preprocessor's `call` takes:
 * - `"text"`: one sentence (a batch of one);
 * - `["a", "b"]`: a batch of single sentences;
 * - `{ first: ["q1", "q2"], second: ["c1", "c2"] }`: a batch of pairs (`q1`+`c1`, `q2`+`c2`);
 * - `[["q1", "q2"], ["c1", "c2"]]`: KerasHub's tuple form `(firstSegments, secondSegments)`,
 *   the same pairs: all first segments, then all second segments (more segments work too).
 */
export type PreprocessorInputs =
  string | readonly string[] | readonly (readonly string[])[] | SentencePairs;

/** How rows are padded: to `sequenceLength` (KerasHub), or to the longest row of the batch
 * (HF's `padding: "longest"`; rows are still truncated to `sequenceLength`). */
export type PaddingStrategy = "max_length" | "longest";

export const PADDING_STRATEGIES: readonly PaddingStrategy[] = ["max_length", "longest"];

/** Packed rows, as the backbone takes them. */
export interface PackedInputs {
  tokenIds: number[][];
  /** 0 for `[CLS]`, the first segment and its `[SEP]`; 1 for the second segment and its `[SEP]`. */
  segmentIds: number[][];
  /** 1 for real tokens, 0 for padding (`tokenIds != padTokenId`, as KerasHub). */
  paddingMask: number[][];
}

const PAIRS_HINT =
  "For sentence pairs pass { first: [q1, q2, ...], second: [c1, c2, ...] } (first[i] is paired " +
  "with second[i]); KerasHub's tuple form is [[q1, q2, ...], [c1, c2, ...]] (all first " +
  "segments, then all second segments), not [[q1, c1], [q2, c2]]";

/** The segments of a batch: `segments[s][b]` is segment `s` of row `b`. */
export function toSegments(inputs: unknown): string[][] {
  if (typeof inputs === "string") return [[inputs]];
  if (isPairs(inputs)) return pairSegments(inputs);
  if (!Array.isArray(inputs)) {
    throw new TokenizerError(
      "invalid_argument",
      `inputs must be a string, an array of strings, { first, second } sentence pairs, or ` +
        `KerasHub's tuple form [firstSegments, secondSegments], got ${describeValue(inputs)}`,
    );
  }
  if (inputs.length === 0 || !inputs.some((item) => Array.isArray(item))) {
    return [checkTexts(inputs, "inputs")];
  }
  const lengths = inputs.map((segment) => (Array.isArray(segment) ? segment.length : -1));
  const odd = lengths.findIndex((length) => length !== lengths[0]);
  if (lengths.includes(-1) || odd >= 0) {
    const bad = lengths.indexOf(-1);
    const found =
      bad >= 0
        ? `inputs[${bad}] is ${describeValue(inputs[bad])}`
        : `inputs[0] has ${lengths[0]} texts, inputs[${odd}] has ${lengths[odd]}`;
    throw new TokenizerError(
      "invalid_argument",
      `inputs is read as KerasHub's tuple form [firstSegments, secondSegments], whose lists ` +
        `must all be arrays of the same length, but ${found}. ${PAIRS_HINT}`,
    );
  }
  return inputs.map((segment, s) => checkTexts(segment as unknown[], `inputs[${s}]`));
}

function isPairs(inputs: unknown): inputs is Record<string, unknown> {
  return typeof inputs === "object" && inputs !== null && !Array.isArray(inputs);
}

function pairSegments(inputs: Record<string, unknown>): string[][] {
  const extra = Object.keys(inputs).filter((key) => key !== "first" && key !== "second");
  if (!("first" in inputs) || !("second" in inputs) || extra.length > 0) {
    throw new TokenizerError(
      "invalid_argument",
      `inputs as an object must be { first, second } sentence pairs, got keys ` +
        `${JSON.stringify(Object.keys(inputs))}. ${PAIRS_HINT}`,
    );
  }
  const asBatch = (value: unknown, name: string) =>
    typeof value === "string" ? [value] : checkTexts(value, `inputs.${name}`);
  const first = asBatch(inputs.first, "first");
  const second = asBatch(inputs.second, "second");
  if (first.length !== second.length) {
    throw new TokenizerError(
      "invalid_argument",
      `inputs.first and inputs.second must have the same length (one second segment per first ` +
        `segment), got ${first.length} and ${second.length}`,
    );
  }
  return [first, second];
}

function checkTexts(texts: unknown, name: string): string[] {
  if (!Array.isArray(texts)) {
    throw new TokenizerError(
      "invalid_argument",
      `${name} must be a string or an array of strings, got ${describeValue(texts)}`,
    );
  }
  texts.forEach((text, i) => {
    if (typeof text !== "string") {
      throw new TokenizerError(
        "invalid_argument",
        `${name}[${i}] must be a string, got ${describeValue(text)}`,
      );
    }
  });
  return texts as string[];
}

export function checkPadding(padding: unknown): asserts padding is PaddingStrategy {
  if (!PADDING_STRATEGIES.includes(padding as PaddingStrategy)) {
    throw new TokenizerError(
      "invalid_argument",
      `padding must be "max_length" or "longest", got ${describeValue(padding)}`,
    );
  }
}

/** Tokenizes every segment and packs the rows, KerasHub's `_call_python` of both preprocessors. */
export function packTexts(
  inputs: unknown,
  tokenizer: AlbertTokenizer,
  packer: MultiSegmentPacker,
  padding: PaddingStrategy,
): PackedInputs {
  const segments = toSegments(inputs).map((segment) => tokenizer.tokenize(segment));
  const { tokenIds, segmentIds } = packer.pack(segments);
  const pad = tokenizer.padTokenId;
  const paddingMask = tokenIds.map((row) => row.map((id) => (id !== pad ? 1 : 0)));
  if (padding === "max_length" || tokenIds.length === 0) {
    return { tokenIds, segmentIds, paddingMask };
  }
  // Packing pads on the right, so the longest row ends where the last real token of any row is.
  const width = Math.max(...paddingMask.map((row) => row.lastIndexOf(1) + 1));
  const cut = (rows: number[][]) => rows.map((row) => row.slice(0, width));
  return { tokenIds: cut(tokenIds), segmentIds: cut(segmentIds), paddingMask: cut(paddingMask) };
}
