import { describe, expect, it } from "vitest";
import { checkKnownLabels, classLabels, splitExamples } from "./labels.js";
import type { Dataset } from "./training-data.js";

describe("labels", () => {
  const dataset = (labels: string[]): Dataset => ({
    source: "train.csv",
    pairs: false,
    examples: labels.map((label, i) => ({ text: `t${i}`, label, line: i + 2 })),
  });

  it("sorts names by code point, and integers as numbers", () => {
    expect(classLabels(dataset(["pos", "neg", "Neutral", "pos"]))).toEqual([
      "Neutral",
      "neg",
      "pos",
    ]);
    expect(classLabels(dataset(["10", "2", "1", "2"]))).toEqual(["1", "2", "10"]);
  });

  it("--labels fixes the order, and every training label must be in it", () => {
    expect(classLabels(dataset(["pos", "neg"]), ["pos", "neg", "neutral"])).toEqual([
      "pos",
      "neg",
      "neutral",
    ]);
    expect(() => classLabels(dataset(["pos", "neg", "meh"]), ["pos", "neg"])).toThrow(
      'train.csv line 4: label "meh" is not one of the classes (--labels: "pos", "neg")',
    );
    expect(() => classLabels(dataset(["pos", "neg"]), ["pos", "neg", "pos"])).toThrow(
      '--labels names "pos" twice',
    );
  });

  it("needs two classes", () => {
    expect(() => classLabels(dataset(["pos", "pos"]))).toThrow(
      'train.csv has only one label, "pos": a classifier needs examples of two classes or more',
    );
  });

  it("validation labels must be training labels, named by line", () => {
    expect(() =>
      checkKnownLabels(dataset(["pos", "neutral"]), ["neg", "pos"], "the labels of train.csv"),
    ).toThrow(
      'train.csv line 3: label "neutral" is not one of the classes (the labels of train.csv: "neg", "pos")',
    );
  });
});

describe("validation split", () => {
  const examples = Array.from({ length: 10 }, (_, i) => ({
    text: `t${i}`,
    label: "x",
    line: i + 2,
  }));

  it("holds out what Keras' validation_split holds out, chosen as Python's random.shuffle with the seed", () => {
    // Python: random.seed(0); a = list(range(10)); random.shuffle(a) -> [7, 8, 1, 5, 3, 4, 2, 0, 9, 6];
    // floor(10 * 0.8) = 8 examples train, the last two of the shuffled order validate.
    const { train, validation } = splitExamples(examples, 0.2, 0);
    expect(validation.map((e) => e.text)).toEqual(["t6", "t9"]);
    expect(train.map((e) => e.text)).toEqual(["t0", "t1", "t2", "t3", "t4", "t5", "t7", "t8"]);
  });

  it("is the same for the same seed and differs for another", () => {
    const a = splitExamples(examples, 0.3, 42).validation.map((e) => e.line);
    expect(splitExamples(examples, 0.3, 42).validation.map((e) => e.line)).toEqual(a);
    expect(splitExamples(examples, 0.3, 43).validation.map((e) => e.line)).not.toEqual(a);
  });

  it("refuses a split that leaves either part empty", () => {
    expect(() => splitExamples(examples.slice(0, 1), 0.5, 0)).toThrow(
      "--validation-split 0.5 of 1 examples leaves 0 for training and 1 for validation; each needs at least one",
    );
  });
});
