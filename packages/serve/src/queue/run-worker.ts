import { UnrecoverableError, Worker, type Job } from "bullmq";
import type { EncodeSettings } from "../bulk/encode-settings.js";
import { shardName, writeShard } from "../bulk/shard-files.js";
import { encodeShard, shardFiles } from "../bulk/shards.js";
import { integerOption } from "../errors.js";
import type { EmbeddingModel } from "../model/embedding-model.js";
import { DEFAULT_QUEUE_NAME, queueConnection, type ShardJobData, type ShardJobResult } from "./connection.js";

/** What a worker did with one shard. */
export interface ShardEvent {
  run: string;
  shard: number;
  name: string;
  rows: number;
  /** False: another worker had written it first, and this copy was dropped. */
  written: boolean;
  seconds: number;
}

export interface RunWorkerOptions {
  /** `redis://HOST:PORT[/DB]`. */
  queue: string;
  queueName?: string;
  /** The preset this worker serves; jobs of another preset fail at once, without retries. */
  preset: string;
  /** Builds the model for a run's settings (pooling, sequence length, casing, dtype); the
   * worker keeps the last one and builds again when the settings change. */
  loadModel: (settings: EncodeSettings) => Promise<EmbeddingModel>;
  /** How long a shard's lock lasts without renewal, in ms (default 30000): a worker that dies
   * has its shard taken over by another after about this long. */
  lockDurationMs?: number;
  /** How often workers look for shards whose worker died, in ms (default lockDurationMs / 2). */
  stalledIntervalMs?: number;
  /** Called when a shard is taken, before it is encoded. */
  onStart?: (event: { run: string; shard: number; name: string; rows: number }) => void;
  /** Called when a shard is done (written, or dropped as written already). */
  onShard?: (event: ShardEvent) => void;
  onError?: (error: Error) => void;
}

export interface WorkerHandle {
  worker: Worker<ShardJobData, ShardJobResult>;
  /** Finishes the shard in progress, then stops (what SIGTERM should do). */
  close(): Promise<void>;
}

/**
 * A bulk-encoding worker: takes shard jobs from the BullMQ queue one at a time, encodes them
 * with `encodeShard` (length-sorted batches), writes each shard into the run's output folder
 * with `writeShard` (atomic, never twice) and acknowledges it. Progress in rows goes to the
 * producer through the job. A worker killed mid-shard loses its lock, and another worker's
 * stalled-job check puts the shard back in the queue.
 *
 * @example
 * ```ts
 * const handle = await runWorker({
 *   queue: "redis://127.0.0.1:6379",
 *   preset: "albert_base_en_uncased",
 *   loadModel: (s) => EmbeddingModel.fromPreset(s.preset, { pooling: s.pooling }),
 * });
 * process.once("SIGTERM", () => void handle.close());
 * ```
 */
export async function runWorker(options: RunWorkerOptions): Promise<WorkerHandle> {
  const connection = queueConnection(options.queue);
  const lockDuration = integerOption(options.lockDurationMs, "lockDurationMs", 30_000);
  const stalledInterval = integerOption(options.stalledIntervalMs, "stalledIntervalMs", Math.max(1, Math.floor(lockDuration / 2)));
  let cached: { key: string; model: EmbeddingModel } | undefined;
  const modelFor = async (settings: EncodeSettings) => {
    const key = JSON.stringify([settings.pooling, settings.sequenceLength, settings.lowercase, settings.dtype]);
    if (cached?.key !== key) {
      cached?.model.dispose();
      cached = undefined;
      cached = { key, model: await options.loadModel(settings) };
    }
    return cached.model;
  };

  const process = async (job: Job<ShardJobData, ShardJobResult>): Promise<ShardJobResult> => {
    const data = job.data;
    if (data.settings.preset !== options.preset) {
      throw new UnrecoverableError(
        `this worker serves preset ${JSON.stringify(options.preset)} but ${shardName(data.shard)} needs ${JSON.stringify(data.settings.preset)}: start workers with --preset ${data.settings.preset}`,
      );
    }
    const start = performance.now();
    options.onStart?.({ run: data.run, shard: data.shard, name: shardName(data.shard), rows: data.texts.length });
    const model = await modelFor(data.settings);
    let reported = 0;
    const vectors = await encodeShard(model, data.texts, {
      ...data.settings,
      onRows: async (rows) => {
        const now = performance.now();
        if (now - reported > 250) {
          reported = now;
          await job.updateProgress(rows);
        }
      },
    });
    const records = data.texts.map((_, i) => ({ index: data.indexes[i]!, id: data.ids[i]! }));
    const files = shardFiles(records, vectors, model.hiddenDim);
    const written = writeShard(data.output, data.shard, files.ids, files.npy);
    options.onShard?.({ run: data.run, shard: data.shard, name: shardName(data.shard), rows: data.texts.length, written, seconds: (performance.now() - start) / 1000 });
    return { rows: data.texts.length, written };
  };

  const worker = new Worker<ShardJobData, ShardJobResult>(options.queueName ?? DEFAULT_QUEUE_NAME, process, {
    connection,
    concurrency: 1,
    lockDuration,
    stalledInterval,
    // A shard whose worker died twice goes to failed, and the producer reports it.
    maxStalledCount: 2,
  });
  worker.on("error", (error) => options.onError?.(error));
  await worker.waitUntilReady();
  return {
    worker,
    async close() {
      await worker.close();
      cached?.model.dispose();
      cached = undefined;
    },
  };
}
