import path from "node:path";
import { Queue, QueueEvents } from "bullmq";
import type { Pooling } from "@albert/core";
import { corpusFormat, readCorpus } from "../bulk/corpus-reader.js";
import { encodeSettings, type BulkProgress, type BulkRunOptions } from "../bulk/encode-corpus.js";
import { openOutput, runId, writeManifest } from "../bulk/encode-settings.js";
import { readNpyFileShape } from "../bulk/npy.js";
import { isShardDone, shardName, shardNpyPath } from "../bulk/shard-files.js";
import { shardsOf } from "../bulk/shards.js";
import { ServeError, integerOption } from "../errors.js";
import { DEFAULT_QUEUE_NAME, queueConnection, type ShardJobData } from "./connection.js";

export interface EnqueueCorpusOptions extends BulkRunOptions {
  /** `redis://HOST:PORT[/DB]`. */
  queue: string;
  /** BullMQ queue name (default `albert-encode`). */
  queueName?: string;
  pooling: Pooling;
  /** Jobs waiting or running at most before the producer pauses reading (default 64). */
  maxPendingJobs?: number;
  /** Tries per shard before the run fails (default 3). */
  attempts?: number;
  /** Also told rows done within shards in progress (`inProgressRows`). */
  onProgress?: (progress: BulkProgress & { inProgressRows: number; pendingJobs: number }) => void;
}

export interface EnqueueCorpusSummary extends BulkProgress {
  dim: number;
  run: string;
}

/**
 * The producer of a bulk run across machines: streams the corpus, cuts it into shards as
 * `encodeCorpus` does, and adds each shard not yet on disk as a BullMQ job (id
 * `RUN-SHARD`, so a restarted producer adds nothing twice), at most `maxPendingJobs` at a time.
 * Workers (`runWorker`) take the jobs and write the shards into the shared output folder.
 * Resolves when every shard is written, with the same folder `encodeCorpus` would give; fails
 * with `job_failed` when a shard fails on every attempt.
 *
 * @example
 * ```ts
 * await enqueueCorpus({ queue: "redis://127.0.0.1:6379", input: "corpus.txt", output: "/shared/vectors",
 *   preset: "albert_base_en_uncased", pooling: "mean" });
 * ```
 */
export async function enqueueCorpus(options: EnqueueCorpusOptions): Promise<EnqueueCorpusSummary> {
  const connection = queueConnection(options.queue);
  const format = corpusFormat(options.input, options.inputFormat);
  const settings = encodeSettings(options);
  const dir = path.resolve(options.output);
  const manifest = openOutput(dir, options.input, format, settings);
  const run = runId(manifest, dir);
  const maxPending = integerOption(options.maxPendingJobs, "maxPendingJobs", 64);
  const attempts = integerOption(options.attempts, "attempts", 3);
  const queueName = options.queueName ?? DEFAULT_QUEUE_NAME;

  const queue = new Queue<ShardJobData>(queueName, { connection });
  const events = new QueueEvents(queueName, { connection });
  const progress: BulkProgress = { rows: 0, skippedRows: 0, shards: 0, bytesDone: 0, bytesTotal: manifest.input.bytes };
  /** Jobs added and not yet done: shard → its rows, bytes, and rows done so far. */
  const pending = new Map<string, { shard: number; rows: number; bytes: number; done: number }>();
  let failure: ServeError | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const report = () => {
    let inProgressRows = 0;
    for (const job of pending.values()) inProgressRows += job.done;
    options.onProgress?.({ ...progress, inProgressRows, pendingJobs: pending.size });
  };
  const complete = (jobId: string) => {
    const job = pending.get(jobId);
    if (job === undefined) return;
    pending.delete(jobId);
    progress.rows += job.rows;
    progress.shards++;
    progress.bytesDone += job.bytes;
    report();
    notify();
  };
  events.on("completed", ({ jobId }) => complete(jobId));
  events.on("progress", ({ jobId, data }) => {
    const job = pending.get(jobId);
    if (job !== undefined && typeof data === "number") {
      job.done = data;
      report();
    }
  });
  events.on("failed", ({ jobId, failedReason }) => {
    const job = pending.get(jobId);
    if (job === undefined) return;
    // A failed try is retried; only the last one fails the run.
    void queue.getJobState(jobId).then((state) => {
      if (state === "failed") {
        failure = new ServeError("job_failed", `${shardName(job.shard)} failed for good (tries: at most ${attempts}): ${failedReason}`);
        notify();
      }
    });
  });
  /** Waits for a job event, or a second (shards can also appear on disk without an event we saw). */
  const waitForChange = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const reconcile = () => {
    for (const [jobId, job] of pending) if (isShardDone(dir, job.shard)) complete(jobId);
    if (failure !== undefined) throw failure;
  };

  try {
    await events.waitUntilReady();
    for await (const shard of shardsOf(readCorpus(options.input, format, options), settings.shardSize)) {
      const bytes = shard.endByte - shard.startByte;
      if (isShardDone(dir, shard.shard)) {
        progress.rows += shard.records.length;
        progress.skippedRows += shard.records.length;
        progress.shards++;
        progress.bytesDone += bytes;
        report();
        continue;
      }
      while (pending.size >= maxPending) {
        reconcile();
        await waitForChange();
      }
      reconcile();
      const jobId = `${run}-${shard.shard}`;
      // A job left by an earlier producer: a failed one is tried again, a finished one (whose
      // shard is not on disk) is done again; a waiting or running one is kept.
      const existing = await queue.getJob(jobId);
      const state = existing === undefined ? undefined : await existing.getState();
      if (existing !== undefined && (state === "failed" || state === "completed")) await existing.remove();
      pending.set(jobId, { shard: shard.shard, rows: shard.records.length, bytes, done: 0 });
      await queue.add(
        shardName(shard.shard),
        {
          run,
          shard: shard.shard,
          output: dir,
          settings,
          ids: shard.records.map((r) => r.id),
          indexes: shard.records.map((r) => r.index),
          texts: shard.records.map((r) => r.text),
          bytes,
        },
        { jobId, attempts, backoff: { type: "exponential", delay: 1000 }, removeOnComplete: true, removeOnFail: { count: 1000 } },
      );
      report();
    }
    while (pending.size > 0) {
      reconcile();
      if (pending.size > 0) await waitForChange();
    }
    if (progress.rows === 0) throw new ServeError("invalid_input", `${options.input}: no inputs (the file is empty or blank)`);
    const dim = readNpyFileShape(shardNpyPath(dir, 0))?.[1] ?? 0;
    writeManifest(dir, { ...manifest, complete: { rows: progress.rows, shards: progress.shards, dim } });
    return { ...progress, dim, run };
  } finally {
    await events.close();
    await queue.close();
  }
}
