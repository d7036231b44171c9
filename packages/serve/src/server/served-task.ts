import type { BatchRow } from "../batching/dynamic-batcher.js";
import { ServeError, describeValue } from "../errors.js";
import type { EmbeddingModel } from "../model/embedding-model.js";

/** A request's rows, and how their results become the response. */
export interface PreparedRequest {
  rows: BatchRow<unknown>[];
  finish(results: unknown[]): unknown;
}

/** Rows of texts to embed, with the tokens they count for (`usage`). */
export interface PreparedTexts {
  rows: BatchRow<unknown>[];
  tokens: number;
}

/**
 * What `serve` runs: how a `/predict` request becomes batch rows, how a batch of rows runs
 * (one call, from the `DynamicBatcher`), and, for embedding models, how texts become rows for
 * `/v1/embeddings` and `/embed`.
 */
export interface ServedTask {
  /** The task's name (transformers' pipeline names: `feature-extraction`, `fill-mask`, ...). */
  name: string;
  embeddings?: {
    hiddenDim: number;
    prepare(texts: readonly string[], truncate: boolean, field: string): PreparedTexts;
  };
  prepare(inputs: unknown, parameters: Record<string, unknown>): PreparedRequest;
  run(rows: unknown[]): unknown[] | Promise<unknown[]>;
  dispose?(): void;
}

/**
 * Feature extraction on an `EmbeddingModel`: each text one row, weighed by its tokens; a batch
 * gives each row its pooled vector and its unit-length one (routes pick). `/predict` takes
 * `{"inputs": text | texts, "parameters": {"normalize"?: false, "truncate"?: true}}` and answers
 * one vector per text (a single vector for a single text).
 */
export function embeddingTask(model: EmbeddingModel): ServedTask {
  const limit = model.sequenceLength;
  const prepareTexts = (texts: readonly string[], truncate: boolean, field: string): PreparedTexts => {
    let tokens = 0;
    const rows = texts.map((text, i) => {
      const tokenized = model.tokenize(text);
      if (tokenized.truncated && !truncate) {
        throw new ServeError(
          "input_too_long",
          `${field}${texts.length > 1 || field === "inputs" ? `[${i}]` : ""} has ${tokenized.fullLength + 2} tokens with [CLS] and [SEP]; the model takes at most ${limit} (its sequence length): send a shorter text, or truncate: true`,
        );
      }
      tokens += tokenized.ids.length + 2;
      return { input: tokenized.ids, length: tokenized.ids.length + 2 };
    });
    return { rows, tokens };
  };
  return {
    name: "feature-extraction",
    embeddings: { hiddenDim: model.hiddenDim, prepare: prepareTexts },
    prepare(inputs, parameters) {
      const single = typeof inputs === "string";
      const texts = single ? [inputs] : inputs;
      if (!Array.isArray(texts) || texts.some((t) => typeof t !== "string")) {
        throw new ServeError("invalid_argument", `inputs must be a text or an array of texts for feature-extraction, got ${describeValue(inputs)}`);
      }
      for (const [key, value] of Object.entries(parameters)) {
        if (!["normalize", "truncate"].includes(key) || typeof value !== "boolean") {
          throw new ServeError("invalid_argument", `parameters.${key}: feature-extraction takes normalize and truncate (booleans), got ${key} = ${describeValue(value)}`);
        }
      }
      const { rows } = prepareTexts(texts as string[], parameters["truncate"] !== false, "inputs");
      const normalize = parameters["normalize"] === true;
      return {
        rows,
        finish: (results) => {
          const vectors = (results as { pooled: Float32Array; normalized: Float32Array }[]).map((r) => Array.from(normalize ? r.normalized : r.pooled));
          return single ? vectors[0] : vectors;
        },
      };
    },
    run(rows) {
      const { pooled, normalized } = model.embed(rows as number[][]);
      return pooled.map((p, i) => ({ pooled: p, normalized: normalized[i]! }));
    },
  };
}
