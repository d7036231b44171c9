import { pipelineTask, serve, type ServablePipeline, type ServeHandle } from "@albert/serve";
import { chooseBackend } from "../backend-choice.js";
import type { ServeOptions as ServeCommandOptions } from "../commands/serve.js";
import type { Io } from "../io/streams.js";
import { resolvePresetDir } from "../preset-resolve.js";
import type { Reporter } from "../reporter.js";
import { loadEmbeddingModel, stopSignal } from "./embedding-model.js";

/** `albert serve`: loads the model, serves until SIGTERM or SIGINT, then drains and returns (exit 0). */
export async function runServe(options: ServeCommandOptions, io: Io, reporter: Reporter): Promise<void> {
  const common = {
    host: options.host,
    port: options.port,
    modelName: options.preset,
    maxBatchTokens: options.maxBatchTokens,
    maxPadding: options.maxPadding,
    maxBatchSize: options.maxBatchSize,
    maxWaitMs: options.maxWaitMs,
    maxQueuedRequests: options.maxQueue,
    timeoutMs: options.timeout,
    bodyLimit: options.bodyLimit,
  };
  let handle: ServeHandle;
  let release: () => void;
  if (options.task === "feature-extraction") {
    const model = await loadEmbeddingModel(options, options.pooling, reporter);
    release = () => model.dispose();
    try {
      handle = await serve({ ...common, model });
    } catch (error) {
      release();
      throw error;
    }
  } else {
    await chooseBackend(options);
    const dir = await resolvePresetDir(options.preset, options);
    const { pipeline } = await import("@albert/pipelines");
    // One pipeline call per batch: its own batches are as large as the service's.
    const load = pipeline as unknown as (task: string, model: string, o: object) => Promise<ServablePipeline>;
    const pipe = await load(options.task, dir, { batchSize: options.maxBatchSize, ...(options.dtype === undefined ? {} : { dtype: options.dtype }) });
    release = () => {};
    try {
      handle = await serve({ ...common, task: pipelineTask(pipe) });
    } catch (error) {
      pipe.dispose();
      throw error;
    }
  }
  const stopped = stopSignal();
  const routes = options.task === "feature-extraction" ? "POST /v1/embeddings, /embed, /predict" : "POST /predict";
  io.stderr.write(`albert: serving ${options.preset} (${options.task}) on ${handle.url}: ${routes}; GET /health, /metrics, /openapi.json\n`);
  const signal = await stopped;
  io.stderr.write(`albert: ${signal}: answering the requests in flight, then exiting\n`);
  await handle.close();
  release();
  io.stderr.write("albert: stopped\n");
}
