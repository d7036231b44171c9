import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { Adam, AdamW, AlbertTextClassifier, type Optimizer } from "@albert/core";
import { chooseBackend } from "../backend-choice.js";
import { DEFAULT_WEIGHT_DECAY, type TrainOptions } from "../commands/train.js";
import { CliError, UsageError } from "../errors.js";
import { formatFloat32, toJson } from "../io/float32.js";
import { InputLineError } from "../io/jsonl.js";
import { readAll, writeText, type Io } from "../io/streams.js";
import { presetPreprocessor } from "../preset-preprocessor.js";
import { resolvePresetDir } from "../preset-resolve.js";
import type { Reporter } from "../reporter.js";
import { checkKnownLabels, classLabels, splitExamples } from "./labels.js";
import {
  formatFromName,
  parseDataset,
  type DataColumns,
  type DataFormat,
  type Dataset,
  type Example,
} from "./training-data.js";
import { trainingProgress } from "./training-progress.js";

/** AdamW leaves LayerNorm weights and biases undecayed (BERT's fine-tuning recipe). */
const NO_WEIGHT_DECAY = ["LayerNorm", "layer_norm", "bias"];

// === Reading the data ===

async function readDataset(
  file: string,
  option: string,
  format: DataFormat | undefined,
  columns: DataColumns,
  io: Io,
): Promise<Dataset> {
  const chosen = format ?? (file === "-" ? undefined : formatFromName(file));
  if (chosen === undefined) {
    throw new UsageError(
      `${option} ${file}: cannot tell its format from the name`,
      "Name it .csv, .tsv or .jsonl, or pass --format csv|tsv|jsonl.",
    );
  }
  let bytes: Uint8Array;
  if (file === "-") {
    if (io.stdin.isTTY === true) {
      throw new UsageError(
        "no input: FILE is - but stdin is a terminal",
        "Pipe the examples in, or give a file.",
      );
    }
    bytes = await readAll(io.stdin);
  } else {
    try {
      bytes = await readFile(path.resolve(io.cwd, file));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new UsageError(
        `${option} ${file}: ${code === "ENOENT" ? "no such file" : (error as Error).message}`,
        `Paths are relative to the current folder, ${io.cwd}.`,
      );
    }
  }
  const source = file === "-" ? "stdin" : file;
  const dataset = parseDataset(bytes, chosen, source, columns);
  if (dataset.examples.length === 0) {
    throw new UsageError(
      `no examples: ${source} ${bytes.length === 0 ? "is empty" : chosen === "jsonl" ? "holds only blank lines" : "has a header row and no examples"}`,
      "Give a file with one labelled example per line (see `albert train --help`).",
    );
  }
  return dataset;
}

/**
 * Training and validation examples, and the class names, from the command line's files. A bad
 * line is a failure of the run (exit 1), as in `albert encode`.
 */
async function readData(file: string, options: TrainOptions, io: Io) {
  try {
    return await readExamples(file, options, io);
  } catch (error) {
    if (error instanceof InputLineError) throw new CliError(error.message, error.hint);
    throw error;
  }
}

async function readExamples(file: string, options: TrainOptions, io: Io) {
  if (options.validationSplit !== undefined && options.validationFile !== undefined) {
    throw new UsageError(
      "give --validation-split or --validation-file, not both",
      "Hold out part of the training file, or evaluate on another file.",
    );
  }
  if (options.weightDecay !== undefined && options.optimizer !== "adamw") {
    throw new UsageError(
      "--weight-decay needs --optimizer adamw",
      "Adam has no weight decay: pass --optimizer adamw --weight-decay RATE.",
    );
  }
  const columns: DataColumns = {
    text: options.textColumn,
    textPair: options.textPairColumn ?? "text_pair",
    textPairRequired: options.textPairColumn !== undefined,
    label: options.labelColumn,
  };
  const all = await readDataset(file, "FILE", options.format, columns, io);
  const labels = classLabels(all, options.labels);
  let train: Example[] = all.examples;
  let validation: Example[] | undefined;
  if (options.validationFile !== undefined) {
    const dataset = await readDataset(
      options.validationFile,
      "--validation-file",
      options.format,
      columns,
      io,
    );
    if (dataset.pairs !== all.pairs) {
      throw new CliError(
        `${dataset.source} has ${dataset.pairs ? "sentence pairs" : "single texts"} but ${all.source} has ${all.pairs ? "sentence pairs" : "single texts"}`,
        "Validation examples must be of the same kind as the training examples.",
      );
    }
    checkKnownLabels(
      dataset,
      labels,
      options.labels !== undefined ? "--labels" : `the labels of ${all.source}`,
    );
    validation = dataset.examples;
  } else if (options.validationSplit !== undefined) {
    ({ train, validation } = splitExamples(all.examples, options.validationSplit, options.seed));
  }
  return { train, validation, labels, pairs: all.pairs, source: all.source };
}

// === The model ===

function makeOptimizer(options: TrainOptions): Optimizer {
  return options.optimizer === "adamw"
    ? new AdamW({
        learningRate: options.learningRate,
        weightDecay: options.weightDecay ?? DEFAULT_WEIGHT_DECAY,
        excludeFromWeightDecay: { varNames: NO_WEIGHT_DECAY },
      })
    : new Adam({ learningRate: options.learningRate });
}

