import { Option, type Command } from "commander";
import { addBackendOptions, type BackendOptions } from "../backend-options.js";
import type { Io } from "../io/streams.js";
import { positiveInteger } from "../parse.js";
import { addPresetSourceOptions, type PresetSourceOptions } from "../preset-options.js";
import type { Reporter } from "../reporter.js";

export interface WorkerOptions extends PresetSourceOptions, BackendOptions {
  queue: string;
  queueName?: string;
  preset: string;
  lockDuration: number;
}

const DETAILS = `
Takes the shards that \`albert encode --queue URL --input FILE --output DIR\` puts in the
queue, one at a time, encodes them and writes each into DIR atomically (DIR must be the same
path on every machine: a shared folder). A worker that dies mid-shard loses the shard to
another worker after --lock-duration; a shard is never written twice. SIGTERM or Ctrl-C:
the shard in hand is finished, then the command exits 0.

Example (start as many as you like, on any machine that sees DIR):
  $ albert worker --queue redis://10.0.0.5:6379 --preset albert_base_en_uncased --threads 1`;

export function workerCommand(program: Command, io: Io, reporter: Reporter): Command {
  const command = program
    .command("worker")
    .summary("encode shards from a Redis queue (bulk encoding across machines)")
    .description("Takes bulk-encoding shards from a BullMQ queue on Redis, encodes and writes them.")
    .requiredOption("-q, --queue <url>", "the queue's Redis: redis://HOST:PORT[/DB]")
    .requiredOption("-p, --preset <handle>", "the preset the producer named (jobs for another preset fail)")
    .option("--queue-name <name>", "BullMQ queue name (default albert-encode)")
    .addOption(new Option("--lock-duration <ms>", "how soon a dead worker's shard goes to another").argParser(positiveInteger).default(30_000));
  addBackendOptions(command);
  addPresetSourceOptions(command);
  command.addHelpText("after", DETAILS);
  return command.action(async (options: WorkerOptions) => {
    const { runWorkerCommand } = await import("../serve/run-worker.js");
    await runWorkerCommand(options, io, reporter);
  });
}
