import v8 from "node:v8";
import vm from "node:vm";
import autocannon from "autocannon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tf } from "@albert/core";
import { EmbeddingModel } from "../model/embedding-model.js";
import { TINY_PRESET, sentences } from "../test-utils/corpus.js";
import { serve, type ServeHandle } from "./serve.js";

// Load tests: autocannon against 127.0.0.1 only, each round bounded in time (a few seconds).

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

let model: EmbeddingModel;
let service: ServeHandle;

beforeAll(async () => {
  model = await EmbeddingModel.fromPreset(TINY_PRESET);
  service = await serve({ model, port: 0 });
});
afterAll(async () => {
  await service.close();
  model.dispose();
});

const TEXTS = sentences(64, 7);
const json = { "content-type": "application/json" };

/** What each kind of request must get: its status and, for errors, the message. */
const KINDS = [
  { name: "openai", path: "/v1/embeddings", body: (i: number) => JSON.stringify({ input: TEXTS[i % 64] }), status: 200 },
  { name: "tei", path: "/embed", body: (i: number) => JSON.stringify({ inputs: TEXTS.slice(i % 60, (i % 60) + 4) }), status: 200 },
  { name: "bad-json", path: "/embed", body: () => "{oops", status: 400, message: /^the request body is not valid JSON/ },
  { name: "bad-field", path: "/v1/embeddings", body: () => JSON.stringify({ input: "x", temperature: 1 }), status: 400, message: /^body has an unknown field "temperature"$/ },
  { name: "too-long", path: "/embed", body: () => JSON.stringify({ inputs: "the quick brown fox ".repeat(20), truncate: false }), status: 400, message: /the model takes at most 16/ },
  { name: "bad-type", path: "/embed", body: () => JSON.stringify({ inputs: [1, 2] }), status: 400, message: /^body\.inputs must be a string or a non-empty array/ },
] as const;

interface Round {
  result: autocannon.Result;
  statuses: Map<number, number>;
  /** Error messages no bad request of the round should get. */
  wrongMessages: string[];
  retryAfter: Set<string | undefined>;
}

/**
 * One bounded autocannon run cycling through `kinds`. autocannon does not say which request a
 * response answers, so each answer is checked against every kind: a 200 must be an embedding
 * response, an error must carry one of the bad kinds' messages.
 */
async function round(url: string, seconds: number, connections: number, kinds: readonly (typeof KINDS)[number][]): Promise<Round> {
  const statuses = new Map<number, number>();
  const wrongMessages: string[] = [];
  const retryAfter = new Set<string | undefined>();
  const messages = kinds.flatMap((k) => ("message" in k ? [k.message] : []));
  let n = 0;
  const onResponse = (status: number, body: string, _context: object, headers: autocannon.Request["headers"]) => {
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    const parsed = JSON.parse(body) as unknown;
    if (status === 200) {
      const ok = Array.isArray(parsed) ? parsed.every((v) => Array.isArray(v) && v.length === 16) : (parsed as { object?: string }).object === "list";
      if (!ok) wrongMessages.push(`200 with ${body.slice(0, 80)}`);
      return;
    }
    if (status === 429) {
      retryAfter.add((headers as Record<string, string> | undefined)?.["retry-after"]);
      return;
    }
    const error = (parsed as { error: string | { message: string } }).error;
    const message = typeof error === "string" ? error : error.message;
    if (status !== 400 || !messages.some((m) => m.test(message))) wrongMessages.push(`${status} ${message}`);
  };
  const requests = kinds.map((kind) => ({
    method: "POST" as const,
    path: kind.path,
    headers: json,
    setupRequest: (request: autocannon.Request) => ({ ...request, body: kind.body(n++) }),
    onResponse,
  }));
  const result = await autocannon({ url, connections, duration: seconds, requests, timeout: 20 });
  return { result, statuses, wrongMessages, retryAfter };
}

describe("serve under load (autocannon, 127.0.0.1, bounded)", () => {
  it("answers good requests 200 and bad ones 400 with their message, no 5xx, with flat memory", async () => {
    const measure = () => {
      gc();
      return { tensors: tf.memory().numTensors, bytes: tf.memory().numBytes, heap: process.memoryUsage().heapUsed };
    };
    const warmUp = await round(service.url, 3, 16, KINDS);
    const before = measure();
    const load = await round(service.url, 4, 16, KINDS);
    const after = measure();
    for (const r of [warmUp, load]) {
      expect(r.result.errors).toBe(0);
      expect(r.result.timeouts).toBe(0);
      expect(r.result["5xx"]).toBe(0);
      expect(r.wrongMessages).toEqual([]);
      expect([...r.statuses.keys()].sort()).toEqual([200, 400]);
      // Two of the six kinds are good requests.
      const share = r.statuses.get(200)! / r.result.requests.total;
      expect(share).toBeGreaterThan(0.25);
      expect(share).toBeLessThan(0.42);
    }
    expect(load.result.requests.total).toBeGreaterThan(100);
    // Flat memory: no tensor left behind, and the JS heap after a collection within a few MB.
    expect(after.tensors).toBe(before.tensors);
    expect(after.bytes).toBe(before.bytes);
    expect(after.heap - before.heap).toBeLessThan(16 * 1024 * 1024);
  });

  it("past its queue bound answers 429 with Retry-After, never 5xx", async () => {
    const small = await serve({ model, port: 0, maxQueuedRequests: 2 });
    try {
      const r = await round(small.url, 3, 48, [KINDS[1]]);
      expect([...r.statuses.keys()].sort()).toEqual([200, 429]);
      expect(r.wrongMessages).toEqual([]);
      expect(r.retryAfter).toEqual(new Set(["1"]));
      expect(r.result["5xx"]).toBe(0);
      expect(r.result.errors).toBe(0);
    } finally {
      await small.close();
    }
  });
});
