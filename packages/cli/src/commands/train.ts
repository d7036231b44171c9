import { Option, type Command } from "commander";
import { addBackendOptions, type BackendOptions } from "../backend-options.js";
import type { Io } from "../io/streams.js";
import { integerAtLeast, numberIn, positiveInteger } from "../parse.js";
import { addPresetSourceOptions, LOWERCASE_HELP, type PresetSourceOptions } from "../preset-options.js";
import type { Reporter } from "../reporter.js";
import { DATA_FORMATS, type DataFormat } from "../train/training-data.js";

export interface TrainOptions extends PresetSourceOptions, BackendOptions {
  preset: string;
  output: string;
  force: boolean;
  format?: DataFormat;
  textColumn: string;
  textPairColumn?: string;
  labelColumn: string;
  labels?: string[];
  epochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: "adam" | "adamw";
  weightDecay?: number;
  dropout: number;
  sequenceLength?: number;
  validationSplit?: number;
  validationFile?: string;
  seed: number;
  shuffle: boolean;
  freezeBackbone: boolean;
  lowercase?: boolean;
  quiet: boolean;
}

/** Keras' AdamW default. */
export const DEFAULT_WEIGHT_DECAY = 0.004;

const DESCRIPTION =
  "Fine-tunes a text classifier (KerasHub's AlbertTextClassifier) on labelled examples from a CSV, TSV or JSON lines file, " +
  "and saves it as a KerasHub task preset. Prints one JSON summary line.";

const DETAILS = `
Data (FILE, or - for stdin with --format):
  CSV or TSV with a header row, or JSON lines; one example per row:
    text,label                            text,text_pair,label
    "A gripping, funny film.",positive    What is ALBERT?,A lite BERT.,yes
    {"text": "A gripping, funny film.", "label": "positive"}
  Column names (keys in JSON lines) are text, text_pair (optional: sentence
  pairs) and label unless --text-column, --text-pair-column, --label-column
  say otherwise. Labels are class names: they become ids 0, 1, ... in sorted
  order (numerically when all are integers), or in the order of --labels, and
  the saved preset keeps them (id2label), so its predictions have names.

Training:
  Adam (or AdamW with --optimizer adamw; LayerNorm weights and biases are not
  decayed) at --learning-rate, sparse categorical cross-entropy from logits, as
  KerasHub's defaults. A new classification head on the preset's backbone;
  --freeze-backbone trains the head alone. --seed fixes the validation split,
  the order of the examples in each epoch, the head's initial weights and the
  dropout masks: the same seed repeats a run.

Output:
  --output DIR gets KerasHub's task layout (task.json, task.weights.h5,
  preprocessor and tokenizer files, the backbone), which Python KerasHub's
  AlbertTextClassifier.from_preset loads. stdout gets one JSON line:
    {"output": DIR, "labels": [...], "examples": {"train": N, "validation": M},
     "epochs": E, "batch_size": B, "steps_per_epoch": S,
     "final": {"loss": L, "sparse_categorical_accuracy": A, "val_loss": ..., ...},
     "history": {"loss": [one per epoch], ...}, "seconds": T}
  stderr gets a progress bar per epoch on a terminal (--quiet: none).

Examples:
  $ albert train reviews.csv --preset albert_base_en_uncased --output ./reviews_classifier \\
      --epochs 3 --batch-size 16 --learning-rate 5e-5 --validation-split 0.1
  $ albert train pairs.jsonl --preset ./my_preset --output ./pairs --validation-file dev.jsonl \\
      --optimizer adamw --weight-decay 0.01 --freeze-backbone`;

function labelList(value: string): string[] {
  return value.split(",").map((label) => label.trim());
}

export function trainCommand(program: Command, io: Io, reporter: Reporter): Command {
  const command = program
    .command("train")
    .summary("fine-tune a text classifier (KerasHub task preset out)")
    .description(DESCRIPTION)
    .argument("<file>", "labelled examples: .csv, .tsv or .jsonl ('-' for stdin)")
    .requiredOption(
      "-p, --preset <handle>",
      "base preset: built-in name, directory, hf://org/name or kaggle://...",
    )
    .requiredOption(
      "-o, --output <dir>",
      "where to save the trained classifier (a new or empty folder)",
    )
    .option("--force", "write into --output even if it is not empty", false)
    .addOption(
      new Option("--format <format>", "the file's format (default: from its extension)").choices([
        ...DATA_FORMATS,
      ]),
    )
    .option("--text-column <name>", "column (JSON key) of the texts", "text")
    .option(
      "--text-pair-column <name>",
      "column of the second texts of sentence pairs (default text_pair, when present)",
    )
    .option("--label-column <name>", "column of the labels", "label")
    .option(
      "--labels <list>",
      "the class names in id order, comma-separated (default: sorted)",
      labelList,
    )
    .addOption(
      new Option("--epochs <n>", "passes over the training data")
        .argParser(positiveInteger)
        .default(3),
    )
    .addOption(
      new Option("--batch-size <n>", "examples per training step")
        .argParser(positiveInteger)
        .default(32),
    )
    .addOption(
      new Option("--learning-rate <rate>", "the optimizer's learning rate")
        .argParser(numberIn(0, 1, "a learning rate > 0 and <= 1", { min: true }))
        .default(1e-5, "1e-5, KerasHub's for the task"),
    )
    .addOption(
      new Option("--optimizer <name>", "adam, or adamw (decoupled weight decay)")
        .choices(["adam", "adamw"])
        .default("adam"),
    )
    .addOption(
      new Option(
        "--weight-decay <rate>",
        `AdamW's weight decay (default ${DEFAULT_WEIGHT_DECAY}, Keras'); needs --optimizer adamw`,
      ).argParser(numberIn(0, 1, "a weight decay >= 0 and < 1", { max: true })),
    )
    .addOption(
      new Option("--dropout <rate>", "dropout before the classification head while training")
        .argParser(numberIn(0, 1, "a dropout rate >= 0 and < 1", { max: true }))
        .default(0.1),
    )
    .addOption(
      new Option(
        "--sequence-length <n>",
        "tokens per example, longer ones truncated (default: the preset's preprocessor, at most the model's maximum)",
      ).argParser(integerAtLeast(2, " (room for [CLS] and [SEP])")),
    )
    .addOption(
      new Option(
        "--validation-split <fraction>",
        "hold out this fraction of the examples (chosen with --seed) and evaluate on it after each epoch",
      ).argParser(numberIn(0, 1, "a fraction > 0 and < 1", { min: true, max: true })),
    )
    .option("--validation-file <file>", "evaluate on these examples after each epoch (same format)")
    .addOption(
      new Option("--seed <n>", "seed of the split, the shuffling, the head's initial weights and dropout")
        .argParser(integerAtLeast(0))
        .default(0),
    )
    .option("--no-shuffle", "train on the examples in file order in every epoch")
    .option("--freeze-backbone", "train the classification head only", false)
    .option(
      "--lowercase",
      LOWERCASE_HELP,
    )
    .option("--no-lowercase", "do not lowercase (KerasHub's exact ids)")
    .option("-q, --quiet", "no progress bar", false);
  addBackendOptions(command);
  addPresetSourceOptions(command);
  command.addHelpText("after", DETAILS);
  return command.action(async (file: string, options: TrainOptions) => {
    // Loaded on use, so `--help` and usage errors do not wait for TF.js to load.
    const { runTrain } = await import("../train/run-train.js");
    await runTrain(file, options, io, reporter);
  });
}
