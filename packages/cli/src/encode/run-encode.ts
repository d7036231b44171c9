import path from "node:path";
import { AlbertBackbone } from "@albert/core";
import { chooseBackend } from "../backend-choice.js";
import type { EncodeOptions } from "../commands/encode.js";
import { CliError, UsageError } from "../errors.js";
import { toJson, type JsonValue } from "../io/float32.js";
import { decodeInput, InputLineError, parseInputs, type EncodeInput } from "../io/jsonl.js";
import { fileSink, stdoutSink, writeOutput, type OutputSink } from "../io/output.js";
import { startProgress } from "../io/progress.js";
import { readInputBytes } from "../io/read-input.js";
import type { Io } from "../io/streams.js";
import { presetPreprocessor } from "../preset-preprocessor.js";
import { resolvePresetDir } from "../preset-resolve.js";
import type { Reporter } from "../reporter.js";
import { batchInputs, Embedder, type EncodedInput } from "./embedder.js";

const INPUT_EXAMPLE =
  "Give TEXT arguments, --input FILE, or JSON lines on stdin: " +
  "echo '\"The quick brown fox.\"' | albert encode --preset albert_base_en_uncased";

async function readInputs(texts: string[], options: EncodeOptions, io: Io): Promise<EncodeInput[]> {
  const read = await readInputBytes(texts, options.input, io, INPUT_EXAMPLE);
  if (read === undefined) return texts.map((text) => ({ kind: "single", text }));
  const { bytes, source } = read;
  let inputs: EncodeInput[];
  try {
    inputs = parseInputs(decodeInput(bytes, source), options.inputFormat, source);
  } catch (error) {
    if (error instanceof InputLineError) throw new CliError(error.message, error.hint);
    throw error;
  }
  if (inputs.length === 0) {
    throw new UsageError(
      `no input: ${source} ${bytes.length === 0 ? "is empty" : "holds only blank lines"}`,
      INPUT_EXAMPLE,
    );
  }
  return inputs;
}

export async function runEncode(
  texts: string[],
  options: EncodeOptions,
  io: Io,
  reporter: Reporter,
): Promise<void> {
  const inputs = await readInputs(texts, options, io);

  const backend = await chooseBackend(options);
  reporter.debug(
    `backend: ${backend.name} (${backend.version})${backend.fallbackReason ? `; ${backend.fallbackReason}` : ""}`,
  );

  const dir = await resolvePresetDir(options.preset, options);
  reporter.debug(`preset folder: ${dir}`);
  const backbone = await AlbertBackbone.fromPreset(
    dir,
    options.dtype === undefined ? {} : { dtype: options.dtype },
  );
  try {
    const preprocessor = await presetPreprocessor(dir, options, backbone);
    const vocabulary = preprocessor.tokenizer.vocabularySize();
    reporter.debug(
      `tokenizer: ${vocabulary} pieces, lowercase ${preprocessor.tokenizer.lowercase}, sequence length ${preprocessor.sequenceLength}`,
    );

    const embedder = new Embedder(backbone, preprocessor, {
      pooling: options.pooling,
      normalize: options.normalize,
      sequenceOutput: options.sequenceOutput,
    });
    const sink: OutputSink =
      options.output === undefined
        ? stdoutSink(io.stdout)
        : fileSink(path.resolve(io.cwd, options.output));
    const progress = startProgress(io.stderr, inputs.length, {
      enabled: options.progress && inputs.length > options.batchSize,
      label: "encoding",
    });
    await writeOutput(sink, progress, async () => {
      let index = 0;
      for (const batch of batchInputs(inputs, options.batchSize)) {
        const encoded = embedder.embed(batch);
        const lines = batch.map(
          (input, b) => toJson(outputRecord(index + b, input, encoded[b]!)) + "\n",
        );
        await sink.write(lines.join(""));
        index += batch.length;
        progress.increment(batch.length);
      }
      reporter.debug(
        `dtype policy ${backbone.dtypePolicy.name}; inference: ${backbone.inferenceEngine}`,
      );
    });
  } finally {
    backbone.dispose();
  }
}

/** One output line: where it came from, then what the model gave. */
function outputRecord(index: number, input: EncodeInput, encoded: EncodedInput): JsonValue {
  return {
    index,
    id: input.id,
    ...(input.kind === "single"
      ? { text: input.text }
      : { text_a: input.textA, text_b: input.textB }),
    tokens: encoded.tokenIds.length,
    truncated: encoded.truncated ? true : undefined,
    embedding: encoded.embedding,
    tokenIds: encoded.sequenceOutput === undefined ? undefined : encoded.tokenIds,
    sequenceOutput: encoded.sequenceOutput,
  };
}
