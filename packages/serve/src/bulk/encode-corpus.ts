import path from "node:path";
import { ServeError, integerOption } from "../errors.js";
import type { EmbeddingModel } from "../model/embedding-model.js";
import { corpusFormat, readCorpus, type CorpusReadOptions } from "./corpus-reader.js";
import { openOutput, writeManifest, type EncodeSettings } from "./encode-settings.js";
import { isShardDone, removePartials, writeShard } from "./shard-files.js";
import { encodeShard, shardFiles, shardsOf } from "./shards.js";

/** Where a bulk run stands (for a progress bar: bytes give the ETA, rows the rate). */
export interface BulkProgress {
  rows: number;
  /** Rows found already encoded by an earlier run (resumed, not encoded again). */
  skippedRows: number;
  shards: number;
  bytesDone: number;
  bytesTotal: number;
}

/** What a bulk run (local or queued) reads, writes and with which settings. */
export interface BulkRunOptions extends CorpusReadOptions {
  /** The corpus file (.txt, .jsonl or .csv). */
  input: string;
  /** The output folder (created if missing; a rerun resumes in it). */
  output: string;
  /** Overrides the format the extension says. */
  inputFormat?: string;
  /** The preset handle (recorded in the manifest; queue workers must serve the same). */
  preset: string;
  /** Unit-length vectors (default false). */
  normalize?: boolean;
  /** Rows per shard, the window sorted by length (default 10000). */
  shardSize?: number;
  /** Padded tokens per model call at most (default 8192). */
  maxBatchTokens?: number;
  /** Rows per model call at most (default 64). */
  maxBatchSize?: number;
  /** The options the model is loaded with (null: the preset's). */
  sequenceLength?: number | null;
  lowercase?: boolean | null;
  dtype?: string | null;
}

export interface EncodeCorpusOptions extends BulkRunOptions {
  model: EmbeddingModel;
  onProgress?: (progress: BulkProgress) => void;
}

export interface EncodeCorpusSummary extends BulkProgress {
  dim: number;
  /** Shards this run wrote. */
  written: number;
}

/** The settings of a run from its options, with the defaults filled in. */
export function encodeSettings(options: Omit<BulkRunOptions, "input" | "output"> & { pooling: EncodeSettings["pooling"] }): EncodeSettings {
  return {
    preset: options.preset,
    pooling: options.pooling,
    normalize: options.normalize ?? false,
    sequenceLength: options.sequenceLength ?? null,
    lowercase: options.lowercase ?? null,
    shardSize: integerOption(options.shardSize, "shardSize", 10_000),
    maxBatchTokens: integerOption(options.maxBatchTokens, "maxBatchTokens", 8192),
    maxBatchSize: integerOption(options.maxBatchSize, "maxBatchSize", 64),
    dtype: options.dtype ?? null,
  };
}

/**
 * Encodes a corpus into `.npy` shards in one process, streaming the input (memory bounded by
 * one shard), and resumes: run again with the same options after a crash or kill, it skips the
 * shards already written and gives the files an uninterrupted run gives, each row in exactly
 * one shard. See `Manifest` and `writeShard` for the folder's layout.
 *
 * @example
 * ```ts
 * import { EmbeddingModel, encodeCorpus } from "@albert/serve";
 *
 * const model = await EmbeddingModel.fromPreset("albert_base_en_uncased");
 * await encodeCorpus({ input: "corpus.txt", output: "vectors/", model, preset: "albert_base_en_uncased" });
 * // vectors/shard-00000.npy, vectors/shard-00000.ids.jsonl, ..., vectors/manifest.json
 * model.dispose();
 * ```
 */
export async function encodeCorpus(options: EncodeCorpusOptions): Promise<EncodeCorpusSummary> {
  const format = corpusFormat(options.input, options.inputFormat);
  const settings = encodeSettings({ ...options, pooling: options.model.pooling });
  const dir = path.resolve(options.output);
  const manifest = openOutput(dir, options.input, format, settings);
  removePartials(dir);
  const model = options.model;
  const progress: BulkProgress = { rows: 0, skippedRows: 0, shards: 0, bytesDone: 0, bytesTotal: manifest.input.bytes };
  let written = 0;
  for await (const shard of shardsOf(readCorpus(options.input, format, options), settings.shardSize)) {
    if (isShardDone(dir, shard.shard)) {
      progress.skippedRows += shard.records.length;
    } else {
      const vectors = await encodeShard(
        model,
        shard.records.map((r) => r.text),
        settings,
      );
      const files = shardFiles(shard.records, vectors, model.hiddenDim);
      if (writeShard(dir, shard.shard, files.ids, files.npy)) written++;
    }
    progress.rows += shard.records.length;
    progress.shards++;
    progress.bytesDone = shard.endByte;
    options.onProgress?.({ ...progress });
  }
  if (progress.rows === 0) throw new ServeError("invalid_input", `${options.input}: no inputs (the file is empty or blank)`);
  writeManifest(dir, { ...manifest, complete: { rows: progress.rows, shards: progress.shards, dim: model.hiddenDim } });
  return { ...progress, dim: model.hiddenDim, written };
}
