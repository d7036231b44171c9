import swagger from "@fastify/swagger";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { DynamicBatcher, type BatchRow, type DynamicBatcherOptions } from "../batching/dynamic-batcher.js";
import { ServeError, integerOption } from "../errors.js";
import { EmbeddingModel, type EmbeddingModelPresetOptions } from "../model/embedding-model.js";
import { errorBody, messageOf, statusOf } from "./http-errors.js";
import { ServeMetrics } from "./metrics.js";
import { openAiEmbeddingsSchema, predictSchema, teiEmbedSchema } from "./schemas.js";
import { embeddingTask, type ServedTask } from "./served-task.js";
import { formatValidationErrors } from "./validation.js";

export interface ServeOptions extends DynamicBatcherOptions {
  /** The model to serve embeddings with (`preset` loads one instead). */
  model?: EmbeddingModel;
  /** A preset handle to load an `EmbeddingModel` from when `model` and `task` are not given. */
  preset?: string;
  presetOptions?: EmbeddingModelPresetOptions;
  /** A pipeline task to serve on `POST /predict` instead of embeddings (see `ServedTask`). */
  task?: ServedTask;
  /** Default `127.0.0.1`; `0.0.0.0` to listen on every interface. */
  host?: string;
  /** Default 8080; 0 picks a free port (see `ServeHandle.port`). */
  port?: number;
  /** The model name responses report (default: the preset, else `"albert"`). */
  modelName?: string;
  /** Largest request body in bytes (default 1 MiB); larger ones get 413. */
  bodyLimit?: number;
  /** Inputs per request at most (default 2048, OpenAI's). */
  maxInputsPerRequest?: number;
  /** fastify's logger (default off). */
  logger?: boolean;
}

/** A running service. */
export interface ServeHandle {
  /** `http://host:port`. */
  url: string;
  port: number;
  app: FastifyInstance;
  metrics: ServeMetrics;
  /** Stops taking requests, answers those in flight, then releases the model. */
  close(): Promise<void>;
}

interface EmbeddingsBody {
  input: string | string[];
  encoding_format?: "float" | "base64";
  truncate?: boolean;
}

interface EmbedBody {
  inputs: string | string[];
  normalize?: boolean;
  truncate?: boolean;
}

interface PredictBody {
  inputs: unknown;
  parameters?: Record<string, unknown>;
}

const MIB = 1024 * 1024;

/**
 * Serves a model over HTTP on fastify, the way HF's text-embeddings-inference does: requests
 * are validated by JSON schema, their texts tokenized, and the rows of concurrent requests
 * merged into length-grouped batches by a `DynamicBatcher` (one model call at a time).
 *
 * Routes: `POST /v1/embeddings` (OpenAI's shape), `POST /embed` (text-embeddings-inference's),
 * `POST /predict` (the served task), `GET /health`, `GET /metrics` (Prometheus),
 * `GET /openapi.json`. A full queue answers 429 with `Retry-After`; a body over `bodyLimit`
 * 413; texts longer than the model's sequence length are cut unless the request says
 * `truncate: false` (then 400 naming the limit). `close()` drains: requests in flight are
 * answered, new ones get 503.
 *
 * @example
 * ```ts
 * import { serve } from "@albert/serve";
 *
 * const service = await serve({ preset: "albert_base_en_uncased", port: 8080 });
 * const res = await fetch(`${service.url}/v1/embeddings`, {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: JSON.stringify({ input: ["The quick brown fox."] }),
 * });
 * console.log((await res.json()).data[0].embedding.length); // 768
 * process.once("SIGTERM", () => void service.close());
 * ```
 */
