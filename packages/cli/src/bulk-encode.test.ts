import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { EmbeddingModel, readNpyShape } from "@albert/serve";
import { maxAbsDiff, sentences, startTestRedis, testdataPath, writeCorpus, type TestRedis } from "@albert/test-utils";
import { expectOneLineError, killStartedClis, runCli, startCli, tempDir } from "./test-utils/run-cli.js";

/** A KerasHub preset with a tokenizer (1000 pieces, sequence length 16, H 16), committed. */
const PRESET = testdataPath("tokenizer");
const tmp = tempDir("bulk");
afterAll(() => tmp.cleanup());

/** Every file of a folder, by name, as bytes. */
function folder(dir: string): Map<string, Buffer> {
  return new Map(readdirSync(dir).sort().map((name) => [name, readFileSync(path.join(dir, name))]));
}

function expectSameFolders(actual: string, expected: string): void {
  const a = folder(actual);
  const e = folder(expected);
  expect([...a.keys()]).toEqual([...e.keys()]);
  for (const [name, bytes] of e) expect(a.get(name)!.equals(bytes), `${name} differs`).toBe(true);
}

/** Floats of a shard's .npy (after its header). */
function npyValues(file: string): { shape: number[]; values: Float32Array } {
  const bytes = readFileSync(file);
  const shape = readNpyShape(bytes)!;
  const offset = 10 + bytes.readUInt16LE(8);
  return { shape, values: new Float32Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + bytes.length)) };
}

afterEach(() => killStartedClis());

describe("albert encode --output DIR (bulk)", () => {
  it("writes .npy shards and id files that hold every row once, with the model's vectors", async () => {
    const input = path.join(tmp.dir, "small.jsonl");
    const texts = sentences(25, 11);
    writeCorpusJsonl(input, texts);
    const out = path.join(tmp.dir, "small-out");
    const r = await runCli(["encode", "--preset", PRESET, "--input", input, "--output", out, "--shard-size", "10", "--pooling", "mean", "--normalize"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^albert: 25 rows in 3 shards in .*small-out; 25 encoded in [\d.]+ s \(\d+ rows\/s\)\n$/);
    expect(readdirSync(out).sort()).toEqual([
      "manifest.json",
      "shard-00000.ids.jsonl",
      "shard-00000.npy",
      "shard-00001.ids.jsonl",
      "shard-00001.npy",
      "shard-00002.ids.jsonl",
      "shard-00002.npy",
    ]);
    const ids = [0, 1, 2].flatMap((k) =>
      readFileSync(path.join(out, `shard-0000${k}.ids.jsonl`), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { index: number; id: string }),
    );
    expect(ids.map((r) => r.index)).toEqual(texts.map((_, i) => i));
    expect(ids.map((r) => r.id)).toEqual(texts.map((_, i) => `doc-${i}`));
    const model = await EmbeddingModel.fromPreset(PRESET, { pooling: "mean" });
    try {
      const expected = model.embed(texts.map((t) => model.tokenize(t).ids)).normalized;
      let row = 0;
      for (const k of [0, 1, 2]) {
        const { shape, values } = npyValues(path.join(out, `shard-0000${k}.npy`));
        expect(shape).toEqual([k < 2 ? 10 : 5, 16]);
        for (let i = 0; i < shape[0]!; i++, row++) expect(maxAbsDiff(values.subarray(i * 16, (i + 1) * 16), expected[row]!)).toBeLessThan(1e-5);
      }
    } finally {
      model.dispose();
    }
    const manifest = JSON.parse(readFileSync(path.join(out, "manifest.json"), "utf8")) as { complete: unknown; settings: { pooling: string } };
    expect(manifest.complete).toEqual({ rows: 25, shards: 3, dim: 16 });
    expect(manifest.settings.pooling).toBe("mean");
  });

  it("after a SIGKILL mid-run, the same command finishes the work with an uninterrupted run's files", async () => {
    const input = path.join(tmp.dir, "corpus.txt");
    writeCorpus(input, sentences(1200, 5));
    const args = (out: string) => ["encode", "--preset", PRESET, "--input", input, "--output", out, "--shard-size", "100", "--batch-size", "1"];
    const reference = path.join(tmp.dir, "reference");
    expect((await runCli(args(reference))).code).toBe(0);

    const out = path.join(tmp.dir, "killed");
    const run = startCli(args(out));
    const shards = () => (existsSync(out) ? readdirSync(out).filter((n) => n.endsWith(".npy")).length : 0);
    while (shards() < 2 && run.child.exitCode === null) await new Promise((r) => setTimeout(r, 10));
    run.child.kill("SIGKILL");
    expect(await run.exited).toBe(null);
    const done = shards();
    // Killed mid-run: some shards written, not all; nothing half-written under a .npy name.
    expect(done).toBeGreaterThanOrEqual(2);
    expect(done).toBeLessThan(12);
    for (const name of readdirSync(out)) expect(name).toMatch(/^(manifest\.json|shard-\d{5}\.(npy|ids\.jsonl)|shard-\d{5}\.(npy|ids\.jsonl)\.partial-.+)$/);

    const resumed = await runCli(args(out));
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`^albert: 1200 rows in 12 shards in .*killed \\(${done * 100} already there, resumed\\); ${1200 - done * 100} encoded`));
    expectSameFolders(out, reference);
  });

  it("refuses a folder that holds another run, naming what differs", async () => {
    const input = path.join(tmp.dir, "corpus.txt");
    const r = await runCli(["encode", "--preset", PRESET, "--input", input, "--output", path.join(tmp.dir, "reference"), "--shard-size", "50"]);
    expect(r.code).toBe(1);
    expect(expectOneLineError(r.stderrLines).message).toMatch(/holds a run with other input or settings \(shardSize 100 → 50; maxBatchSize 1 → 16\); rerun with the same ones to resume/);
    const csv = await runCli(["encode", "--preset", PRESET, "--input", input, "--input-format", "csv"]);
    expect(csv.code).toBe(2);
    expect(expectOneLineError(csv.stderrLines).message).toBe("--input-format csv needs an --output folder (bulk encoding to .npy shards)");
    const args = await runCli(["encode", "--preset", PRESET, "hello", "--output", path.join(tmp.dir, "x")]);
    expect(args.code).toBe(2);
    expect(expectOneLineError(args.stderrLines).message).toMatch(/^sharded output \(an --output folder\) reads a corpus file: give --input FILE/);
  });
});

