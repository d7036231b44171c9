import { Option, type Command } from "commander";
import { addBackendOptions, type BackendOptions } from "../backend-options.js";
import type { Pooling } from "../encode/embedder.js";
import type { InputFormat } from "../io/jsonl.js";
import { UsageError } from "../errors.js";
import type { Io } from "../io/streams.js";
import { integerAtLeast, positiveInteger } from "../parse.js";
import { addPresetSourceOptions, LOWERCASE_HELP, type PresetSourceOptions } from "../preset-options.js";
import { addBulkOptions, BULK_DETAILS } from "../serve/bulk-options.js";
import type { Reporter } from "../reporter.js";
import { isBulkOutput, type BulkEncodeOptions } from "../serve/bulk-output.js";

export interface EncodeOptions extends PresetSourceOptions, BackendOptions, Partial<BulkEncodeOptions> {
  preset: string;
  pooling: Pooling;
  normalize: boolean;
  batchSize: number;
  sequenceLength?: number;
  sequenceOutput: boolean;
  lowercase?: boolean;
  input?: string;
  /** Also "txt" and "csv" from the command line (bulk formats); "txt" means "text" here. */
  inputFormat: InputFormat;
  output?: string;
  dtype?: string;
}

/** KerasHub's dtype policies (`DTYPE_POLICY_NAMES` of @albert/core, listed here so that
 * `--help` does not load TF.js). */
export const DTYPE_CHOICES = ["float32", "bfloat16", "float16", "mixed_bfloat16", "mixed_float16"];

const DESCRIPTION =
  "Embeds texts with a preset's backbone and tokenizer, and prints one JSON object per input (JSON lines).";

const DETAILS = `
Input:
  TEXT arguments (one input each), or JSON lines from --input FILE or stdin,
  each line one of:
    "The quick brown fox."                          a JSON string
    {"text": "The quick brown fox.", "id": 7}       "id" (optional) is copied
    {"text_a": "What is ALBERT?", "text_b": "A lite BERT."}     a sentence pair
  --input-format text reads one plain text per line instead.

Output, one line per input, in input order:
  {"index": 0, "id"?, "text" | "text_a" + "text_b", "tokens": N,
   "truncated"?: true, "embedding": [...],
   "tokenIds" and "sequenceOutput" (one vector per token) with --sequence-output}
  Numbers are the shortest decimals that read back to the same float32 values.

Examples:
  $ albert encode --preset albert_base_en_uncased "The quick brown fox." "A fast fox."
  $ albert encode --preset ./my_preset --pooling mean --normalize \\
      --input texts.jsonl --output vectors.jsonl
  $ echo '{"text_a": "What is ALBERT?", "text_b": "A lite BERT."}' |
      albert encode --preset hf://albert/albert-base-v2
  $ albert encode --preset albert_base_en_uncased --input corpus.txt --output vectors/
      (an --output folder: .npy shards, resumable; see "Bulk encoding" below)
  $ albert encode --preset albert_base_en_uncased --dtype bfloat16 "The quick brown fox."
      (bfloat16 compute: about twice as fast on CPUs with AVX512_BF16 or AMX;
       outputs within about 0.1 of float32's)`;

export function encodeCommand(program: Command, io: Io, reporter: Reporter): Command {
  const command = program
    .command("encode")
    .summary("embed texts (JSON lines out)")
    .description(DESCRIPTION)
    .argument("[text...]", "texts to embed (each one input)")
    .requiredOption(
      "-p, --preset <handle>",
      "preset: built-in name, directory, hf://org/name or kaggle://...",
    )
    .addOption(
      new Option(
        "--pooling <mode>",
        "cls (KerasHub's pooled_output) or mean (masked mean of sequence_output)",
      )
        .choices(["cls", "mean"])
        .default("cls"),
    )
    .option("--normalize", "scale embeddings to unit length", false)
    .addOption(
      new Option("--batch-size <n>", "inputs per model call")
        .argParser(positiveInteger)
        .default(16),
    )
    .addOption(
      new Option(
        "--sequence-length <n>",
        "tokens per input, longer ones truncated (default: the preset's preprocessor, else 512, at most the model's maximum)",
      ).argParser(integerAtLeast(2, " (room for [CLS] and [SEP])")),
    )
    .option("--sequence-output", "also print each real token's vector and the token ids", false)
    .option(
      "--lowercase",
      LOWERCASE_HELP,
    )
    .option("--no-lowercase", "do not lowercase (KerasHub's exact ids)")
    .option("-i, --input <file>", "read JSON lines from FILE ('-' for stdin)")
    .addOption(
      new Option("--input-format <format>", "jsonl, or text (one plain text per line); bulk: txt, jsonl or csv (default: the extension)")
        .choices(["jsonl", "text", "txt", "csv"])
        .default("jsonl"),
    )
    .option("-o, --output <file>", "write the JSON lines to FILE.jsonl instead of stdout; a folder (no .jsonl): .npy shards")
    .addOption(
      new Option(
        "--dtype <policy>",
        "KerasHub dtype policy to compute in (default float32; 16-bit ones need --backend tensorflow, wasm or cpu)",
      ).choices(DTYPE_CHOICES),
    );
  addBulkOptions(command);
  addBackendOptions(command);
  addPresetSourceOptions(command);
  command.addHelpText("after", DETAILS + BULK_DETAILS);
  return command.action(async (texts: string[], options: EncodeOptions) => {
    if (isBulkOutput(options.output) || options.queue !== undefined) {
      const { runBulkEncode } = await import("../serve/run-bulk-encode.js");
      await runBulkEncode(texts, options, command.getOptionValueSource("inputFormat") !== "default", io, reporter);
      return;
    }
    const format: string = options.inputFormat;
    if (format === "csv") {
      throw new UsageError("--input-format csv needs an --output folder (bulk encoding to .npy shards)", "Example: albert encode --preset P --input corpus.csv --output vectors/");
    }
    if (format === "txt") options.inputFormat = "text";
    // Loaded on use, so `--help` and usage errors do not wait for TF.js to load.
    const { runEncode } = await import("../encode/run-encode.js");
    await runEncode(texts, options, io, reporter);
  });
}
