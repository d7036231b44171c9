/**
 * Class labels and the validation split of `albert train`: which names become which class ids
 * (kept in the saved preset as `id2label`), and which examples are held out.
 */
import { PythonRandom } from "@albert/tokenizer";
import { CliError } from "../errors.js";
import { InputLineError } from "../io/jsonl.js";
import type { Dataset, Example } from "./training-data.js";

const INTEGER = /^-?\d+$/;

/** Sorts label names: as numbers when every one is an integer (`2` before `10`), else by code
 * point, so the ids do not depend on the order of the file or on the machine's locale. */
function sortLabels(names: string[]): string[] {
  if (names.every((n) => INTEGER.test(n))) return names.sort((a, b) => Number(a) - Number(b));
  return names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The classes, in id order: `given` (`--labels`) as it is, else the training data's distinct
 * labels, sorted. Every training label must be one of them, and there must be two or more.
 */
export function classLabels(train: Dataset, given?: readonly string[]): string[] {
  if (given !== undefined) {
    const duplicate = given.find((label, i) => given.indexOf(label) !== i);
    if (duplicate !== undefined) {
      throw new CliError(
        `--labels names ${JSON.stringify(duplicate)} twice`,
        "Give each class once, in the order of its id: --labels negative,positive.",
      );
    }
    checkKnownLabels(train, given, "--labels");
  }
  const labels =
    given !== undefined ? [...given] : sortLabels([...new Set(train.examples.map((e) => e.label))]);
  if (labels.length < 2) {
    throw new CliError(
      `${train.source} has ${labels.length === 0 ? "no labels" : `only one label, ${JSON.stringify(labels[0])}`}: a classifier needs examples of two classes or more`,
      "Add examples of the other classes.",
    );
  }
  return labels;
}

/** Every example's label is one of `labels`; `from` says where the labels come from. */
export function checkKnownLabels(dataset: Dataset, labels: readonly string[], from: string): void {
  const known = new Set(labels);
  const unknown = dataset.examples.find((e) => !known.has(e.label));
  if (unknown !== undefined) {
    throw new InputLineError(
      dataset.source,
      unknown.line,
      `label ${JSON.stringify(unknown.label)} is not one of the classes (${from}: ${labels.map((l) => JSON.stringify(l)).join(", ")})`,
      from === "--labels"
        ? "Add the label to --labels, or fix the line."
        : "Validation examples can only have labels that the training data has: fix the line, or add training examples of that class.",
    );
  }
}

/**
 * Holds out a fraction of the examples for validation, chosen at random from `seed`: the
 * indices are shuffled as Python's `random.seed(seed); random.shuffle(indices)` shuffles them,
 * and the last `n - floor(n * (1 - fraction))` go to validation (as many as Keras'
 * `validation_split` holds out). Both parts keep the file's order.
 */
export function splitExamples(
  examples: readonly Example[],
  fraction: number,
  seed: number,
): { train: Example[]; validation: Example[] } {
  const n = examples.length;
  const trainCount = Math.floor(n * (1 - fraction));
  if (trainCount < 1 || trainCount >= n) {
    throw new CliError(
      `--validation-split ${fraction} of ${n} examples leaves ${trainCount} for training and ${n - trainCount} for validation; each needs at least one`,
      "Use more examples, another fraction, or a --validation-file.",
    );
  }
  const order = Array.from({ length: n }, (_, i) => i);
  new PythonRandom(seed).shuffle(order);
  const held = new Set(order.slice(trainCount));
  return {
    train: examples.filter((_, i) => !held.has(i)),
    validation: examples.filter((_, i) => held.has(i)),
  };
}