export async function serve(options: ServeOptions = {}): Promise<ServeHandle> {
  const bodyLimit = integerOption(options.bodyLimit, "bodyLimit", MIB);
  const maxInputs = integerOption(options.maxInputsPerRequest, "maxInputsPerRequest", 2048);
  const port = integerOption(options.port, "port", 8080, 0);
  let ownedModel: EmbeddingModel | undefined;
  let task: ServedTask;
  if (options.task !== undefined) {
    task = options.task;
  } else {
    let model = options.model;
    if (model === undefined) {
      if (options.preset === undefined) throw new ServeError("invalid_argument", "serve: give model, preset or task");
      model = ownedModel = await EmbeddingModel.fromPreset(options.preset, options.presetOptions);
    }
    task = embeddingTask(model);
  }
  const modelName = options.modelName ?? options.preset ?? "albert";

  // === Batching and metrics ===
  const batcher: DynamicBatcher<unknown, unknown> = new DynamicBatcher<unknown, unknown>(
    (rows) => task.run(rows),
    options,
    (report) => metrics.recordBatch(report),
  );
  const metrics = new ServeMetrics(() => batcher.queuedRequests);
  let closing = false;

  // === The HTTP app ===
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit,
    // Answer in-flight requests on close, then close their connections.
    return503OnClosing: true,
    forceCloseConnections: "idle",
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false, verbose: true } },
    schemaErrorFormatter: formatValidationErrors,
  });
  // Every route takes JSON; other bodies get 415 with a message saying so.
  app.removeContentTypeParser("text/plain");
  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: { title: "albert serve", description: `ALBERT (${modelName}) over HTTP: ${task.name}`, version: "1" },
    },
  });

  const started = new WeakMap<FastifyRequest, number>();
  app.addHook("onRequest", async (request, reply) => {
    started.set(request, performance.now());
    if (closing && request.url !== "/health" && request.url !== "/metrics") {
      reply.header("connection", "close");
      throw new ServeError("closing", "the service is shutting down and takes no new requests");
    }
  });
  // While draining, every answer closes its connection: keep-alive clients then let go, and
  // close() does not wait out their idle timeout.
  app.addHook("onSend", async (_request, reply) => {
    if (closing) reply.header("connection", "close");
  });
  app.addHook("onResponse", async (request, reply) => {
    metrics.recordRequest(request.routeOptions.url ?? "unmatched", reply.statusCode, reply.elapsedTime / 1000);
  });
  app.setErrorHandler(async (error, request, reply) => {
    const status = statusOf(error);
    if (status === 429) reply.header("retry-after", "1");
    if (status === 503) reply.header("retry-after", "5");
    if (status >= 500 && status !== 503) request.log.error(error);
    return reply.code(status).send(errorBody(request.url, status, messageOf(error, bodyLimit)));
  });
  app.setNotFoundHandler(async (request, reply) => {
    const routes = ["GET /health", "GET /metrics", "GET /openapi.json", "POST /predict", ...(task.embeddings ? ["POST /v1/embeddings", "POST /embed"] : [])];
    const message = `no route ${request.method} ${request.url.split("?")[0]}; this service (${task.name}) has ${routes.join(", ")}`;
    return reply.code(404).send(errorBody(request.url, 404, message));
  });

  /** Queues rows for a request, aborting them if the client goes away first. */
  const submit = (rows: BatchRow<unknown>[], request: FastifyRequest, reply: FastifyReply) => {
    const controller = new AbortController();
    reply.raw.once("close", () => {
      if (reply.raw.writableFinished) return;
      controller.abort();
      // A client that went away before its answer: 499, nginx's "client closed request".
      metrics.recordRequest(request.routeOptions.url ?? "unmatched", 499, (performance.now() - (started.get(request) ?? performance.now())) / 1000);
    });
    return batcher.submit(rows, controller.signal);
  };

  // === Routes ===
  const embeddings = task.embeddings;
  if (embeddings !== undefined) {
    app.post<{ Body: EmbeddingsBody }>("/v1/embeddings", { schema: openAiEmbeddingsSchema(maxInputs, embeddings.hiddenDim) }, async (request, reply) => {
      const texts = typeof request.body.input === "string" ? [request.body.input] : request.body.input;
      const prepared = embeddings.prepare(texts, request.body.truncate ?? true, "input");
      const results = (await submit(prepared.rows, request, reply)) as { normalized: Float32Array }[];
      const base64 = request.body.encoding_format === "base64";
      return {
        object: "list",
        data: results.map((r, index) => ({
          object: "embedding",
          index,
          embedding: base64 ? Buffer.from(r.normalized.buffer, r.normalized.byteOffset, r.normalized.byteLength).toString("base64") : Array.from(r.normalized),
        })),
        model: modelName,
        usage: { prompt_tokens: prepared.tokens, total_tokens: prepared.tokens },
      };
    });
    app.post<{ Body: EmbedBody }>("/embed", { schema: teiEmbedSchema(maxInputs) }, async (request, reply) => {
      const texts = typeof request.body.inputs === "string" ? [request.body.inputs] : request.body.inputs;
      const prepared = embeddings.prepare(texts, request.body.truncate ?? true, "inputs");
      const results = (await submit(prepared.rows, request, reply)) as { pooled: Float32Array; normalized: Float32Array }[];
      const normalize = request.body.normalize ?? true;
      return results.map((r) => Array.from(normalize ? r.normalized : r.pooled));
    });
  }
  app.post<{ Body: PredictBody }>("/predict", { schema: predictSchema(maxInputs, task.name) }, async (request, reply) => {
    const prepared = task.prepare(request.body.inputs, request.body.parameters ?? {});
    const results = await submit(prepared.rows, request, reply);
    return prepared.finish(results);
  });
  app.get("/health", { schema: { summary: "200 while serving, 503 while shutting down" } }, async (_request, reply) => {
    const body = { status: closing ? "draining" : "ok", task: task.name, model: modelName, queued: batcher.queuedRequests };
    return reply.code(closing ? 503 : 200).send(body);
  });
  app.get("/metrics", { schema: { summary: "Prometheus metrics" } }, async (_request, reply) => {
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  const host = options.host ?? "127.0.0.1";
  await app.listen({ host, port });
  const address = app.server.address();
  const boundPort = typeof address === "object" && address !== null ? address.port : port;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${boundPort}`,
    port: boundPort,
    app,
    metrics,
    close() {
      closed ??= (async () => {
        closing = true;
        // fastify waits for in-flight requests, which wait for their batches.
        await app.close();
        await batcher.close();
        ownedModel?.dispose();
        task.dispose?.();
      })();
      return closed;
    },
  };
}
