import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tf } from "@albert/core";
import { maxAbsDiff } from "@albert/test-utils";
import { EmbeddingModel } from "../model/embedding-model.js";
import { TINY_PRESET } from "../test-utils/corpus.js";
import { serve, type ServeHandle } from "./serve.js";
import { embeddingTask, type ServedTask } from "./served-task.js";

let model: EmbeddingModel;
let service: ServeHandle;

beforeAll(async () => {
  model = await EmbeddingModel.fromPreset(TINY_PRESET);
  // Any padding (maxPadding 1): all of TEXTS then runs as one batch, as `model.embed(TEXTS)`
  // runs it, so the vectors are compared bit for bit (other paddings move the last bits).
  service = await serve({ model, port: 0, modelName: "tiny", maxPadding: 1 });
});
afterAll(async () => {
  await service.close();
  model.dispose();
});

async function post(url: string, body: unknown, init: RequestInit = {}) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
    ...init,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === "" ? undefined : (JSON.parse(text) as unknown), text };
}

/** The real embedding task, held at a gate before each model call, counting the rows it runs. */
function gatedTask(m: EmbeddingModel) {
  const real = embeddingTask(m);
  let open: () => void = () => {};
  let gate: Promise<void> = Promise.resolve();
  const ran: number[][][] = [];
  let started = 0;
  const task: ServedTask = {
    ...real,
    run: async (rows) => {
      started++;
      await gate;
      ran.push(rows as number[][]);
      return real.run(rows);
    },
  };
  return {
    task,
    ran,
    /** Model calls begun (held at the gate or past it). */
    get started() {
      return started;
    },
    hold: () => (gate = new Promise((r) => (open = r))),
    release: () => open(),
  };
}

const TEXTS = ["the quick brown fox", "a lite bert for language", "hello"];

/** Waits for a state of the service rather than for a time, which a loaded machine stretches. */
async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 10));
}

async function queueDepth(url: string): Promise<number> {
  return Number(/albert_queue_depth (\d+)/.exec(await (await fetch(`${url}/metrics`)).text())![1]);
}

