import { Option, type Command } from "commander";
import { addBackendOptions } from "../backend-options.js";
import { UsageError } from "../errors.js";
import type { Io } from "../io/streams.js";
import { integerAtLeast, positiveInteger } from "../parse.js";
import type { PipelineCommand, PipelineCommandOptions } from "../pipelines/run-pipeline.js";
import { addPresetSourceOptions } from "../preset-options.js";
import type { Reporter } from "../reporter.js";

// The commands on @albert/pipelines: each reads TEXT arguments or JSON lines and prints one JSON
// line per input. The pipelines load on use, so `--help` does not wait for TF.js.

const OUTPUT = `
Output: one JSON line per input, in input order: {"index": i, "id"?: ..., <input
fields>, <results>}; results have transformers' pipeline keys and values.`;

function list(value: string): string[] {
  return value === "" ? [] : value.split(",").map((v) => v.trim());
}

/** Adds what every pipeline command takes and runs it with `spec`. */
function pipelineCommand<O extends PipelineCommandOptions>(
  command: Command,
  io: Io,
  reporter: Reporter,
  details: string,
  spec: () => PipelineCommand<O>,
): Command {
  command
    .requiredOption("-p, --preset <handle>", "preset: a directory, hf://org/name, kaggle://... (a task preset or HF checkpoint of the task)")
    .addOption(new Option("--batch-size <n>", "inputs per model call (each batch padded to its longest input)").argParser(positiveInteger).default(8))
    .option("-i, --input <file>", "read JSON lines from FILE ('-' for stdin)")
    .option("-o, --output <file>", "write the JSON lines to FILE instead of stdout");
  addBackendOptions(command);
  addPresetSourceOptions(command);
  command.addHelpText("after", `${details}${OUTPUT}`);
  return command.action(async (values: string[], options: O) => {
    const { runPipelineCommand } = await import("../pipelines/run-pipeline.js");
    await runPipelineCommand(spec(), values, options, io, reporter);
  });
}

// === fill-mask ===

interface FillMaskOptions extends PipelineCommandOptions {
  topK: number;
  targets?: string[];
}

export function fillMaskCommand(program: Command, io: Io, reporter: Reporter): Command {
  const command = program
    .command("fill-mask")
    .summary("predict the [MASK] tokens of texts")
    .description("Predicts the tokens at the [MASK]s of each text with a masked language model (HF AlbertForMaskedLM, KerasHub AlbertMaskedLM).")
    .argument("[text...]", "texts with [MASK] (each one input)")
    .addOption(new Option("-k, --top-k <n>", "candidates per mask").argParser(positiveInteger).default(5))
    .option("--targets <tokens>", "score only these tokens, comma-separated", list);
  return pipelineCommand<FillMaskOptions>(
    command,
    io,
    reporter,
    `
Input: TEXT arguments, or JSON lines ("text with [MASK]" or {"text": ..., "id": ...}).
Results: "predictions": [{"score", "token", "token_str", "sequence"}, ...] (a list per
[MASK] when a text has several).

Example:
  $ albert fill-mask --preset hf://albert/albert-base-v2 "The capital of France is [MASK]."`,
    () => ({
      task: "fill-mask",
      name: "fill-mask",
      inputs: { required: ["text"], stringField: "text" },
      example: `albert fill-mask --preset ./albert-mlm "the license [MASK] applies."`,
      fromArguments: (values) => values.map((text) => ({ fields: { text } })),
      pipelineInput: (input) => input.fields["text"],
      callOptions: (o) => ({ topK: o.topK, ...(o.targets ? { targets: o.targets } : {}) }),
      record: (input, result) => ({ text: input.fields["text"], predictions: result }),
    }),
  );
}

// === classify ===

interface ClassifyOptions extends PipelineCommandOptions {
  topK?: number;
  all: boolean;
  function?: "softmax" | "sigmoid" | "none";
}

export function classifyCommand(program: Command, io: Io, reporter: Reporter): Command {
  const command = program
    .command("classify")
    .summary("label texts or sentence pairs with a classifier")
    .description("Labels each text (or sentence pair) with a text classifier (a preset saved by `albert train`, a KerasHub AlbertTextClassifier, an HF AlbertForSequenceClassification).")
    .argument("[text...]", "texts to classify (each one input)")
    .addOption(new Option("-k, --top-k <n>", "the n best labels with their scores").argParser(positiveInteger))
    .option("--all", "every label with its score, best first", false)
    .addOption(new Option("--function <name>", "how logits become scores (default: softmax, sigmoid for one label)").choices(["softmax", "sigmoid", "none"]));
  return pipelineCommand<ClassifyOptions>(
    command,
    io,
    reporter,
    `
Input: TEXT arguments, or JSON lines ("text", {"text": ..., "text_pair"?: ..., "id"?: ...};
"text_a"/"text_b" also work for pairs).
Results: "label" and "score" of the best label; with --top-k or --all, "scores":
[{"label", "score"}, ...] best first.

Examples:
  $ albert classify --preset ./reviews_classifier "A gripping, funny film." "Dull."
  $ echo '{"text": "Is it free?", "text_pair": "Yes, under the GPL."}' | albert classify -p ./nli --all`,
    () => ({
      task: "text-classification",
      name: "classify",
      inputs: { required: ["text"], optional: ["text_pair"], aliases: { text_a: "text", text_b: "text_pair" }, stringField: "text" },
      example: `albert classify --preset ./reviews_classifier "A gripping, funny film."`,
      fromArguments: (values) => values.map((text) => ({ fields: { text } })),
      pipelineInput: (input) => (input.fields["text_pair"] === undefined ? input.fields["text"] : { text: input.fields["text"], text_pair: input.fields["text_pair"] }),
      callOptions: (o) => {
        if (o.all && o.topK !== undefined) throw new UsageError("give --top-k or --all, not both", "--all lists every label; --top-k N the N best.");
        return { ...(o.all ? { topK: null } : o.topK !== undefined ? { topK: o.topK } : {}), ...(o.function ? { functionToApply: o.function } : {}) };
      },
      record: (input, result, o) => ({
        ...input.fields,
        ...(o.all || o.topK !== undefined ? { scores: result } : (result as object)),
      }),
    }),
  );
}