/** `fit`'s x for examples: texts, or `{ first, second }` sentence pairs. */
function inputsOf(examples: readonly Example[], pairs: boolean) {
  const first = examples.map((e) => e.text);
  return pairs ? { first, second: examples.map((e) => e.textPair!) } : first;
}

// === Output folder ===

/** Checks the output folder before any work: new, empty, or `--force`. Returns whether this
 * run creates it (and so removes it again if training fails). */
function prepareOutput(dir: string, force: boolean): boolean {
  if (existsSync(dir)) {
    if (readdirSync(dir).length > 0 && !force) {
      throw new UsageError(
        `--output ${dir} already exists and is not empty`,
        "Choose a new folder, or pass --force to write into it.",
      );
    }
    return false;
  }
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new UsageError(
      `--output ${dir}: cannot create it (${(error as Error).message})`,
      "Check that its parent folder is writable.",
    );
  }
  return true;
}

// === The command ===

export async function runTrain(
  file: string,
  options: TrainOptions,
  io: Io,
  reporter: Reporter,
): Promise<void> {
  const data = await readData(file, options, io);
  const output = path.resolve(io.cwd, options.output);
  const created = prepareOutput(output, options.force);
  let saved = false;
  try {
    await train(data, output, options, io, reporter);
    saved = true;
  } finally {
    if (!saved && created && existsSync(output) && readdirSync(output).length === 0)
      rmSync(output, { recursive: true });
  }
}

async function train(
  data: Awaited<ReturnType<typeof readData>>,
  output: string,
  options: TrainOptions,
  io: Io,
  reporter: Reporter,
): Promise<void> {
  const { train: examples, validation, labels, pairs } = data;
  reporter.debug(
    `${examples.length} training examples${validation ? `, ${validation.length} for validation` : ""}; labels ${labels.join(", ")}${pairs ? "; sentence pairs" : ""}`,
  );
  const backend = await chooseBackend(options);
  reporter.debug(
    `backend: ${backend.name} (${backend.version})${backend.fallbackReason ? `; ${backend.fallbackReason}` : ""}`,
  );
  const dir = await resolvePresetDir(options.preset, options);
  reporter.debug(`preset folder: ${dir}`);

  const classifier = await AlbertTextClassifier.fromPreset(dir, {
    numClasses: labels.length,
    id2label: labels,
    preprocessor: null,
    dropout: options.dropout,
  });
  try {
    // Rows padded to the longest of their batch: padding is masked out, so this trains as the
    // full length does, faster. The saved preprocessor.json keeps the sequence length.
    classifier.preprocessor = await presetPreprocessor(
      dir,
      { ...options, padding: "longest" },
      classifier.backbone,
    );
    reporter.debug(
      `sequence length ${classifier.preprocessor.sequenceLength}, lowercase ${classifier.preprocessor.tokenizer.lowercase}`,
    );
    if (options.freezeBackbone) classifier.backbone.trainable = false;
    classifier.compile({ optimizer: makeOptimizer(options) });

    const labelId = new Map(labels.map((label, i) => [label, i]));
    const ids = (set: readonly Example[]) => set.map((e) => labelId.get(e.label)!);
    const validationData = validation && { x: inputsOf(validation, pairs), y: ids(validation) };
    const stepsPerEpoch = Math.ceil(examples.length / options.batchSize);
    const progress = trainingProgress(io.stderr, {
      epochs: options.epochs,
      stepsPerEpoch,
      enabled: !options.quiet,
      debug: (line) => reporter.debug(line),
    });
    let history: Record<string, number[]>;
    const started = performance.now();
    try {
      // `seed` draws the new head, each epoch's order (Python's random.shuffle) and the
      // dropout masks, so the same seed repeats a run.
      const result = await classifier.fit(inputsOf(examples, pairs), ids(examples), {
        batchSize: options.batchSize,
        epochs: options.epochs,
        shuffle: options.shuffle,
        seed: options.seed,
        ...(validationData ? { validationData } : {}),
        callbacks: progress,
      });
      history = result.history;
    } finally {
      progress.stop();
    }
    const seconds = (performance.now() - started) / 1000;
    await classifier.saveToPreset(output);
    reporter.debug(`saved to ${output}`);
    await writeText(
      io.stdout,
      `${toJson({
        output: options.output,
        preset: options.preset,
        labels,
        examples: { train: examples.length, validation: validation?.length ?? 0 },
        epochs: options.epochs,
        batch_size: options.batchSize,
        steps_per_epoch: stepsPerEpoch,
        final: Object.fromEntries(Object.entries(history).map(([k, v]) => [k, float32(v.at(-1)!)])),
        history: Object.fromEntries(Object.entries(history).map(([k, v]) => [k, v.map(float32)])),
        seconds: Math.round(seconds * 100) / 100,
      })}\n`,
    );
  } finally {
    classifier.dispose();
  }
}

/** A float32 metric as the shortest decimal that reads back to it (`0.6931472`, not
 * `0.6931471824645996`). */
function float32(value: number): number {
  return Number(formatFloat32(value));
}
