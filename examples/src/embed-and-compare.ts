/**
 * Embed sentences and compare them.
 *
 * Part 1 loads a preset KerasHub itself saved (testdata/tokenizer: a small ALBERT with a
 * SentencePiece tokenizer) and checks that text -> tokenizer -> preprocessor -> backbone gives
 * KerasHub's own pooled_output for the same texts (testdata/tokenizer/e2e_expected.json).
 * Part 2 embeds sentences with two poolings and prints cosine similarities, checking the
 * properties any embedding must have (self-similarity 1, symmetry, batch-independence).
 *
 *   pnpm --filter @albert/examples build && node examples/dist/embed-and-compare.js
 */
import { readFileSync } from "node:fs";
import { AlbertBackbone, tf } from "@albert/core";
import { AlbertPreprocessor } from "@albert/tokenizer";
import { check, fail, maxAbsDiff } from "./lib/check.js";
import { testdata } from "./lib/paths.js";
import { cosine, similarityTable } from "./lib/similarity.js";

interface KerasHubEndToEnd {
  inputs: string[];
  token_ids: number[][];
  pooled_output: number[][];
}

/** Embeddings of a batch: KerasHub's pooled_output, or the mask-weighted mean of sequence_output. */
function embed(
  backbone: AlbertBackbone,
  preprocessor: AlbertPreprocessor,
  texts: string[],
  pooling: "cls" | "mean",
): number[][] {
  const batch = preprocessor.call(texts);
  const { sequenceOutput, pooledOutput } = backbone.predict(batch);
  const result = tf.tidy(() => {
    if (pooling === "cls") return pooledOutput.arraySync();
    const mask = tf.tensor2d(batch.paddingMask, undefined, "float32");
    const summed = tf.sum(tf.mul(sequenceOutput, tf.expandDims(mask, 2)), 1);
    return tf.div(summed, tf.sum(mask, 1, true)).arraySync() as number[][];
  });
  tf.dispose([sequenceOutput, pooledOutput]);
  return result;
}

async function main(): Promise<void> {
  const preset = testdata("tokenizer");
  const backbone = await AlbertBackbone.fromPreset(preset);
  // lowercase: false is KerasHub's behaviour (its tokenizer does not lowercase).
  const preprocessor = await AlbertPreprocessor.fromPreset(preset, { lowercase: false });

  console.log("Part 1: the same numbers as KerasHub, from text");
  const reference = JSON.parse(
    readFileSync(testdata("tokenizer", "e2e_expected.json"), "utf8"),
  ) as KerasHubEndToEnd;
  const ids = preprocessor.call(reference.inputs).tokenIds;
  check(JSON.stringify(ids) === JSON.stringify(reference.token_ids), "token ids equal KerasHub's");
  const pooled = embed(backbone, preprocessor, reference.inputs, "cls");
  reference.inputs.forEach((text, i) => {
    const difference = maxAbsDiff(pooled[i]!, reference.pooled_output[i]!);
    console.log(
      `  ${JSON.stringify(text).padEnd(48)} max |ours - KerasHub| = ${difference.toExponential(1)}`,
    );
    check(difference < 1e-4, `pooled_output of ${JSON.stringify(text)} within 1e-4 of KerasHub's`);
  });

  console.log("\nPart 2: cosine similarities (random-weight model: the mechanics, not meaning)");
  const sentences = [
    "the weather is lovely today",
    "it is a lovely day today",
    "he plays the piano every evening",
    "she practices piano at night",
  ];
  for (const pooling of ["cls", "mean"] as const) {
    const vectors = embed(backbone, preprocessor, sentences, pooling);
    console.log(`\n${pooling} pooling:`);
    console.log(similarityTable(sentences, vectors));
    vectors.forEach((v, i) => {
      check(Math.abs(cosine(v, v) - 1) < 1e-6, "a sentence is identical to itself");
      vectors.forEach((w, j) =>
        check(Math.abs(cosine(v, w) - cosine(w, v)) < 1e-9, `symmetry ${i},${j}`),
      );
    });
    // An embedding must not depend on what else is in the batch.
    const alone = embed(backbone, preprocessor, [sentences[2]!], pooling)[0]!;
    const difference = maxAbsDiff(alone, vectors[2]!);
    check(difference < 1e-5, `batch-independent (${difference})`);
  }
  backbone.dispose();
  console.log("\nembed-and-compare: ok");
}

main().catch(fail);