describe("serve: routes", () => {
  it("POST /v1/embeddings answers in OpenAI's shape with the model's unit vectors", async () => {
    const r = await post(`${service.url}/v1/embeddings`, { input: TEXTS, model: "anything" });
    expect(r.status).toBe(200);
    const body = r.body as { object: string; data: { object: string; index: number; embedding: number[] }[]; model: string; usage: { prompt_tokens: number; total_tokens: number } };
    expect(body.object).toBe("list");
    expect(body.model).toBe("tiny");
    expect(body.data.map((d) => [d.object, d.index])).toEqual(TEXTS.map((_, i) => ["embedding", i]));
    const rows = TEXTS.map((t) => model.tokenize(t).ids);
    const expected = model.embed(rows).normalized;
    body.data.forEach((d, i) => expect(maxAbsDiff(d.embedding, expected[i]!)).toBeLessThan(1e-6));
    const tokens = rows.reduce((sum, row) => sum + row.length + 2, 0);
    expect(body.usage).toEqual({ prompt_tokens: tokens, total_tokens: tokens });

    const b64 = await post(`${service.url}/v1/embeddings`, { input: TEXTS[0], encoding_format: "base64" });
    const bytes = Buffer.from((b64.body as { data: { embedding: string }[] }).data[0]!.embedding, "base64");
    expect([...new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4)]).toEqual([...expected[0]!]);
  });

  it("POST /embed answers in text-embeddings-inference's shape, normalized unless asked not to", async () => {
    const expected = model.embed(TEXTS.map((t) => model.tokenize(t).ids));
    const unit = await post(`${service.url}/embed`, { inputs: TEXTS });
    const raw = await post(`${service.url}/embed`, { inputs: TEXTS, normalize: false });
    expect(unit.status).toBe(200);
    (unit.body as number[][]).forEach((v, i) => expect(maxAbsDiff(v, expected.normalized[i]!)).toBeLessThan(1e-6));
    (raw.body as number[][]).forEach((v, i) => expect(maxAbsDiff(v, expected.pooled[i]!)).toBe(0));
    const single = await post(`${service.url}/embed`, { inputs: "hello" });
    expect((single.body as number[][]).length).toBe(1);
  });

  it("POST /predict (feature-extraction) gives one pooled vector per text", async () => {
    const r = await post(`${service.url}/predict`, { inputs: TEXTS, parameters: { normalize: false } });
    const expected = model.embed(TEXTS.map((t) => model.tokenize(t).ids)).pooled;
    (r.body as number[][]).forEach((v, i) => expect(maxAbsDiff(v, expected[i]!)).toBe(0));
    const bad = await post(`${service.url}/predict`, { inputs: TEXTS, parameters: { topK: 3 } });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: "parameters.topK: feature-extraction takes normalize and truncate (booleans), got topK = 3", error_type: "Validation" });
  });

  it("cuts texts longer than the sequence length, unless truncate: false (then 400 naming the limit)", async () => {
    const long = "the quick brown fox ".repeat(10);
    const cut = await post(`${service.url}/embed`, { inputs: [long] });
    expect(cut.status).toBe(200);
    const refused = await post(`${service.url}/embed`, { inputs: ["short", long], truncate: false });
    expect(refused.status).toBe(400);
    expect((refused.body as { error: string }).error).toMatch(/^inputs\[1\] has \d+ tokens with \[CLS\] and \[SEP\]; the model takes at most 16 \(its sequence length\)/);
    const openai = await post(`${service.url}/v1/embeddings`, { input: long, truncate: false });
    expect((openai.body as { error: { message: string; type: string } }).error.type).toBe("invalid_request_error");
  });

  it("GET /health, /metrics (Prometheus) and /openapi.json", async () => {
    const health = await fetch(`${service.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", task: "feature-extraction", model: "tiny" });
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    for (const name of ["albert_requests_total", "albert_request_duration_seconds_bucket", "albert_batch_size_bucket", "albert_queue_depth", "albert_tokens_total", "albert_tokens_per_second", "albert_process_resident_memory_bytes"]) {
      expect(metrics).toContain(name);
    }
    expect(metrics).toMatch(/albert_requests_total\{route="\/embed",status="200"\} \d+/);
    const openapi = (await (await fetch(`${service.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(openapi.openapi).toBe("3.0.3");
    expect(Object.keys(openapi.paths).sort()).toEqual(["/embed", "/health", "/metrics", "/predict", "/v1/embeddings"]);
  });
});

