import { Option, type Command } from "commander";
import type { Pooling } from "@albert/core";
import { addBackendOptions, type BackendOptions } from "../backend-options.js";
import type { Io } from "../io/streams.js";
import { integerAtLeast, numberIn, positiveInteger } from "../parse.js";
import { addPresetSourceOptions, LOWERCASE_HELP, type PresetSourceOptions } from "../preset-options.js";
import type { Reporter } from "../reporter.js";
import { DTYPE_CHOICES } from "./encode.js";

export interface ServeOptions extends PresetSourceOptions, BackendOptions {
  preset: string;
  task: string;
  host: string;
  port: number;
  pooling: Pooling;
  maxBatchTokens: number;
  maxPadding: number;
  maxBatchSize: number;
  maxWaitMs: number;
  maxQueue: number;
  timeout: number;
  bodyLimit: number;
  sequenceLength?: number;
  lowercase?: boolean;
  dtype?: string;
}

/** The tasks `--task` offers (transformers' pipeline names; `sentiment-analysis` and `ner` are aliases). */
export const SERVE_TASKS = [
  "feature-extraction",
  "fill-mask",
  "text-classification",
  "sentiment-analysis",
  "token-classification",
  "ner",
  "question-answering",
];

const DETAILS = `
Routes:
  POST /v1/embeddings   (feature-extraction) OpenAI's embeddings API: {"input": "text" | ["text", ...]} → {"data": [{"embedding": [...]}], "usage": ...}
  POST /embed           (feature-extraction) text-embeddings-inference's: {"inputs": ..., "normalize"?: true, "truncate"?: true} → [[...], ...]
  POST /predict         the task, as transformers' pipeline: {"inputs": ..., "parameters"?: {...}}
                        e.g. --task fill-mask: {"inputs": "Paris is the [MASK] of France.", "parameters": {"topK": 3}}
  GET  /health          200 while serving, 503 while shutting down
  GET  /metrics         Prometheus: requests, latency, batch sizes, queue depth, tokens/s
  GET  /openapi.json    the routes' schemas

Concurrent requests are merged into batches of similar length (at most --max-batch-tokens
padded tokens, --max-batch-size rows), one model call at a time. Past --max-queue waiting
requests the service answers 429 with Retry-After; bodies over --body-limit get 413; texts
longer than the sequence length are cut unless a request says "truncate": false (then 400).
SIGTERM or Ctrl-C: requests in flight are answered, then the command exits 0.

Example:
  $ albert serve --preset albert_base_en_uncased --port 8080 &
  $ curl -s localhost:8080/v1/embeddings -H 'content-type: application/json' \\
      -d '{"input": ["The quick brown fox."]}'`;

export function serveCommand(program: Command, io: Io, reporter: Reporter): Command {
  const command = program
    .command("serve")
    .summary("serve a model over HTTP (embeddings, predictions) with dynamic batching")
    .description("Serves a preset over HTTP, batching concurrent requests (OpenAI and text-embeddings-inference routes, Prometheus metrics).")
    .requiredOption("-p, --preset <handle>", "preset: built-in name, directory, hf://org/name or kaggle://...")
    .addOption(new Option("--task <task>", "what /predict runs").choices(SERVE_TASKS).default("feature-extraction"))
    .option("--host <address>", "address to listen on (0.0.0.0: every interface)", "127.0.0.1")
    .addOption(new Option("--port <n>", "port (0: any free one)").argParser(integerAtLeast(0)).default(8080))
    .addOption(
      new Option("--pooling <mode>", "mean (of the real tokens), cls (the [CLS] vector) or pooled (KerasHub's pooled_output)")
        .choices(["mean", "cls", "pooled"])
        .default("mean"),
    )
    .addOption(new Option("--max-batch-tokens <n>", "padded tokens (rows x longest) per model call").argParser(positiveInteger).default(2048))
    .addOption(
      new Option("--max-padding <share>", "share of a batch's tokens that may be padding (0-1)").argParser(numberIn(0, 1, "a share from 0 to 1")).default(0.25),
    )
    .addOption(new Option("--max-batch-size <n>", "rows per model call").argParser(positiveInteger).default(64))
    .addOption(new Option("--max-wait-ms <n>", "how long a lone request waits for others to batch with").argParser(integerAtLeast(0)).default(2))
    .addOption(new Option("--max-queue <n>", "waiting requests at most (then 429)").argParser(positiveInteger).default(256))
    .addOption(new Option("--timeout <ms>", "per-request timeout (then 503)").argParser(positiveInteger).default(30_000))
    .addOption(new Option("--body-limit <bytes>", "largest request body (then 413)").argParser(positiveInteger).default(1024 * 1024))
    .addOption(
      new Option("--sequence-length <n>", "tokens per text, longer ones cut (default: the preset's, at most the model's)").argParser(
        integerAtLeast(2, " (room for [CLS] and [SEP])"),
      ),
    )
    .option("--lowercase", LOWERCASE_HELP)
    .option("--no-lowercase", "do not lowercase (KerasHub's exact ids)")
    .addOption(new Option("--dtype <policy>", "KerasHub dtype policy to compute in (default float32)").choices(DTYPE_CHOICES));
  addBackendOptions(command);
  addPresetSourceOptions(command);
  command.addHelpText("after", DETAILS);
  return command.action(async (options: ServeOptions) => {
    const { runServe } = await import("../serve/run-serve.js");
    await runServe(options, io, reporter);
  });
}
