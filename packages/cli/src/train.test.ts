import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { AlbertTextClassifier, tf } from "@albert/core";
import { readPreset } from "@albert/presets";
import { testdataPath } from "@albert/test-utils";
import { expectOneLineError, jsonLines, runCli, tempDir } from "./test-utils/run-cli.js";
import { splitExamples } from "./train/labels.js";
import { DEFAULT_COLUMNS, parseDataset } from "./train/training-data.js";

/** A KerasHub preset with a tokenizer (1000 pieces, sequence length 16, dropout 0), committed. */
const PRESET = testdataPath("tokenizer");

interface Summary {
  output: string;
  preset: string;
  labels: string[];
  examples: { train: number; validation: number };
  epochs: number;
  batch_size: number;
  steps_per_epoch: number;
  final: Record<string, number>;
  history: Record<string, number[]>;
  seconds: number;
}

const tmp = tempDir("train");
afterAll(() => tmp.cleanup());

/** Writes a file into the temporary folder and returns its path. */
function file(name: string, content: string): string {
  const p = path.join(tmp.dir, name);
  writeFileSync(p, content);
  return p;
}

/** Short reviews whose label is in their words, so even the tiny random model can learn it. */
const GOOD = ["a great film", "i loved it", "wonderful acting", "the best story", "fun and good"];
const BAD = ["a bad film", "i hated it", "terrible acting", "the worst story", "dull and boring"];
const REVIEWS = Array.from({ length: 24 }, (_, i) =>
  i % 2 === 0
    ? { text: `${GOOD[i % 5]} ${i}`, label: "positive" }
    : { text: `${BAD[i % 5]} ${i}`, label: "negative" },
);
const REVIEWS_CSV = `text,label\n${REVIEWS.map((r) => `"${r.text}",${r.label}`).join("\n")}\n`;

/** Training options every run here shares: small batches, a learning rate the tiny model
 * notices, no dropout (so a seed repeats a run exactly). */
const FAST = [
  "--preset",
  PRESET,
  "--epochs",
  "2",
  "--batch-size",
  "4",
  "--learning-rate",
  "1e-3",
  "--dropout",
  "0",
];

