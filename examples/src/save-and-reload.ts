/**
 * Save and reload a preset, bit for bit.
 *
 * 1. A model with random weights -> `saveToPreset` -> `fromPreset`: every weight and both
 *    outputs identical to the bit.
 * 2. A preset KerasHub saved (testdata/keras/grouped: 3 groups x 2 inner layers over 6 layers)
 *    -> loaded -> saved again here -> reloaded: identical weights, and outputs within 1e-4 of
 *    KerasHub's own expected outputs.
 * The folders written are KerasHub's layout (config.json, model.weights.h5, metadata.json):
 * Python's `keras_hub.models.AlbertBackbone.from_preset(dir)` loads them too.
 */
import { readFileSync, readdirSync, rmSync } from "node:fs";
import { AlbertBackbone, tf } from "@albert/core";
import { readPreset } from "@albert/presets";
import { bitIdentical, check, fail, maxAbsDiff } from "./lib/check.js";
import { outDir, testdata } from "./lib/paths.js";

/** Whether two models hold the same weights, bit for bit; returns the first difference. */
function weightDifference(a: AlbertBackbone, b: AlbertBackbone): string | undefined {
  const x = a.getWeightMap();
  const y = b.getWeightMap();
  if (x.size !== y.size) return `${x.size} vs ${y.size} weights`;
  for (const [name, w] of x) {
    const other = y.get(name);
    if (other === undefined) return `${name} missing`;
    if (!bitIdentical(w.data, other.data)) return `${name} differs`;
  }
  return undefined;
}

function outputs(
  model: AlbertBackbone,
  inputs: { tokenIds: number[][]; segmentIds: number[][]; paddingMask: number[][] },
) {
  const { sequenceOutput, pooledOutput } = model.predict(inputs);
  const result = {
    sequence: sequenceOutput.dataSync() as Float32Array,
    pooled: pooledOutput.dataSync() as Float32Array,
  };
  tf.dispose([sequenceOutput, pooledOutput]);
  return result;
}

async function roundTripRandomModel(): Promise<void> {
  console.log("1. random weights -> saveToPreset -> fromPreset");
  const model = new AlbertBackbone({
    vocabularySize: 500,
    numLayers: 4,
    numHeads: 4,
    numGroups: 2,
    numInnerRepetitions: 1,
    embeddingDim: 16,
    hiddenDim: 64,
    intermediateDim: 128,
    maxSequenceLength: 32,
  });
  const dir = outDir("saved_random");
  rmSync(dir, { recursive: true, force: true });
  await model.saveToPreset(dir);
  console.log(`   wrote ${readdirSync(dir).sort().join(", ")}`);
  const reloaded = await AlbertBackbone.fromPreset(dir);
  const difference = weightDifference(model, reloaded);
  check(difference === undefined, `weights identical after reload (${difference})`);
  check(JSON.stringify(reloaded.getConfig()) === JSON.stringify(model.getConfig()), "same config");
  const inputs = {
    tokenIds: [
      [2, 17, 301, 45, 3, 0],
      [2, 99, 3, 0, 0, 0],
    ],
    segmentIds: [
      [0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0],
    ],
    paddingMask: [
      [1, 1, 1, 1, 1, 0],
      [1, 1, 1, 0, 0, 0],
    ],
  };
  const [a, b] = [outputs(model, inputs), outputs(reloaded, inputs)];
  check(
    bitIdentical(a.sequence, b.sequence) && bitIdentical(a.pooled, b.pooled),
    "outputs bit-identical",
  );
  console.log(
    `   ${model.countParams().toLocaleString("en-US")} parameters: weights and outputs identical to the bit`,
  );
  model.dispose();
  reloaded.dispose();
}

async function roundTripKerasHubPreset(): Promise<void> {
  console.log("2. a preset saved by KerasHub -> fromPreset -> saveToPreset -> fromPreset");
  const source = testdata("keras", "grouped");
  const original = await AlbertBackbone.fromPreset(source);
  const dir = outDir("resaved_grouped");
  rmSync(dir, { recursive: true, force: true });
  await original.saveToPreset(dir);
  const reloaded = await AlbertBackbone.fromPreset(dir);
  const difference = weightDifference(original, reloaded);
  check(difference === undefined, `weights identical after re-saving (${difference})`);
  const written = await readPreset(dir);
  console.log(
    `   re-saved as format "${written.format}", ${written.weights.size} weights, config ${JSON.stringify(written.config).length} bytes`,
  );

  const raw = JSON.parse(readFileSync(testdata("keras", "grouped", "inputs.json"), "utf8")) as {
    token_ids: number[][];
    segment_ids: number[][];
    padding_mask: number[][];
  };
  const expected = JSON.parse(
    readFileSync(testdata("keras", "grouped", "expected.json"), "utf8"),
  ) as {
    pooled_output: number[][];
  };
  const ours = outputs(reloaded, {
    tokenIds: raw.token_ids,
    segmentIds: raw.segment_ids,
    paddingMask: raw.padding_mask,
  });
  const diff = maxAbsDiff(ours.pooled, expected.pooled_output.flat());
  console.log(`   pooled_output vs KerasHub's: max difference ${diff.toExponential(1)}`);
  check(diff < 1e-4, "within 1e-4 of KerasHub");
  original.dispose();
  reloaded.dispose();
}

async function main(): Promise<void> {
  await roundTripRandomModel();
  await roundTripKerasHubPreset();
  console.log("save-and-reload: ok");
}

main().catch(fail);
