import { poolOutputs, tf, type AlbertBackbone } from "@albert/core";
import { chunked, padBatch } from "../batching.js";
import { booleanOption, checkOptionNames, choiceOption, integerOption, textList } from "../options.js";
import { makePipeline, type PipelineBase, type PipelineSettings } from "../pipeline-base.js";
import type { PipelineTokenizer } from "../tokenizers/pipeline-tokenizer.js";

/**
 * `"none"`: every token's vector (transformers' feature extraction); `"cls"`: the `[CLS]`
 * token's final hidden state; `"mean"`: the mean over the real tokens; `"pooled"`: the
 * backbone's `pooledOutput` (KerasHub's, `tanh` of a dense layer over `[CLS]`).
 */
export type FeaturePooling = "none" | "cls" | "mean" | "pooled";

export interface FeatureExtractionOptions {
  /** Default `"none"`. */
  pooling?: FeaturePooling;
  /** Scale each vector (each token's, with `pooling: "none"`) to unit length. */
  normalize?: boolean;
  batchSize?: number;
}

/** One text's features: `[1, tokens, hidden]` with `pooling: "none"`, else `[hidden]`. */
export type FeatureExtractionOutput = number[][][] | number[];

export interface FeatureExtractionPipeline extends PipelineBase<"feature-extraction", AlbertBackbone> {
  (inputs: string, options?: FeatureExtractionOptions): Promise<FeatureExtractionOutput>;
  (inputs: readonly string[], options?: FeatureExtractionOptions): Promise<FeatureExtractionOutput[]>;
  /** The same, with what a caller such as `albert encode` also needs. */
  readonly extractor: FeatureExtractor;
}

/** A text, or a sentence pair (`[CLS] a [SEP] b [SEP]`). */
export interface FeatureInput {
  text: string;
  textPair?: string;
}

/** What one input gives, as plain arrays. */
export interface ExtractedFeatures {
  /** The ids the model saw, `[CLS]` to the last `[SEP]`. */
  tokenIds: number[];
  /** Whether the text was cut to fit the tokenizer's `maxLength`. */
  truncated: boolean;
  /** One vector per token (with `sequence: true`). */
  sequence?: Float32Array[];
  /** The pooled vector (when `pooling` is not `"none"`). */
  pooled?: Float32Array;
}

function normalizeInPlace(v: Float32Array): Float32Array {
  let sum = 0;
  for (const x of v) sum += x * x;
  // F.normalize's max(norm, 1e-12).
  const norm = Math.max(Math.sqrt(sum), 1e-12);
  for (let i = 0; i < v.length; i++) v[i] = v[i]! / norm;
  return v;
}

/**
 * Runs texts through the backbone in batches padded to each batch's longest input, and returns
 * per input its token ids, every token's vector and/or a pooled vector.
 */
export class FeatureExtractor {
  constructor(
    readonly backbone: AlbertBackbone,
    readonly tokenizer: PipelineTokenizer,
  ) {}

  extract(
    inputs: readonly FeatureInput[],
    options: { pooling: FeaturePooling; normalize: boolean; sequence: boolean; batchSize: number },
  ): ExtractedFeatures[] {
    const out: ExtractedFeatures[] = [];
    for (const batch of chunked(inputs, options.batchSize)) {
      const encodings = batch.map((input) => this.tokenizer.encode(input.text, input.textPair === undefined ? {} : { textPair: input.textPair }));
      const padded = padBatch(encodings, this.tokenizer.padTokenId, this.tokenizer.passesSegmentIds);
      const outputs = this.backbone.predict(padded);
      try {
        const hidden = outputs.sequenceOutput.shape[2];
        const sequence = options.sequence ? outputs.sequenceOutput.dataSync() : undefined;
        let pooled: Float32Array | undefined;
        if (options.pooling !== "none") {
          const p = poolOutputs(outputs, padded.paddingMask, { pooling: options.pooling, normalize: options.normalize });
          pooled = p.dataSync() as Float32Array;
          p.dispose();
        }
        encodings.forEach((e, b) => {
          const features: ExtractedFeatures = { tokenIds: e.ids, truncated: e.truncated === true };
          if (sequence !== undefined) {
            features.sequence = e.ids.map((_, t) => {
              const from = (b * padded.length + t) * hidden;
              const v = sequence.slice(from, from + hidden) as Float32Array;
              return options.normalize && options.pooling === "none" ? normalizeInPlace(v) : v;
            });
          }
          if (pooled !== undefined) features.pooled = pooled.slice(b * hidden, (b + 1) * hidden);
          out.push(features);
        });
      } finally {
        tf.dispose([outputs.sequenceOutput, outputs.pooledOutput]);
      }
    }
    return out;
  }
}

const OPTIONS = ["pooling", "normalize", "batchSize"];
const POOLINGS: readonly FeaturePooling[] = ["none", "cls", "mean", "pooled"];

/**
 * transformers' `feature-extraction` pipeline: for each text the final hidden state of every
 * token, `[1, tokens, hidden]` with `[CLS]` and `[SEP]` and no padding, as plain arrays; with
 * `pooling` one vector per text instead (as transformers.js' options).
 */
export function featureExtractionPipeline(
  backbone: AlbertBackbone,
  tokenizer: PipelineTokenizer,
  settings: PipelineSettings,
): FeatureExtractionPipeline {
  const extractor = new FeatureExtractor(backbone, tokenizer);
  const run = async (inputs: unknown, options?: FeatureExtractionOptions) => {
    const o = checkOptionNames("feature-extraction", options, OPTIONS);
    const pooling = choiceOption(o["pooling"], "pooling", POOLINGS, "none");
    const normalize = booleanOption(o["normalize"], "normalize", false);
    const batchSize = integerOption(o["batchSize"], "batchSize", settings.batchSize);
    const { texts, single } = textList(inputs);
    const features = extractor.extract(
      texts.map((text) => ({ text })),
      { pooling, normalize, sequence: pooling === "none", batchSize },
    );
    const results = features.map((f) => (pooling === "none" ? [f.sequence!.map((v) => Array.from(v))] : Array.from(f.pooled!)));
    return single ? results[0]! : results;
  };
  return Object.assign(makePipeline("feature-extraction", backbone, tokenizer, settings, run), { extractor }) as unknown as FeatureExtractionPipeline;
}
