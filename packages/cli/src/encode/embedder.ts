import { tf, type AlbertBackbone } from "@albert/core";
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
 * Tokenizes, packs and runs batches of inputs through the backbone. Each batch is padded only
 * to its longest row: padded positions are masked out of attention, so the real tokens' outputs
 * are what padding to the full sequence length gives (up to float rounding), at a fraction of
 * the cost for short texts.
 */
export class Embedder {
  constructor(
    private readonly backbone: AlbertBackbone,
    private readonly preprocessor: AlbertPreprocessor,
    private readonly options: EmbedderOptions,
  ) {}

  /** Encodes a batch whose inputs are all single texts or all pairs. */
  embed(batch: readonly EncodeInput[]): EncodedInput[] {
    if (batch.length === 0) return [];
    const packed = this.pack(batch);
    const width = Math.max(1, ...packed.paddingMask.map((row) => row.lastIndexOf(1) + 1));
    const trim = (rows: number[][]) => rows.map((row) => row.slice(0, width));
    const tokenIds = trim(packed.tokenIds);
    const segmentIds = trim(packed.segmentIds);
    const paddingMask = trim(packed.paddingMask);

    const { sequenceOutput, pooledOutput } = this.backbone.predict({
      tokenIds,
      segmentIds,
      paddingMask,
    });
    try {
      const pooled = this.pool(sequenceOutput, pooledOutput, paddingMask);
      const hidden = pooled.length / batch.length;
      const sequence = this.options.sequenceOutput ? sequenceOutput.dataSync() : undefined;
      return batch.map((input, b) => {
        const embedding = pooled.slice(b * hidden, (b + 1) * hidden);
        if (this.options.normalize) normalizeInPlace(embedding);
        const real = paddingMask[b]!.flatMap((m, t) => (m === 1 ? [t] : []));
        const result: EncodedInput = {
          embedding,
          tokenIds: real.map((t) => tokenIds[b]![t]!),
          truncated: this.isTruncated(input),
        };
        if (sequence !== undefined) {
          result.sequenceOutput = real.map((t) => {
            const start = (b * width + t) * hidden;
            return sequence.slice(start, start + hidden) as Float32Array;
          });
        }
        return result;
      });
    } finally {
      tf.dispose([sequenceOutput, pooledOutput]);
    }
  }

  private pack(batch: readonly EncodeInput[]) {
    const first = batch[0]!;
    if (first.kind === "single") {
      return this.preprocessor.call(batch.map((input) => (input as { text: string }).text));
    }
    const pairs = batch as readonly Extract<EncodeInput, { kind: "pair" }>[];
    return this.preprocessor.call([pairs.map((p) => p.textA), pairs.map((p) => p.textB)]);
  }

  private pool(
    sequenceOutput: tf.Tensor3D,
    pooledOutput: tf.Tensor2D,
    paddingMask: number[][],
  ): Float32Array {
    if (this.options.pooling === "cls") return pooledOutput.dataSync() as Float32Array;
    return tf
      .tidy(() => {
        const mask = tf.tensor2d(paddingMask, undefined, "float32");
        const summed = tf.sum(tf.mul(sequenceOutput, tf.expandDims(mask, 2)), 1);
        const counts = tf.maximum(tf.sum(mask, 1, true), 1);
        return tf.div(summed, counts);
      })
      .dataSync() as Float32Array;
  }

  /** `[CLS] a [SEP]` needs 2 extra positions, `[CLS] a [SEP] b [SEP]` 3. */
  private isTruncated(input: EncodeInput): boolean {
    const tokenizer = this.preprocessor.tokenizer;
    const length = this.preprocessor.sequenceLength;
    return input.kind === "single"
      ? tokenizer.tokenize(input.text).length + 2 > length
      : tokenizer.tokenize(input.textA).length + tokenizer.tokenize(input.textB).length + 3 >
          length;
  }
}

function normalizeInPlace(vector: Float32Array): void {
  let sum = 0;
  for (const v of vector) sum += v * v;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i] = vector[i]! / norm;
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