function writeCorpusJsonl(file: string, texts: readonly string[]): void {
  writeCorpus(file, texts.map((text, i) => JSON.stringify({ text, id: `doc-${i}` })));
}

// === Across processes: BullMQ on a real redis-server ===

let redis: TestRedis | undefined;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis?.stop();
});

describe("albert encode --queue and albert worker (BullMQ, real Redis)", () => {
  it("a worker SIGKILLed mid-shard has its shard redone by another; the output equals an uninterrupted run's, each shard written once", async (context) => {
    if (redis === undefined) return context.skip();
    const input = path.join(tmp.dir, "queue.txt");
    writeCorpus(input, sentences(1200, 9));
    const common = ["--preset", PRESET, "--input", input, "--shard-size", "400", "--batch-size", "1"];
    const reference = path.join(tmp.dir, "queue-reference");
    expect((await runCli(["encode", ...common, "--output", reference])).code).toBe(0);

    const queue = ["--queue", redis.url, "--queue-name", `test-${process.pid}-${Date.now()}`];
    const worker = (name: string) => startCli(["worker", ...queue, "--preset", PRESET, "--lock-duration", "2000"], { env: { WORKER: name } });
    const out = path.join(tmp.dir, "queue-out");
    const a = worker("a");
    await a.waitForStderr(/waiting for shards/);
    const producer = startCli(["encode", ...common, "--output", out, ...queue]);
    const [, killedShard] = await a.waitForStderr(/(shard-\d{5}) \(400 rows\): started/);
    a.child.kill("SIGKILL");
    await a.exited;
    expect(a.stderr()).not.toMatch(new RegExp(`${killedShard} \\(400 rows, [\\d.]+ s\\): written`));
    const b = worker("b");
    expect(await producer.exited).toBe(0);
    expect(producer.stderr()).toMatch(/^albert: 1200 rows in 3 shards in .*queue-out; 1200 encoded in [\d.]+ s \(\d+ rows\/s\) by the workers of queue/);
    b.child.kill("SIGTERM");
    expect(await b.exited).toBe(0);
    expect(b.stderr()).toMatch(/SIGTERM: finishing the shard in hand, then exiting\nalbert: stopped\n$/);

    // Every shard written exactly once, across both workers; the killed one's shard by b.
    const writes = [...(a.stderr() + b.stderr()).matchAll(/(shard-\d{5}) \(400 rows, [\d.]+ s\): written/g)].map((m) => m[1]);
    expect(writes.sort()).toEqual(["shard-00000", "shard-00001", "shard-00002"]);
    expect(b.stderr()).toMatch(new RegExp(`${killedShard} \\(400 rows, [\\d.]+ s\\): written`));
    expectSameFolders(out, reference);
  });

  it("the producer refuses a URL that is not redis://", async () => {
    const r = await runCli(["encode", "--preset", PRESET, "--input", path.join(tmp.dir, "corpus.txt"), "--output", path.join(tmp.dir, "q2"), "--queue", "http://x"]);
    expect(r.code).toBe(2);
    expect(expectOneLineError(r.stderrLines).message).toBe('queue "http://x" is not a redis:// or rediss:// URL; give redis://HOST:PORT[/DB]');
  });
});
