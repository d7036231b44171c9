/**
 * `pnpm demo`: what albert-ts does, offline, in a few seconds.
 *
 * 1. KerasHub's AlbertBackbone docstring example at full albert_base size, on the fastest
 *    backend here (native TensorFlow after `pnpm install`).
 * 2. A preset built here: random weights plus the committed SentencePiece vocabulary, saved
 *    in KerasHub's layout, loaded back with the tokenizer and preprocessor.
 * 3. Sentences through tokenizer, preprocessor and backbone, and a cosine similarity table.
 * 4. The same with the `albert` command, checked against the library.
 * 5. How to get real weights.
 */
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { AlbertBackbone, initBackend, tf } from "@albert/core";
import { AlbertPreprocessor } from "@albert/tokenizer";
import { check, fail, maxAbsDiff } from "./lib/check.js";
import { outDir, REPO_ROOT } from "./lib/paths.js";
import { similarityTable } from "./lib/similarity.js";
import { buildSmallPreset, SMALL_ALBERT } from "./lib/small-preset.js";

const SENTENCES = [
  "The cat sat on the mat.",
  "A cat was sitting on the mat.",
  "Stock markets fell sharply today.",
  "Shares dropped steeply this morning.",
];

function heading(text: string): void {
  console.log(`\n== ${text}`);
}

function ms(start: number): string {
  return `${(performance.now() - start).toFixed(0)} ms`;
}

/** Step 1: exactly the docstring example of keras_hub.models.AlbertBackbone. */
function docstringExample(): void {
  heading("1. KerasHub's AlbertBackbone docstring example, albert_base size, random weights");
  let start = performance.now();
  const model = new AlbertBackbone({
    vocabularySize: 30000,
    numLayers: 12,
    numHeads: 12,
    numGroups: 1,
    numInnerRepetitions: 1,
    embeddingDim: 128,
    hiddenDim: 768,
    intermediateDim: 3072,
    maxSequenceLength: 12,
  });
  const built = ms(start);
  const inputs = {
    tokenIds: [[1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]],
    segmentIds: [[0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0]],
    paddingMask: [[1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0]],
  };
  start = performance.now();
  const first = model.predict(inputs);
  first.pooledOutput.dataSync();
  const firstCall = ms(start);
  start = performance.now();
  const { sequenceOutput, pooledOutput } = model.predict(inputs);
  pooledOutput.dataSync();
  const secondCall = ms(start);
  const params = model.countParams();
  console.log(
    `sequenceOutput ${JSON.stringify(sequenceOutput.shape)}, pooledOutput ${JSON.stringify(pooledOutput.shape)}`,
  );
  console.log(
    `countParams() = ${params.toLocaleString("en-US")} (KerasHub: 11,619,584; 12 layers share one weight set)`,
  );
  // On native TensorFlow the first call also builds (and checks) the model's TensorFlow graph.
  const engine = (model as { inferenceEngine?: string }).inferenceEngine;
  console.log(
    `built in ${built}; first call ${firstCall}, second call ${secondCall}${engine ? ` (engine: ${engine})` : ""}`,
  );
  check(JSON.stringify(sequenceOutput.shape) === "[1,12,768]", "sequenceOutput shape [1, 12, 768]");
  check(JSON.stringify(pooledOutput.shape) === "[1,768]", "pooledOutput shape [1, 768]");
  check(params === 11619584, `countParams() 11619584, got ${params}`);
  tf.dispose([first.sequenceOutput, first.pooledOutput, sequenceOutput, pooledOutput]);
  model.dispose();
}

/** The `albert` executable of @albert/cli, found through its package.json. */
function albertBin(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve("@albert/cli/package.json")), "bin", "albert.js");
}

async function main(): Promise<void> {
  console.log("albert-ts demo: ALBERT on TensorFlow.js, offline");
  const backend = await initBackend("auto");
  console.log(
    `backend: ${backend.name} (${backend.version})${backend.threads ? `, ${backend.threads} threads` : ""}` +
      (backend.fallbackReason ? `\n  (not faster because: ${backend.fallbackReason})` : ""),
  );

  docstringExample();

  heading("2. A small preset built here: random weights + the committed SentencePiece vocabulary");
  const dir = outDir("demo_preset");
  rmSync(dir, { recursive: true, force: true });
  const built = await buildSmallPreset(dir);
  built.dispose();
  console.log(
    `${SMALL_ALBERT.numLayers} layers x ${SMALL_ALBERT.hiddenDim} wide, ${SMALL_ALBERT.vocabularySize} pieces; saved with saveToPreset to ${path.relative(REPO_ROOT, dir)}`,
  );
  const backbone = await AlbertBackbone.fromPreset(dir);
  const preprocessor = await AlbertPreprocessor.fromPreset(dir, { lowercase: true });
  console.log(
    `reloaded: AlbertBackbone.fromPreset (${backbone.countParams().toLocaleString("en-US")} parameters), ` +
      `AlbertPreprocessor.fromPreset (sequence length ${preprocessor.sequenceLength})`,
  );

  heading(
    "3. Sentences -> tokenizer -> preprocessor -> backbone -> cosine similarity (mean pooling)",
  );
  console.log(`pieces of [1]: ${preprocessor.tokenizer.tokenizeToPieces(SENTENCES[0]!).join(" ")}`);
  const packed = preprocessor.call(SENTENCES);
  const { sequenceOutput, pooledOutput } = backbone.predict(packed);
  const pooled = tf.tidy(() => {
    const mask = tf.tensor2d(packed.paddingMask, undefined, "float32");
    return tf.div(tf.sum(tf.mul(sequenceOutput, tf.expandDims(mask, 2)), 1), tf.sum(mask, 1, true));
  });
  const embeddings = pooled.arraySync() as number[][];
  tf.dispose([sequenceOutput, pooledOutput, pooled]);
  console.log(similarityTable(SENTENCES, embeddings));
  console.log(
    "(random weights: the numbers show the pipeline working end to end, not meaning; real weights below)",
  );

  heading("4. The same from the command line");
  const preset = path.relative(REPO_ROOT, dir);
  const args = ["encode", "--preset", preset, "--pooling", "mean", "--lowercase", SENTENCES[0]!];
  console.log(
    `$ pnpm albert ${args.map((a) => (a.includes(" ") ? JSON.stringify(a) : a)).join(" ")}`,
  );
  const start = performance.now();
  const line = execFileSync(process.execPath, [albertBin(), ...args], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  });
  const fromCli = JSON.parse(line) as { tokens: number; embedding: number[] };
  console.log(`${line.slice(0, 110)}...  (${ms(start)}, including loading TensorFlow)`);
  const difference = maxAbsDiff(fromCli.embedding, embeddings[0]!);
  console.log(`same embedding as the library: max difference ${difference.toExponential(1)}`);
  check(difference < 1e-5, `the CLI's embedding differs from the library's by ${difference}`);
  backbone.dispose();

  heading("5. Real weights (needs the network once; cached under ~/.cache/albert or ALBERT_HOME)");
  console.log(
    [
      'pnpm albert encode --preset albert_base_en_uncased "The quick brown fox."   # from Kaggle, falling back to HF',
      'pnpm albert encode --preset hf://albert/albert-base-v2 --pooling mean --normalize "..."',
      "pnpm albert presets                  # the four published presets, and which are cached",
      "pnpm albert doctor                   # backends and native TensorFlow provisioning",
      "pnpm examples                        # the runnable examples in examples/src",
    ].join("\n"),
  );
  console.log("\ndemo finished");
}

main().catch(fail);