describe("serve: bad requests get a 4xx that says what is wrong", () => {
  const cases: [string, string | object, number, RegExp, Record<string, string>?][] = [
    ["/v1/embeddings", { input: 3 }, 400, /^body\.input must be a string or a non-empty array of at most 2048 strings, got 3$/],
    ["/v1/embeddings", { input: [] }, 400, /^body\.input must be a string or a non-empty array/],
    ["/v1/embeddings", { input: ["a", 4] }, 400, /^body\.input must be a string or a non-empty array/],
    ["/v1/embeddings", {}, 400, /^body must have the field "input"$/],
    ["/v1/embeddings", { input: "a", inputs: "b" }, 400, /^body has an unknown field "inputs"$/],
    ["/v1/embeddings", { input: "a", dimensions: 8 }, 400, /^body\.dimensions must be 16, the model's width/],
    ["/embed", { inputs: "a", normalize: "yes" }, 400, /^body\.normalize must be true \(default\): unit-length vectors; false: as pooled, got "yes"$/],
    ["/embed", "{not json", 400, /^the request body is not valid JSON/],
    ["/embed", "hello", 415, /^the request body must be JSON: send it with Content-Type: application\/json$/, { "content-type": "text/plain" }],
    ["/embed", JSON.stringify({ inputs: "a".repeat(1024 * 1024) }), 413, /^the request body is larger than the limit of 1048576 bytes \(1 MiB\)/],
    ["/nowhere", {}, 404, /^no route POST \/nowhere; this service \(feature-extraction\) has GET \/health/],
  ];
  it.each(cases.map(([route, body, status, message, headers]) => [route, `${typeof body === "string" ? body.slice(0, 40) : JSON.stringify(body)} → ${status}`, body, status, message, headers] as const))("POST %s %s", async (route, _label, body, status, message, headers) => {
    const r = await post(`${service.url}${route}`, body, headers === undefined ? {} : { headers });
    expect(r.status).toBe(status);
    const error = route.startsWith("/v1/") ? (r.body as { error: { message: string } }).error.message : (r.body as { error: string }).error;
    expect(error).toMatch(message);
  });
});

describe("serve: under load and faults", () => {
  it("answers 429 with Retry-After past the queue bound, and 503 after the request timeout", async () => {
    const gated = gatedTask(model);
    const s = await serve({ task: gated.task, port: 0, maxQueuedRequests: 2, timeoutMs: 1500, maxWaitMs: 0 });
    try {
      gated.hold();
      const running = post(`${s.url}/embed`, { inputs: "one" });
      await until(() => gated.started === 1);
      const waiting = [post(`${s.url}/embed`, { inputs: "two" }), post(`${s.url}/embed`, { inputs: "three" })];
      await until(async () => (await queueDepth(s.url)) === 2);
      const refused = await post(`${s.url}/embed`, { inputs: "four" });
      expect(refused.status).toBe(429);
      expect(refused.headers.get("retry-after")).toBe("1");
      expect(refused.body).toEqual({ error: "the queue holds its maximum of 2 waiting requests; retry shortly", error_type: "Overloaded" });
      const late = await Promise.all([running, ...waiting]);
      expect(late.map((r) => r.status)).toEqual([503, 503, 503]);
      expect((late[1]!.body as { error: string }).error).toMatch(/took longer than its timeout of 1500 ms/);
      gated.release();
    } finally {
      await s.close();
    }
  });

  it("a client that disconnects while waiting costs no model call", async () => {
    const gated = gatedTask(model);
    const s = await serve({ task: gated.task, port: 0, maxWaitMs: 0 });
    try {
      gated.hold();
      const first = post(`${s.url}/embed`, { inputs: "first" });
      await until(() => gated.started === 1);
      const controller = new AbortController();
      const gone = post(`${s.url}/embed`, { inputs: ["gone away", "also gone"] }, { signal: controller.signal }).catch((e: Error) => e);
      await until(async () => (await queueDepth(s.url)) === 1);
      controller.abort();
      expect(await gone).toBeInstanceOf(Error);
      // The service notices the closed connection and drops the request from its queue.
      await until(async () => (await queueDepth(s.url)) === 0);
      gated.release();
      expect((await first).status).toBe(200);
      expect((await post(`${s.url}/embed`, { inputs: "after" })).status).toBe(200);
      // The model ran "first" and "after" only.
      expect(gated.ran.map((batch) => batch.length)).toEqual([1, 1]);
      const metrics = await (await fetch(`${s.url}/metrics`)).text();
      expect(metrics).toMatch(/albert_requests_total\{route="\/embed",status="499"\} 1/);
    } finally {
      await s.close();
    }
  });

  it("close() answers the requests in flight, refuses new ones, and leaves no tensor behind", async () => {
    const before = tf.memory().numTensors;
    const gated = gatedTask(model);
    const s = await serve({ task: gated.task, port: 0, maxWaitMs: 0 });
    gated.hold();
    const inFlight = Array.from({ length: 5 }, (_, i) => post(`${s.url}/embed`, { inputs: `text ${i}` }));
    // Wait until the service holds all five: one at the model, four queued.
    await until(async () => (await queueDepth(s.url)) === 4);
    const closed = s.close();
    await new Promise((r) => setTimeout(r, 100));
    const health = await fetch(`${s.url}/health`).then((r) => r.status, () => "refused");
    expect([503, "refused"]).toContain(health);
    gated.release();
    const answers = await Promise.all(inFlight);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    await closed;
    expect(await fetch(`${s.url}/health`).then(() => "answered", () => "refused")).toBe("refused");
    expect(tf.memory().numTensors).toBe(before);
  });
});
