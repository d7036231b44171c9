import path from "node:path";
import { pipeline } from "@albert/pipelines";
import type { BackendOptions } from "../backend-options.js";
import { chooseBackend } from "../backend-choice.js";
import { CliError, UsageError } from "../errors.js";
import { decodeInput, InputLineError } from "../io/jsonl.js";
import { fileSink, stdoutSink, writeOutput, type OutputSink } from "../io/output.js";
import { startProgress } from "../io/progress.js";
import { readInputBytes } from "../io/read-input.js";
import type { Io } from "../io/streams.js";
import type { PresetSourceOptions } from "../preset-options.js";
import { resolvePresetDir } from "../preset-resolve.js";
import type { Reporter } from "../reporter.js";
import { parseTaskLines, type TaskInput, type TaskInputSpec } from "./task-inputs.js";

/** The options every pipeline command shares. */
export interface PipelineCommandOptions extends PresetSourceOptions, BackendOptions {
  preset: string;
  batchSize: number;
  input?: string;
  output?: string;
}

/** What makes one command of a pipeline task: its inputs, its call options and its output. */
export interface PipelineCommand<O> {
  task: "fill-mask" | "text-classification" | "token-classification" | "question-answering";
  /** The command's name, for messages. */
  name: string;
  inputs: TaskInputSpec;
  /** A usage example for "no input" errors. */
  example: string;
  /** The inputs TEXT arguments stand for. */
  fromArguments(values: readonly string[], options: O): TaskInput[];
  /** The pipeline's input for one of them. */
  pipelineInput(input: TaskInput): unknown;
  /** The pipeline call's options. */
  callOptions(options: O): object;
  /** The output line's fields after `index` and `id`. */
  record(input: TaskInput, result: unknown, options: O): Record<string, unknown>;
}

async function readTaskInputs<O extends PipelineCommandOptions>(
  command: PipelineCommand<O>,
  values: string[],
  options: O,
  io: Io,
): Promise<TaskInput[]> {
  const read = await readInputBytes(values, options.input, io, command.example);
  if (read === undefined) return command.fromArguments(values, options);
  let inputs: TaskInput[];
  try {
    inputs = parseTaskLines(decodeInput(read.bytes, read.source), read.source, command.inputs);
  } catch (error) {
    if (error instanceof InputLineError) throw new CliError(error.message, error.hint);
    throw error;
  }
  if (inputs.length === 0) {
    throw new UsageError(
      `no input: ${read.source} ${read.bytes.length === 0 ? "is empty" : "holds only blank lines"}`,
      command.example,
    );
  }
  return inputs;
}

/**
 * Runs a pipeline command: reads TEXT arguments or JSON lines, loads the preset's task model and
 * tokenizer (`@albert/pipelines`), runs the inputs in groups (each group batched by the
 * pipeline) and writes one JSON line per input, in input order, as soon as its group is done.
 */
export async function runPipelineCommand<O extends PipelineCommandOptions>(
  command: PipelineCommand<O>,
  values: string[],
  options: O,
  io: Io,
  reporter: Reporter,
): Promise<void> {
  const inputs = await readTaskInputs(command, values, options, io);
  const backend = await chooseBackend(options);
  reporter.debug(
    `backend: ${backend.name} (${backend.version})${backend.fallbackReason ? `; ${backend.fallbackReason}` : ""}`,
  );
  const dir = await resolvePresetDir(options.preset, options);
  reporter.debug(`preset folder: ${dir}`);
  const pipe = await pipeline(command.task as "fill-mask", dir, { batchSize: options.batchSize });
  reporter.debug(
    `tokenizer: ${pipe.tokenizer.kind === "hf" ? "the checkpoint's tokenizer.json" : "KerasHub's SentencePiece"}, at most ${pipe.tokenizer.maxLength} tokens`,
  );
  const run = pipe as unknown as (inputs: unknown[], options: object) => Promise<unknown>;
  const sink: OutputSink =
    options.output === undefined
      ? stdoutSink(io.stdout)
      : fileSink(path.resolve(io.cwd, options.output));
  const group = options.batchSize * 4;
  const progress = startProgress(io.stderr, inputs.length, {
    enabled: options.progress && inputs.length > group,
    label: command.name,
  });
  try {
    await writeOutput(sink, progress, async () => {
      for (let start = 0; start < inputs.length; start += group) {
        const part = inputs.slice(start, start + group);
        const raw = await run(
          part.map((input) => command.pipelineInput(input)),
          command.callOptions(options),
        );
        // transformers answers a list of one fill-mask text or one question with the bare result.
        const results =
          part.length === 1 &&
          (command.task === "fill-mask" || command.task === "question-answering")
            ? [raw]
            : (raw as unknown[]);
        const lines = part.map((input, i) =>
          JSON.stringify({
            index: start + i,
            ...(input.id === undefined ? {} : { id: input.id }),
            ...command.record(input, results[i], options),
          }),
        );
        await sink.write(`${lines.join("\n")}\n`);
        progress.increment(part.length);
      }
    });
  } finally {
    pipe.dispose();
  }
}
