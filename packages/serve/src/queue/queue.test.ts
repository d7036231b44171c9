import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { caught, startTestRedis, type TestRedis } from "@albert/test-utils";
import { encodeCorpus } from "../bulk/encode-corpus.js";
import { ServeError } from "../errors.js";
import { EmbeddingModel } from "../model/embedding-model.js";
import { TINY_PRESET, sentences, writeCorpus } from "../test-utils/corpus.js";
import { enqueueCorpus } from "./enqueue-corpus.js";
import { runWorker, type ShardEvent } from "./run-worker.js";

// Against a real redis-server (see startTestRedis); the SIGKILL test is @albert/cli's.

const dir = mkdtempSync(path.join(tmpdir(), "albert-queue-"));
const input = path.join(dir, "corpus.txt");
let redis: TestRedis | undefined;
let model: EmbeddingModel;

beforeAll(async () => {
  redis = await startTestRedis();
  model = await EmbeddingModel.fromPreset(TINY_PRESET);
  writeCorpus(input, sentences(180, 8));
});
afterAll(async () => {
  await redis?.stop();
  model.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const files = (folder: string) => new Map(readdirSync(folder).sort().map((n) => [n, readFileSync(path.join(folder, n))]));
const queueName = (name: string) => `${name}-${process.pid}-${Date.now()}`;

describe("enqueueCorpus and runWorker (BullMQ, real Redis)", () => {
  it("two workers write the same folder encodeCorpus writes, each shard once, with progress", async (context) => {
    if (redis === undefined) return context.skip();
    const settings = { preset: "tiny", shardSize: 40, maxBatchTokens: 64 };
    const reference = path.join(dir, "reference");
    await encodeCorpus({ ...settings, input, output: reference, model });
    const name = queueName("two");
    const events: ShardEvent[] = [];
    const workers = await Promise.all(
      ["a", "b"].map(() => runWorker({ queue: redis!.url, queueName: name, preset: "tiny", loadModel: async () => model, onShard: (e) => events.push(e) })),
    );
    const out = path.join(dir, "two");
    const progress: number[] = [];
    try {
      const summary = await enqueueCorpus({ ...settings, pooling: "mean", queue: redis.url, queueName: name, input, output: out, onProgress: (p) => progress.push(p.rows) });
      expect(summary).toMatchObject({ rows: 180, shards: 5, dim: 16 });
    } finally {
      // The model is shared with the other tests: keep it (the workers dispose what loadModel gives).
      for (const w of workers) await w.worker.close();
    }
    expect(progress.at(-1)).toBe(180);
    expect(events.filter((e) => e.written).map((e) => e.name).sort()).toEqual(["shard-00000", "shard-00001", "shard-00002", "shard-00003", "shard-00004"]);
    expect(files(out)).toEqual(files(reference));
  });

  it("a shard for another preset fails at once, and the producer says why", async (context) => {
    if (redis === undefined) return context.skip();
    const name = queueName("other");
    const worker = await runWorker({ queue: redis.url, queueName: name, preset: "albert_base_en_uncased", loadModel: async () => model });
    try {
      const error = await caught(
        () => enqueueCorpus({ preset: "tiny", pooling: "mean", shardSize: 100, queue: redis!.url, queueName: name, input, output: path.join(dir, "other"), attempts: 2 }),
        ServeError,
      );
      expect(error.code).toBe("job_failed");
      // Whichever shard fails for good first (retries interleave them) is the one named.
      expect(error.message).toMatch(/^(shard-0000[01]) failed for good \(tries: at most 2\): this worker serves preset "albert_base_en_uncased" but \1 needs "tiny"/);
    } finally {
      await worker.worker.close();
    }
  });
});
