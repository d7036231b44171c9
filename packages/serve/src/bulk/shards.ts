import { lengthSortedBatches } from "../batching/length-groups.js";
import type { EmbeddingModel } from "../model/embedding-model.js";
import type { CorpusRecord } from "./corpus-reader.js";
import { npyBytes } from "./npy.js";

/** A window of consecutive corpus records: the unit that is sorted, encoded and written. */
export interface Shard {
  shard: number;
  records: { index: number; id: string | number; text: string }[];
  /** Byte offsets of the input where the shard starts and ends (for progress). */
  startByte: number;
  endByte: number;
}

/** Cuts a stream of records into shards of `shardSize` (the last may be shorter). */
export async function* shardsOf(records: AsyncIterable<CorpusRecord>, shardSize: number): AsyncGenerator<Shard> {
  let current: Shard = { shard: 0, records: [], startByte: 0, endByte: 0 };
  for await (const record of records) {
    current.records.push({ index: record.index, id: record.id, text: record.text });
    current.endByte = record.endByte;
    if (current.records.length === shardSize) {
      yield current;
      current = { shard: current.shard + 1, records: [], startByte: current.endByte, endByte: current.endByte };
    }
  }
  if (current.records.length > 0) yield current;
}

export interface ShardEncodeOptions {
  normalize: boolean;
  maxBatchTokens: number;
  maxBatchSize: number;
  /** Called after every batch with the rows done so far. */
  onRows?: (rows: number) => void | Promise<void>;
}

/**
 * Encodes a shard's texts: tokenized, sorted by length, cut into batches by
 * `lengthSortedBatches` (so batches pad little), each padded to its own longest row; the
 * vectors come back in the shard's order, as one float32 `[rows, H]` block. The batches depend
 * only on the texts and settings, so encoding a shard again gives the same numbers.
 */
export async function encodeShard(model: EmbeddingModel, texts: readonly string[], options: ShardEncodeOptions): Promise<Float32Array> {
  const rows = texts.map((text) => model.tokenize(text).ids);
  const dim = model.hiddenDim;
  const out = new Float32Array(rows.length * dim);
  let done = 0;
  for (const batch of lengthSortedBatches(rows.map((r) => r.length + 2), options.maxBatchTokens, options.maxBatchSize)) {
    const { pooled, normalized } = model.embed(batch.map((i) => rows[i]!));
    const vectors = options.normalize ? normalized : pooled;
    batch.forEach((row, b) => out.set(vectors[b]!, row * dim));
    done += batch.length;
    await options.onRows?.(done);
    // Let timers run between batches (a queue worker's lock renewal, signals).
    await new Promise((resolve) => setImmediate(resolve));
  }
  return out;
}

/** The two files of a shard: the ids as JSON lines and the vectors as `.npy`. */
export function shardFiles(records: readonly { index: number; id: string | number }[], vectors: Float32Array, dim: number): { ids: Buffer; npy: Buffer } {
  const ids = Buffer.from(records.map((r) => `${JSON.stringify({ index: r.index, id: r.id })}\n`).join(""), "utf8");
  return { ids, npy: npyBytes(vectors, [records.length, dim]) };
}
