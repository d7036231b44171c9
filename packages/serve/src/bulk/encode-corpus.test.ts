import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { caught } from "@albert/test-utils";
import { ServeError } from "../errors.js";
import { EmbeddingModel } from "../model/embedding-model.js";
import { TINY_PRESET, sentences, writeCorpus } from "../test-utils/corpus.js";
import { encodeCorpus, type BulkProgress } from "./encode-corpus.js";

const dir = mkdtempSync(path.join(tmpdir(), "albert-bulk-"));
const input = path.join(dir, "corpus.txt");
let model: EmbeddingModel;

beforeAll(async () => {
  model = await EmbeddingModel.fromPreset(TINY_PRESET);
  writeCorpus(input, sentences(230, 4));
});
afterAll(() => {
  model.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const files = (folder: string) => new Map(readdirSync(folder).sort().map((n) => [n, readFileSync(path.join(folder, n))]));

describe("encodeCorpus", () => {
  it("resumes: shards left out or half-written are redone, and the folder equals an uninterrupted run's", async () => {
    const reference = path.join(dir, "reference");
    const progress: BulkProgress[] = [];
    const summary = await encodeCorpus({ input, output: reference, model, preset: "tiny", shardSize: 50, maxBatchTokens: 64, onProgress: (p) => progress.push(p) });
    expect(summary).toMatchObject({ rows: 230, shards: 5, skippedRows: 0, written: 5, dim: 16 });
    expect(progress.map((p) => p.rows)).toEqual([50, 100, 150, 200, 230]);
    expect(progress.at(-1)!.bytesDone).toBe(progress.at(-1)!.bytesTotal);

    // What a crash leaves: shards 0 and 1 done, shard 2's ids written but not its vectors,
    // a partial file, and the manifest not yet complete.
    const crashed = path.join(dir, "crashed");
    cpSync(reference, crashed, { recursive: true });
    for (const name of ["shard-00002.npy", "shard-00003.npy", "shard-00003.ids.jsonl", "shard-00004.npy", "shard-00004.ids.jsonl"]) rmSync(path.join(crashed, name));
    writeFileSync(path.join(crashed, "shard-00002.npy.partial-host-1"), "half");
    const manifest = JSON.parse(readFileSync(path.join(crashed, "manifest.json"), "utf8")) as Record<string, unknown>;
    delete manifest["complete"];
    writeFileSync(path.join(crashed, "manifest.json"), JSON.stringify(manifest));

    const resumed = await encodeCorpus({ input, output: crashed, model, preset: "tiny", shardSize: 50, maxBatchTokens: 64 });
    expect(resumed).toMatchObject({ rows: 230, skippedRows: 100, written: 3 });
    expect(files(crashed)).toEqual(files(reference));
  });

  it("refuses another run's folder and a folder of other files, naming what differs", async () => {
    const other = await caught(() => encodeCorpus({ input, output: path.join(dir, "reference"), model, preset: "tiny", shardSize: 60, maxBatchTokens: 64 }), ServeError);
    expect(other.code).toBe("output_conflict");
    expect(other.message).toMatch(/holds a run with other input or settings \(shardSize 50 → 60\)/);
    const busy = path.join(dir, "busy");
    cpSync(input, path.join(busy, "notes.txt"), { recursive: true });
    expect((await caught(() => encodeCorpus({ input, output: busy, model, preset: "tiny" }), ServeError)).message).toMatch(/holds files \(notes\.txt\) but no manifest\.json/);
    const empty = path.join(dir, "empty.txt");
    writeFileSync(empty, "\n\n");
    expect((await caught(() => encodeCorpus({ input: empty, output: path.join(dir, "e"), model, preset: "tiny" }), ServeError)).message).toMatch(/no inputs/);
  });
});
