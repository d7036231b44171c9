import { runWorker } from "@albert/serve";
import type { WorkerOptions } from "../commands/worker.js";
import type { Io } from "../io/streams.js";
import type { Reporter } from "../reporter.js";
import { loadEmbeddingModel, stopSignal } from "./embedding-model.js";

/**
 * `albert worker`: takes shard jobs until SIGTERM or SIGINT, then finishes the shard in hand
 * and returns (exit 0). One line per shard on stderr.
 */
export async function runWorkerCommand(options: WorkerOptions, io: Io, reporter: Reporter): Promise<void> {
  const stopped = stopSignal();
  const handle = await runWorker({
    queue: options.queue,
    ...(options.queueName === undefined ? {} : { queueName: options.queueName }),
    preset: options.preset,
    lockDurationMs: options.lockDuration,
    loadModel: (settings) =>
      loadEmbeddingModel(
        {
          ...options,
          ...(settings.sequenceLength === null ? {} : { sequenceLength: settings.sequenceLength }),
          ...(settings.lowercase === null ? {} : { lowercase: settings.lowercase }),
          ...(settings.dtype === null ? {} : { dtype: settings.dtype }),
        },
        settings.pooling,
        reporter,
      ),
    onStart: (e) => io.stderr.write(`albert: ${e.name} (${e.rows} rows): started\n`),
    onShard: (e) =>
      io.stderr.write(
        `albert: ${e.name} (${e.rows} rows, ${e.seconds.toFixed(2)} s): ${e.written ? "written" : "already written by another worker; this copy dropped"}\n`,
      ),
    onError: (error) => reporter.note(`queue: ${error.message}`),
  });
  io.stderr.write(`albert: worker ${process.pid} for ${options.preset} waiting for shards on ${options.queue} (${options.queueName ?? "albert-encode"})\n`);
  const signal = await stopped;
  io.stderr.write(`albert: ${signal}: finishing the shard in hand, then exiting\n`);
  await handle.close();
  io.stderr.write("albert: stopped\n");
}