describe("albert train on a committed preset", () => {
  it("CSV with a validation split: the saved preset has the labels and evaluates to the reported figures", async () => {
    const data = file("reviews.csv", REVIEWS_CSV);
    const out = path.join(tmp.dir, "reviews_classifier");
    const args = [
      "train",
      data,
      ...FAST,
      "--validation-split",
      "0.25",
      "--seed",
      "7",
      "--output",
      out,
    ];
    const r = await runCli(args);
    expect(r.stderr).toBe(""); // not a terminal: no progress bar
    expect(r.code).toBe(0);
    const [summary, ...rest] = jsonLines<Summary>(r.stdout);
    expect(rest).toEqual([]);
    expect(summary).toMatchObject({
      output: out,
      preset: PRESET,
      labels: ["negative", "positive"],
      examples: { train: 18, validation: 6 },
      epochs: 2,
      batch_size: 4,
      steps_per_epoch: 5,
    });
    expect(Object.keys(summary!.history).sort()).toEqual([
      "loss",
      "sparse_categorical_accuracy",
      "val_loss",
      "val_sparse_categorical_accuracy",
    ]);
    for (const values of Object.values(summary!.history)) expect(values).toHaveLength(2);
    expect(summary!.final["val_loss"]).toBe(summary!.history["val_loss"]![1]);
    for (const name of [
      "task.json",
      "task.weights.h5",
      "preprocessor.json",
      "tokenizer.json",
      "config.json",
      "model.weights.h5",
    ]) {
      expect(existsSync(path.join(out, name))).toBe(true);
    }

    // The held-out examples are the ones `--seed 7` picks; the saved classifier scores them as
    // the last epoch's validation did.
    const parsed = parseDataset(readFileSync(data), "csv", data, DEFAULT_COLUMNS);
    const { validation } = splitExamples(parsed.examples, 0.25, 7);
    const classifier = await AlbertTextClassifier.fromPreset(out);
    try {
      expect(classifier.id2label).toEqual({ 0: "negative", 1: "positive" });
      const before = tf.memory().numTensors;
      const scores = await classifier.evaluate(
        validation.map((e) => e.text),
        validation.map((e) => e.label),
        { batchSize: 4 },
      );
      expect(tf.memory().numTensors).toBe(before);
      expect(scores["loss"]).toBeCloseTo(summary!.final["val_loss"]!, 5);
      expect(Math.fround(scores["sparse_categorical_accuracy"]!)).toBe(
        Math.fround(summary!.final["val_sparse_categorical_accuracy"]!),
      );
    } finally {
      classifier.dispose();
    }

    // The same seed gives the same run.
    const again = await runCli([...args.slice(0, -1), path.join(tmp.dir, "reviews_again")]);
    expect(again.code).toBe(0);
    expect(jsonLines<Summary>(again.stdout)[0]!.history).toEqual(summary!.history);
  });

  it("JSON lines sentence pairs, --labels, AdamW, a validation file, --freeze-backbone: only the head changes", async () => {
    const pairs = REVIEWS.map((r, i) => ({
      text: `review ${i}`,
      text_pair: r.text,
      label: r.label,
    }));
    const lines = (rows: typeof pairs) => rows.map((row) => JSON.stringify(row)).join("\n") + "\n";
    const train = file("pairs.jsonl", lines(pairs.slice(0, 20)));
    const dev = file("dev.jsonl", lines(pairs.slice(20)));
    const out = path.join(tmp.dir, "pairs_classifier");
    const r = await runCli([
      "train",
      train,
      ...FAST,
      "--labels",
      "positive,negative",
      "--optimizer",
      "adamw",
      "--weight-decay",
      "0.01",
      "--validation-file",
      dev,
      "--freeze-backbone",
      "--output",
      out,
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(jsonLines<Summary>(r.stdout)[0]).toMatchObject({
      labels: ["positive", "negative"],
      examples: { train: 20, validation: 4 },
    });
    const [base, trained] = await Promise.all([readPreset(PRESET), readPreset(out)]);
    expect([...trained.weights.keys()]).toEqual([...base.weights.keys()]);
    for (const [name, weight] of base.weights)
      expect(trained.weights.get(name)!.data).toEqual(weight.data);
    const classifier = await AlbertTextClassifier.fromPreset(out);
    try {
      expect(classifier.id2label).toEqual({ 0: "positive", 1: "negative" });
      expect(classifier.preprocessor).not.toBeNull();
    } finally {
      classifier.dispose();
    }
  });

  it("--verbose prints each epoch's figures on stderr", async () => {
    const data = file("verbose.csv", REVIEWS_CSV);
    const r = await runCli([
      "train",
      data,
      ...FAST,
      "--epochs",
      "1",
      "--output",
      path.join(tmp.dir, "verbose"),
      "--verbose",
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /^albert: epoch 1\/1: loss \d\.\d{4}, accuracy \d\.\d{4} \(\d+\.\d s\)$/m,
    );
  });
});

describe("albert train: bad input names the file, line or option", () => {
  const out = () => path.join(tmp.dir, `out-${Math.random().toString(36).slice(2)}`);

  const cases: [string, () => string[], number, RegExp][] = [
    ["an empty file", () => [file("empty.csv", "")], 2, /^no examples: .*empty\.csv is empty$/],
    [
      "a header and no rows",
      () => [file("header.csv", "text,label\n")],
      2,
      /header\.csv has a header row and no examples$/,
    ],
    [
      "a row without a label",
      () => [file("nolabel.csv", "text,label\ngood film,positive\nbad film,\n")],
      1,
      /nolabel\.csv line 3: the label \("label"\) is missing$/,
    ],
    [
      "a validation label the training data does not have",
      () => [
        file("t.csv", REVIEWS_CSV),
        "--validation-file",
        file("v.csv", "text,label\nfine,positive\nso so,neutral\n"),
      ],
      1,
      /v\.csv line 3: label "neutral" is not one of the classes \(the labels of .*t\.csv: "negative", "positive"\)$/,
    ],
    [
      "a non-numeric --epochs",
      () => [file("a.csv", REVIEWS_CSV), "--epochs", "three"],
      2,
      /--epochs <n>' argument 'three' is invalid/,
    ],
    [
      "a non-numeric --learning-rate",
      () => [file("a.csv", REVIEWS_CSV), "--learning-rate", "fast"],
      2,
      /--learning-rate <rate>' argument 'fast' is invalid\. expected a learning rate > 0 and <= 1, got "fast"/,
    ],
    [
      "--validation-split outside (0, 1)",
      () => [file("a.csv", REVIEWS_CSV), "--validation-split", "1.5"],
      2,
      /--validation-split <fraction>' argument '1\.5' is invalid\. expected a fraction > 0 and < 1/,
    ],
    [
      "--weight-decay without AdamW",
      () => [file("a.csv", REVIEWS_CSV), "--weight-decay", "0.01"],
      2,
      /^--weight-decay needs --optimizer adamw$/,
    ],
    [
      "both validation options",
      () => [
        file("a.csv", REVIEWS_CSV),
        "--validation-split",
        "0.1",
        "--validation-file",
        file("b.csv", REVIEWS_CSV),
      ],
      2,
      /^give --validation-split or --validation-file, not both$/,
    ],
    [
      "a file of unknown format",
      () => [file("data.txt", "a\n")],
      2,
      /^FILE .*data\.txt: cannot tell its format from the name$/,
    ],
    [
      "a missing file",
      () => [path.join(tmp.dir, "nope.csv")],
      2,
      /^FILE .*nope\.csv: no such file$/,
    ],
    [
      "one class only",
      () => [file("one.csv", "text,label\na,x\nb,x\n")],
      1,
      /has only one label, "x": a classifier needs examples of two classes or more$/,
    ],
    [
      "a header without the text column",
      () => [file("cols.csv", "sentence,label\na,x\n")],
      1,
      /cols\.csv line 1: the header row has no column "text" \(it has "sentence", "label"\)$/,
    ],
  ];

  it.each(cases)("%s", async (_name, args, code, message) => {
    const dir = out();
    const r = await runCli(["train", ...args(), "--preset", PRESET, "--output", dir]);
    expect(r.stdout).toBe("");
    expect(r.code).toBe(code);
    const error = expectOneLineError(r.stderrLines);
    expect(error.message).toMatch(message);
    expect(error.hint).toBeDefined();
    expect(existsSync(dir)).toBe(false);
  });

  it("--output that is not empty is refused before training, and left as it was", async () => {
    const dir = path.join(tmp.dir, "taken");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "notes.txt"), "mine");
    const r = await runCli([
      "train",
      file("a.csv", REVIEWS_CSV),
      "--preset",
      PRESET,
      "--output",
      dir,
    ]);
    expect(r.code).toBe(2);
    expect(expectOneLineError(r.stderrLines)).toEqual({
      message: `--output ${dir} already exists and is not empty`,
      hint: "Choose a new folder, or pass --force to write into it.",
    });
    expect(readdirSync(dir)).toEqual(["notes.txt"]);
  });

  it("a failure after the output folder was made removes it (--sequence-length beyond the model)", async () => {
    const dir = out();
    const r = await runCli([
      "train",
      file("a.csv", REVIEWS_CSV),
      "--preset",
      PRESET,
      "--output",
      dir,
      "--sequence-length",
      "64",
    ]);
    expect(r.code).toBe(2);
    expect(expectOneLineError(r.stderrLines)).toEqual({
      message: "--sequence-length 64 is longer than the model's max_sequence_length 16",
      hint: "Use --sequence-length 16 or less.",
    });
    expect(existsSync(dir)).toBe(false);
  });
});
