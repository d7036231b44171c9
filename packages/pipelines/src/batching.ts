import type { PipelineEncoding } from "./tokenizers/pipeline-tokenizer.js";

/** Packed model inputs of one batch, every row as long as the batch's longest. */
export interface PaddedBatch {
  tokenIds: number[][];
  segmentIds: number[][];
  paddingMask: number[][];
  /** The longest row's length. */
  length: number;
}

/**
 * Pads encodings to the longest of them (not to the model's maximum: padded positions are
 * masked out of attention, so the real tokens' outputs do not change, and short batches cost
 * little). Without `segmentIds`, every segment id is 0, as transformers' ALBERT pipelines run.
 */
export function padBatch(encodings: readonly PipelineEncoding[], padId: number, segmentIds: boolean): PaddedBatch {
  const length = Math.max(1, ...encodings.map((e) => e.ids.length));
  const pad = <T>(row: readonly T[], value: T) => [...row, ...Array<T>(length - row.length).fill(value)];
  return {
    tokenIds: encodings.map((e) => pad(e.ids, padId)),
    segmentIds: encodings.map((e) => pad(segmentIds ? e.typeIds : e.typeIds.map(() => 0), 0)),
    paddingMask: encodings.map((e) => pad(e.ids.map(() => 1), 0)),
    length,
  };
}

/** `items` in consecutive groups of at most `size`. */
export function chunked<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
