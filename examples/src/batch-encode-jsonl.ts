/**
 * Batch-encode a JSON lines file with a progress bar.
 *
 * Writes examples/out/sentences.jsonl (one {"id", "text"} per line, made up here), encodes it
 * in batches of 32 with a preset built from random weights and the committed tokenizer, and
 * writes examples/out/embeddings.jsonl (one {"id", "embedding"} per line). A progress bar
 * shows on a terminal; elsewhere (CI, pipes) a line per batch. Then checks the output: one
 * line per input, in order, every value finite, and each embedding equal to the one its text
 * gets when encoded alone.
 *
 * The `albert encode --input sentences.jsonl --output embeddings.jsonl` command does the same.
 */
import {
  createReadStream,
  createWriteStream,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { once } from "node:events";
import { createInterface } from "node:readline";
import cliProgress from "cli-progress";
import { AlbertBackbone, tf } from "@albert/core";
import { AlbertPreprocessor } from "@albert/tokenizer";
import { check, fail, maxAbsDiff } from "./lib/check.js";
import { outDir } from "./lib/paths.js";
import { buildSmallPreset } from "./lib/small-preset.js";

const COUNT = 200;
const BATCH_SIZE = 32;

/** Made-up sentences of varied length, so batches pad differently. */
function sentences(count: number): { id: number; text: string }[] {
  const subjects = [
    "the cat",
    "a student",
    "my neighbour",
    "the old ship",
    "our team",
    "a small bird",
  ];
  const verbs = ["watched", "painted", "followed", "remembered", "carried", "described"];
  const objects = [
    "the river",
    "a red kite",
    "the quiet town",
    "an empty box",
    "the morning train",
    "two letters",
  ];
  const tails = [
    "",
    " before noon",
    " with great care",
    " and then went home",
    " under a grey sky",
  ];
  return Array.from({ length: count }, (_, i) => ({
    id: i,
    text: `${subjects[i % 6]} ${verbs[(i * 5) % 6]} ${objects[(i * 7) % 6]}${tails[i % 5]}.`,
  }));
}

/** Reads JSON lines one at a time, so files larger than memory work too. */
async function* readJsonLines<T>(file: string): AsyncGenerator<T> {
  const lines = createInterface({ input: createReadStream(file, "utf8"), crlfDelay: Infinity });
  for await (const line of lines) if (line.trim() !== "") yield JSON.parse(line) as T;
}

function progress(total: number): { update(done: number): void; stop(): void } {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: "encoding [{bar}] {value}/{total} | {eta_formatted} left", stream: process.stderr },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0);
    return { update: (done) => bar.update(done), stop: () => bar.stop() };
  }
  return { update: (done) => console.log(`encoded ${done}/${total}`), stop: () => {} };
}

async function main(): Promise<void> {
  const dir = outDir("batch_preset");
  rmSync(dir, { recursive: true, force: true });
  (await buildSmallPreset(dir)).dispose();
  const backbone = await AlbertBackbone.fromPreset(dir);
  const preprocessor = await AlbertPreprocessor.fromPreset(dir, { lowercase: true });

  mkdirSync(outDir(), { recursive: true });
  const input = outDir("sentences.jsonl");
  const output = outDir("embeddings.jsonl");
  writeFileSync(
    input,
    sentences(COUNT)
      .map((s) => JSON.stringify(s))
      .join("\n") + "\n",
  );

  const out = createWriteStream(output);
  const bar = progress(COUNT);
  const started = performance.now();
  let done = 0;
  let batch: { id: number; text: string }[] = [];
  const flush = async () => {
    const { tokenIds, segmentIds, paddingMask } = preprocessor.call(batch.map((s) => s.text));
    const { sequenceOutput, pooledOutput } = backbone.predict({
      tokenIds,
      segmentIds,
      paddingMask,
    });
    const vectors = pooledOutput.arraySync();
    tf.dispose([sequenceOutput, pooledOutput]);
    const text =
      batch.map((s, i) => JSON.stringify({ id: s.id, embedding: vectors[i] })).join("\n") + "\n";
    if (!out.write(text)) await once(out, "drain");
    done += batch.length;
    bar.update(done);
    batch = [];
  };
  for await (const record of readJsonLines<{ id: number; text: string }>(input)) {
    batch.push(record);
    if (batch.length === BATCH_SIZE) await flush();
  }
  if (batch.length > 0) await flush();
  bar.stop();
  out.end();
  await once(out, "finish");
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `${COUNT} sentences in ${seconds.toFixed(2)} s (${(COUNT / seconds).toFixed(0)}/s) -> ${output}`,
  );

  const written = readFileSync(output, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { id: number; embedding: number[] });
  check(written.length === COUNT, `${COUNT} output lines, got ${written.length}`);
  check(
    written.every((w, i) => w.id === i),
    "outputs in input order",
  );
  check(
    written.every(
      (w) => w.embedding.length === backbone.hiddenDim && w.embedding.every(Number.isFinite),
    ),
    "finite vectors",
  );
  const texts = sentences(COUNT);
  for (const i of [0, 37, COUNT - 1]) {
    const alone = preprocessor.call([texts[i]!.text]);
    const { sequenceOutput, pooledOutput } = backbone.predict(alone);
    const difference = maxAbsDiff(pooledOutput.dataSync(), written[i]!.embedding);
    tf.dispose([sequenceOutput, pooledOutput]);
    check(difference < 1e-5, `line ${i} equals its text encoded alone (difference ${difference})`);
  }
  backbone.dispose();
  console.log("batch-encode-jsonl: ok");
}

main().catch(fail);
