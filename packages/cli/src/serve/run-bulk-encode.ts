import path from "node:path";
import { encodeCorpus, enqueueCorpus, type BulkProgress } from "@albert/serve";
import type { EncodeOptions } from "../commands/encode.js";
import { UsageError } from "../errors.js";
import type { Io } from "../io/streams.js";
import type { Reporter } from "../reporter.js";
import { isBulkOutput as isBulkFolder, type BulkEncodeOptions } from "./bulk-output.js";
import { startBulkBar } from "./bulk-progress.js";
import { loadEmbeddingModel } from "./embedding-model.js";

/** `albert encode` pooling names → core's (`cls` there is KerasHub's pooled_output). */
const POOLING = { cls: "pooled", mean: "mean" } as const;

/**
 * `albert encode --input FILE --output DIR`: `.npy` shards in DIR, resumable; with `--queue`,
 * the shards become BullMQ jobs for `albert worker`s and this process reports their progress.
 */
export async function runBulkEncode(
  texts: string[],
  options: EncodeOptions,
  formatGiven: boolean,
  io: Io,
  reporter: Reporter,
): Promise<void> {
  if (texts.length > 0 || options.input === undefined || options.input === "-") {
    throw new UsageError(
      "sharded output (an --output folder) reads a corpus file: give --input FILE (.txt, .jsonl or .csv), not TEXT arguments or stdin",
      "Example: albert encode --preset albert_base_en_uncased --input corpus.txt --output vectors/",
    );
  }
  if (options.sequenceOutput) throw new UsageError("--sequence-output is not offered with sharded output (one vector per text)");
  const input = path.resolve(io.cwd, options.input);
  const output = path.resolve(io.cwd, options.output!);
  if (options.output === undefined || !isBulkFolder(options.output)) {
    throw new UsageError("--queue needs an --output folder (sharded output), not a .jsonl file", "Example: albert encode --preset P --input corpus.txt --output vectors/ --queue redis://127.0.0.1:6379");
  }
  const bulk = options as EncodeOptions & BulkEncodeOptions;
  const given: string = options.inputFormat;
  const inputFormat = formatGiven ? (given === "text" ? "txt" : given) : undefined;
  const pooling = POOLING[options.pooling];
  const common = {
    input,
    output,
    ...(inputFormat === undefined ? {} : { inputFormat }),
    preset: options.preset,
    normalize: options.normalize,
    shardSize: bulk.shardSize,
    maxBatchTokens: bulk.maxBatchTokens,
    maxBatchSize: options.batchSize,
    sequenceLength: options.sequenceLength ?? null,
    lowercase: options.lowercase ?? null,
    dtype: options.dtype ?? null,
  };
  const bar = startBulkBar(io.stderr, options.progress, options.queue === undefined ? "encoding" : "encoding (queue)");
  const start = performance.now();
  const summary = (p: BulkProgress, extra: string) => {
    const seconds = (performance.now() - start) / 1000;
    const encoded = p.rows - p.skippedRows;
    io.stderr.write(
      `albert: ${p.rows} rows in ${p.shards} shards in ${output}` +
        (p.skippedRows > 0 ? ` (${p.skippedRows} already there, resumed)` : "") +
        `; ${encoded} encoded in ${seconds.toFixed(1)} s (${seconds > 0 ? Math.round(encoded / seconds) : 0} rows/s)${extra}\n`,
    );
  };
  try {
    if (options.queue !== undefined) {
      const result = await enqueueCorpus({
        ...common,
        queue: options.queue,
        ...(options.queueName === undefined ? {} : { queueName: options.queueName }),
        pooling,
        onProgress: (p) => bar.update(p),
      });
      bar.stop();
      summary(result, ` by the workers of queue ${options.queueName ?? "albert-encode"}`);
      return;
    }
    const model = await loadEmbeddingModel(options, pooling, reporter);
    try {
      const result = await encodeCorpus({ ...common, model, onProgress: (p) => bar.update(p) });
      bar.stop();
      summary(result, "");
    } finally {
      model.dispose();
    }
  } catch (error) {
    bar.stop();
    throw error;
  }
}
