import { AlbertInputError, tf, type AlbertTextClassifier } from "@albert/core";
import { chunked, padBatch } from "../batching.js";
import { argmax, sigmoid, softmax } from "../numeric.js";
import { checkOptionNames, checkText, choiceOption, integerOption } from "../options.js";
import { makePipeline, type PipelineBase, type PipelineSettings } from "../pipeline-base.js";
import type { PipelineTokenizer } from "../tokenizers/pipeline-tokenizer.js";

/** A label and its score, with transformers' keys. */
export interface TextClassificationResult {
  label: string;
  score: number;
}

/** A sentence pair, with transformers' keys. */
export interface TextPair {
  text: string;
  text_pair?: string;
}

export type TextClassificationInput = string | TextPair;

/** What turns logits into scores: transformers' `function_to_apply`. */
export type ClassificationFunction = "default" | "softmax" | "sigmoid" | "none";

export interface TextClassificationOptions {
  /**
   * Labels per input, best first; `null`: all of them. Left out: the best label alone as a
   * `{ label, score }` (transformers' legacy form, wrapped in a list for a single string).
   */
  topK?: number | null;
  /** Default: sigmoid for one label, else softmax; none when the model already applies an
   * activation (a KerasHub classifier with `activation: "softmax"`). */
  functionToApply?: ClassificationFunction;
  batchSize?: number;
}

/** One input's result: the best label (`topK` left out) or a list by descending score. */
export type TextClassificationOutput = TextClassificationResult | TextClassificationResult[];

export interface TextClassificationPipeline extends PipelineBase<"text-classification", AlbertTextClassifier> {
  (inputs: TextClassificationInput, options?: TextClassificationOptions): Promise<TextClassificationOutput>;
  (inputs: readonly TextClassificationInput[], options?: TextClassificationOptions): Promise<TextClassificationOutput[]>;
  /** transformers' `[[text, text_pair]]` form of one pair. */
  (inputs: readonly [readonly [string, string]], options?: TextClassificationOptions): Promise<TextClassificationOutput>;
}

const OPTIONS = ["topK", "functionToApply", "batchSize"];
const FUNCTIONS: readonly ClassificationFunction[] = ["default", "softmax", "sigmoid", "none"];

/** The inputs as (text, pair) and how transformers would nest the result. */
function readInputs(inputs: unknown): { items: [string, string | undefined][]; single: boolean; string: boolean } {
  const item = (value: unknown, argument: string): [string, string | undefined] => {
    if (typeof value === "string") return [value, undefined];
    if (typeof value === "object" && value !== null && !Array.isArray(value) && "text" in value) {
      const pair = value as Record<string, unknown>;
      return [checkText(pair["text"], `${argument}.text`), pair["text_pair"] === undefined ? undefined : checkText(pair["text_pair"], `${argument}.text_pair`)];
    }
    throw new AlbertInputError("invalid_type", argument, `${argument} must be a string or { text, text_pair }, got ${JSON.stringify(value)?.slice(0, 80)}`);
  };
  if (Array.isArray(inputs)) {
    // transformers reads `[[text, text_pair]]` as one pair.
    if (inputs.length === 1 && Array.isArray(inputs[0]) && inputs[0].length === 2) {
      return { items: [[checkText(inputs[0][0], "inputs[0][0]"), checkText(inputs[0][1], "inputs[0][1]")]], single: true, string: false };
    }
    if (inputs.length === 0) throw new AlbertInputError("empty_sequence", "inputs", "inputs is an empty array: pass at least one text");
    return { items: inputs.map((v, i) => item(v, `inputs[${i}]`)), single: false, string: false };
  }
  return { items: [item(inputs, "inputs")], single: true, string: typeof inputs === "string" };
}

/**
 * transformers' `text-classification` pipeline: each text (or `{ text, text_pair }`) gets its
 * best label and score, or with `topK` the labels by descending score (`topK: null`: all).
 */
export function textClassificationPipeline(
  model: AlbertTextClassifier,
  tokenizer: PipelineTokenizer,
  settings: PipelineSettings,
): TextClassificationPipeline {
  const labels = Array.from({ length: model.numClasses }, (_, i) => model.id2label?.[i] ?? `LABEL_${i}`);
  const run = async (inputs: unknown, options?: TextClassificationOptions) => {
    const o = checkOptionNames("text-classification", options, OPTIONS);
    const legacy = !("topK" in o) || o["topK"] === undefined;
    const top = o["topK"] === null || legacy ? undefined : integerOption(o["topK"], "topK", 1);
    let fn = choiceOption(o["functionToApply"], "functionToApply", FUNCTIONS, "default");
    if (fn === "default") fn = model.activation !== "linear" ? "none" : model.numClasses === 1 ? "sigmoid" : "softmax";
    const batchSize = integerOption(o["batchSize"], "batchSize", settings.batchSize);
    const { items, single, string } = readInputs(inputs);
    const results: TextClassificationOutput[] = [];
    for (const batch of chunked(items, batchSize)) {
      const encodings = batch.map(([text, pair]) => tokenizer.encode(text, pair === undefined ? {} : { textPair: pair }));
      const logits = model.predict(padBatch(encodings, tokenizer.padTokenId, tokenizer.passesSegmentIds), { batchSize: batch.length });
      const values = logits.dataSync();
      tf.dispose(logits);
      batch.forEach((_, b) => {
        const row = values.subarray(b * labels.length, (b + 1) * labels.length);
        const scores = fn === "softmax" ? softmax(row) : fn === "sigmoid" ? sigmoid(row) : Float64Array.from(row);
        if (legacy) {
          const best = argmax(scores);
          results.push({ label: labels[best]!, score: scores[best]! });
          return;
        }
        // A stable sort: equal scores keep label order, as Python's sort.
        const all = labels.map((label, i) => ({ label, score: scores[i]! })).sort((x, y) => y.score - x.score);
        results.push(top === undefined ? all : all.slice(0, top));
      });
    }
    if (!single) return results;
    return string && legacy ? [results[0]] : results[0]!;
  };
  return makePipeline("text-classification", model, tokenizer, settings, run) as unknown as TextClassificationPipeline;
}
