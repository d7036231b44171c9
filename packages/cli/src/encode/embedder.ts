import type { AlbertBackbone } from "@albert/core";
import { FeatureExtractor, KerasPipelineTokenizer } from "@albert/pipelines";
import type { AlbertPreprocessor } from "@albert/tokenizer";
import type { EncodeInput } from "../io/jsonl.js";

/**
 * `cls`: KerasHub's `pooled_output` (tanh of a dense layer over the `[CLS]` vector, trained
 * by ALBERT's sentence-order objective). `mean`: the mean of `sequence_output` over the real
 * tokens (`[CLS]` and `[SEP]` included, padding excluded), as sentence-transformers pools.
 */
export type Pooling = "cls" | "mean";

export interface EmbedderOptions {
  pooling: Pooling;
  /** Scale each embedding to unit length (cosine similarity becomes a dot product). */
  normalize: boolean;
  /** Also return the per-token vectors of the real tokens. */
  sequenceOutput: boolean;
}

/** What one input gives. */
export interface EncodedInput {
  embedding: Float32Array;
  /** The ids the model saw, padding left out (`[CLS] ... [SEP]`). */
  tokenIds: number[];
  /** Whether the text was cut to fit the sequence length. */
  truncated: boolean;
  /** One vector per entry of `tokenIds`. */
  sequenceOutput?: Float32Array[];
}

/**
 * The feature-extraction pipeline's `FeatureExtractor` over the preset's preprocessor: texts
 * tokenized and packed as the preprocessor does (its casing, sequence length, truncation, the
 * pair's segment ids), each batch padded only to its longest row. Padded positions are masked
 * out of attention, so the real tokens' outputs are what padding to the full sequence length
 * gives (up to float rounding), at a fraction of the cost for short texts.
 */
export class Embedder {
  private readonly extractor: FeatureExtractor;

  constructor(
    backbone: AlbertBackbone,
    preprocessor: AlbertPreprocessor,
    private readonly options: EmbedderOptions,
  ) {
    const tokenizer = new KerasPipelineTokenizer(preprocessor.tokenizer, preprocessor.sequenceLength, preprocessor.truncate);
    this.extractor = new FeatureExtractor(backbone, tokenizer);
  }

  /** Encodes a batch of single texts and pairs. */
  embed(batch: readonly EncodeInput[]): EncodedInput[] {
    if (batch.length === 0) return [];
    const features = this.extractor.extract(
      batch.map((input) => (input.kind === "single" ? { text: input.text } : { text: input.textA, textPair: input.textB })),
      {
        pooling: this.options.pooling === "cls" ? "pooled" : "mean",
        normalize: this.options.normalize,
        sequence: this.options.sequenceOutput,
        batchSize: batch.length,
      },
    );
    return features.map((f) => ({
      embedding: f.pooled!,
      tokenIds: f.tokenIds,
      truncated: f.truncated,
      ...(f.sequence !== undefined ? { sequenceOutput: f.sequence } : {}),
    }));
  }
}

/** Splits inputs into batches of at most `size`, cutting where singles and pairs alternate
 * (the preprocessor packs one kind per call). */
export function batchInputs(inputs: readonly EncodeInput[], size: number): EncodeInput[][] {
  const batches: EncodeInput[][] = [];
  let current: EncodeInput[] = [];
  for (const input of inputs) {
    if (current.length === size || (current.length > 0 && current[0]!.kind !== input.kind)) {
      batches.push(current);
      current = [];
    }
    current.push(input);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
