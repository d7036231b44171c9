/** The KerasHub task fixtures under testdata/tasks/keras, in our API's names (tests only). */
import path from "node:path";
import { expect } from "vitest";
import { PARITY_TOLERANCE, maxAbsDiff, readJson, testdataPath, type Nested } from "@albert/test-utils";
import { describeKerasVarGroups, readKerasVarGroups, readPreset } from "@albert/presets";
import { expectNoLeaks } from "../../test-utils/index.js";
import type { tf } from "../../tf.js";
import type { PackedTaskInputs } from "../packed-inputs.js";

export const CLASSIFIER_DIR = testdataPath("tasks", "keras", "classifier");
export const MASKED_LM_DIR = testdataPath("tasks", "keras", "masked_lm");
export const FINETUNE_DIR = testdataPath("tasks", "keras", "finetune");
export const FINETUNE_RUNS = ["compile_defaults", "adam_lr1e-3", "adamw_lr1e-3"] as const;

interface RawPacked {
  token_ids: number[][];
  segment_ids: number[][];
  padding_mask: number[][];
  mask_positions?: number[][];
}

export function packed(raw: RawPacked): PackedTaskInputs {
  return {
    tokenIds: raw.token_ids,
    segmentIds: raw.segment_ids,
    paddingMask: raw.padding_mask,
    ...(raw.mask_positions ? { maskPositions: raw.mask_positions } : {}),
  };
}

export function fixtureJson<T>(dir: string, file: string): T {
  return readJson<T>(path.join(dir, file));
}

export interface FinetuneSplit extends RawPacked {
  texts: string[];
  labels: number[];
}

export interface Trajectory {
  steps: { epoch: number; batch: number; step: number; batch_loss: number; keras_logs: Record<string, number> }[];
  epoch_logs: Record<string, number>[];
  evaluate_heldout: Record<string, number>;
  evaluate_train: Record<string, number>;
  heldout_logits_after: number[][];
}

/**
 * A `.weights.h5` file's layout in the format of the fixtures' `weights-layout.txt` (every
 * `vars` group with its layer name and variable count, every dataset with shape and dtype,
 * sorted as h5py lists them).
 */
export async function weightsLayout(file: string): Promise<string> {
  const groups = await describeKerasVarGroups(file);
  const shape = (s: number[]) => (s.length === 1 ? `(${s[0]},)` : `(${s.join(", ")})`);
  const entries: [string, string][] = [];
  for (const { group, layerName, vars } of groups) {
    const g = group === "" ? "vars" : `${group}/vars`;
    entries.push([`${g}/`, `# group ${g}  (layer name: '${layerName}', ${vars.length} vars)`]);
    vars.forEach((v, i) => entries.push([`${g}/${i}`, `${g}/${i}  shape=${shape(v.shape)}  dtype=${v.dtype}`]));
  }
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return entries.map(([, line]) => line).join("\n");
}

/** Both inference engines on native TensorFlow: the graph, and op by op (`ALBERT_GRAPH=0`). */
export const ENGINES = [
  { engine: "graph", graph: "1" },
  { engine: "eager", graph: "0" },
] as const;

/** Both ways `fit` trains on native TensorFlow: the train graph, and op by op on the tape
 * (`ALBERT_TRAIN_GRAPH=0`), with the `trainingEngine` each reports. */
export const TRAINING_ENGINES = [
  { engine: "graph", flag: "1", reports: /^graph$/ },
  { engine: "tape", flag: "0", reports: /^tape \(ALBERT_TRAIN_GRAPH=0\)$/ },
] as const;

/** Runs `fn` with `ALBERT_TRAIN_GRAPH` set to `flag`, checking that it leaves no tensor behind. */
export async function onTrainingEngine<T>(flag: string, fn: () => Promise<T>): Promise<T> {
  process.env["ALBERT_TRAIN_GRAPH"] = flag;
  try {
    return await expectNoLeaks(fn);
  } finally {
    delete process.env["ALBERT_TRAIN_GRAPH"];
  }
}

/** Runs `fn` with `ALBERT_GRAPH` set to `graph`, checking that it leaves no tensor behind. */
export async function onEngine(graph: string, fn: () => Promise<void>): Promise<void> {
  process.env["ALBERT_GRAPH"] = graph;
  try {
    await expectNoLeaks(fn);
  } finally {
    delete process.env["ALBERT_GRAPH"];
  }
}

/** Checks a task's output against a fixture's values at the parity tolerance, logs the
 * difference, and disposes the output. */
export function expectWithin(output: tf.Tensor, expected: Nested, label: string): void {
  const diff = maxAbsDiff(output.dataSync(), expected);
  output.dispose();
  console.log(`${label}: max |diff| ${diff.toExponential(2)}`);
  expect(diff).toBeLessThanOrEqual(PARITY_TOLERANCE);
}

/**
 * Compares every variable of a trained task with a KerasHub run's saved preset (`config.json` +
 * `model.weights.h5` for the backbone; `heads` maps `task.weights.h5` groups to the task's
 * variable paths) at the fixtures' bounds: 1e-5, attention key biases (exact gradient 0, moved
 * by float noise alone) 1e-4. Returns both maximum differences.
 */
export async function expectTrainedWeights(
  weights: readonly { path: string; variable: tf.Variable }[],
  dir: string,
  heads: Record<string, string[]>,
): Promise<{ weightDiff: number; keyBiasDiff: number }> {
  const trained = (await readPreset(dir)).weights;
  for (const g of await readKerasVarGroups(path.join(dir, "task.weights.h5"))) {
    heads[g.group]?.forEach((name, i) => trained.set(name, g.vars[i] as { shape: number[]; data: Float32Array }));
  }
  let weightDiff = 0;
  let keyBiasDiff = 0;
  for (const w of weights) {
    const diff = maxAbsDiff(w.variable.dataSync(), trained.get(w.path)!.data);
    if (w.path.endsWith("/key/bias")) keyBiasDiff = Math.max(keyBiasDiff, diff);
    else weightDiff = Math.max(weightDiff, diff);
  }
  expect(weightDiff).toBeLessThanOrEqual(1e-5);
  expect(keyBiasDiff).toBeLessThanOrEqual(1e-4);
  return { weightDiff, keyBiasDiff };
}