// === ner ===

interface NerOptions extends PipelineCommandOptions {
  aggregation: "none" | "simple" | "first" | "average" | "max";
  ignoreLabels?: string[];
  stride?: number;
}

export function nerCommand(program: Command, io: Io, reporter: Reporter): Command {
  const command = program
    .command("ner")
    .summary("find named entities (token classification)")
    .description("Labels the tokens of each text with a token classifier (HF AlbertForTokenClassification, or a preset of AlbertTokenClassifier) and groups them into entities.")
    .argument("[text...]", "texts (each one input)")
    .addOption(
      new Option("--aggregation <strategy>", "none: every token; simple: adjacent tokens of one entity; first/average/max: whole words first")
        .choices(["none", "simple", "first", "average", "max"])
        .default("simple"),
    )
    .option("--ignore-labels <labels>", "labels left out, comma-separated ('' keeps all; default O)", list)
    .addOption(new Option("--stride <n>", "cover texts longer than the model in chunks overlapping by n tokens").argParser(integerAtLeast(0)));
  return pipelineCommand<NerOptions>(
    command,
    io,
    reporter,
    `
Input: TEXT arguments, or JSON lines ("text" or {"text": ..., "id"?: ...}).
Results: "entities": [{"entity_group", "score", "word", "start", "end"}, ...] (with
--aggregation none: {"entity", "score", "index", "word", "start", "end"} per token);
start/end are character offsets into the text.

Example:
  $ albert ner --preset hf://org/albert-ner "John Smith lives in New York."`,
    () => ({
      task: "token-classification",
      name: "ner",
      inputs: { required: ["text"], stringField: "text" },
      example: `albert ner --preset ./albert-ner "john smith lives in new york."`,
      fromArguments: (values) => values.map((text) => ({ fields: { text } })),
      pipelineInput: (input) => input.fields["text"],
      callOptions: (o) => ({
        aggregationStrategy: o.aggregation,
        ...(o.ignoreLabels ? { ignoreLabels: o.ignoreLabels } : {}),
        ...(o.stride !== undefined ? { stride: o.stride } : {}),
      }),
      record: (input, result) => ({ text: input.fields["text"], entities: result }),
    }),
  );
}

// === qa ===

interface QaOptions extends PipelineCommandOptions {
  context?: string;
  topK: number;
  maxAnswerLen?: number;
  handleImpossibleAnswer: boolean;
  maxSeqLen?: number;
  docStride?: number;
}

export function qaCommand(program: Command, io: Io, reporter: Reporter): Command {
  const command = program
    .command("qa")
    .summary("answer questions from a context (extractive QA)")
    .description("Finds each question's answer in its context with a question-answering model (HF AlbertForQuestionAnswering, or a preset of AlbertQuestionAnswerer), as transformers v4's pipeline.")
    .argument("[question...]", "questions about --context (each one input)")
    .option("-c, --context <text>", "the context of the QUESTION arguments")
    .addOption(new Option("-k, --top-k <n>", "answers per question").argParser(positiveInteger).default(1))
    .addOption(new Option("--max-answer-len <n>", "longest answer, in tokens (default 15)").argParser(positiveInteger))
    .option("--handle-impossible-answer", "allow the empty answer (SQuAD 2 models)", false)
    .addOption(new Option("--max-seq-len <n>", "tokens per chunk of a long context (default min(model maximum, 384))").argParser(integerAtLeast(4)))
    .addOption(new Option("--doc-stride <n>", "tokens shared by consecutive chunks (default min(max-seq-len / 2, 128))").argParser(integerAtLeast(0)));
  return pipelineCommand<QaOptions>(
    command,
    io,
    reporter,
    `
Input: QUESTION arguments with --context, or JSON lines {"question": ..., "context": ...,
"id"?: ...}.
Results: "answer", "score", "start", "end" (character offsets into the context); with
--top-k above 1, "answers": [{"score", "start", "end", "answer"}, ...].

Example:
  $ albert qa --preset ./albert-squad --context "ALBERT was released by Google in 2019." "Who released ALBERT?"`,
    () => ({
      task: "question-answering",
      name: "qa",
      inputs: { required: ["question", "context"] },
      example: `albert qa --preset ./albert-squad --context "..." "a question?"`,
      fromArguments: (values, o) => {
        if (o.context === undefined) {
          throw new UsageError("QUESTION arguments need --context", 'Give --context "...", or JSON lines {"question": ..., "context": ...} on stdin.');
        }
        return values.map((question) => ({ fields: { question, context: o.context! } }));
      },
      pipelineInput: (input) => ({ question: input.fields["question"], context: input.fields["context"] }),
      callOptions: (o) => ({
        topK: o.topK,
        handleImpossibleAnswer: o.handleImpossibleAnswer,
        ...(o.maxAnswerLen !== undefined ? { maxAnswerLen: o.maxAnswerLen } : {}),
        ...(o.maxSeqLen !== undefined ? { maxSeqLen: o.maxSeqLen } : {}),
        ...(o.docStride !== undefined ? { docStride: o.docStride } : {}),
      }),
      record: (input, result, o) => ({
        question: input.fields["question"],
        ...(Array.isArray(result) || o.topK > 1 ? { answers: Array.isArray(result) ? result : [result] } : (result as object)),
      }),
    }),
  );
}

