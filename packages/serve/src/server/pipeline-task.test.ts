import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pipeline } from "@albert/pipelines";
import { testdataPath } from "@albert/test-utils";
import { pipelineTask, type ServablePipeline } from "./pipeline-task.js";
import { serve, type ServeHandle } from "./serve.js";

// The tiny HF task checkpoints of testdata/tasks/hf; @albert/pipelines' own tests check the
// pipelines against transformers. Here: a request answered from a shared batch gets exactly
// what calling the pipeline with that request's inputs alone gives.

const CHECKPOINTS = {
  "fill-mask": "masked_lm",
  "text-classification": "sequence_classification",
  "token-classification": "token_classification",
  "question-answering": "question_answering",
} as const;

type Task = keyof typeof CHECKPOINTS;

const CONTEXT = "The license applies to any program. You may convey verbatim copies of the Program's source code.";

/** Requests per task: inputs in every form the pipeline takes, with and without parameters. */
const REQUESTS: Record<Task, { inputs: unknown; parameters?: Record<string, unknown> }[]> = {
  "fill-mask": [
    { inputs: "the license [MASK] applies to any program." },
    { inputs: ["You may [MASK] copies of the Program.", "[MASK] free software foundation [MASK] license"], parameters: { topK: 3 } },
    { inputs: ["the [MASK] of the program."], parameters: { topK: 3 } },
  ],
  "text-classification": [
    { inputs: "free software is good" },
    { inputs: ["free software is good", "the program is broken"] },
    { inputs: ["free software", "copies"], parameters: { topK: null } },
    { inputs: { text: "is it free?", text_pair: "yes it is free" } },
    { inputs: [["is it free?", "yes it is free"]] },
  ],
  "token-classification": [
    { inputs: "john smith lives in new york." },
    { inputs: ["the free software foundation in boston", "richard wrote it"], parameters: { aggregationStrategy: "simple", ignoreLabels: [] } },
  ],
  "question-answering": [
    { inputs: { question: "What may you convey?", context: CONTEXT } },
    { inputs: [{ question: "What applies?", context: CONTEXT }, { question: "Copies of what?", context: CONTEXT }], parameters: { topK: 2 } },
    { inputs: { question: ["What applies?", "What may you convey?"], context: CONTEXT } },
  ],
};

const pipes = new Map<Task, ServablePipeline>();
const services = new Map<Task, ServeHandle>();

beforeAll(async () => {
  for (const [task, dir] of Object.entries(CHECKPOINTS) as [Task, string][]) {
    const load = pipeline as unknown as (t: string, m: string) => Promise<ServablePipeline>;
    // One pipeline for direct calls, one behind the service (so calls do not interleave); a
    // wait long enough that concurrent requests share calls even on a loaded machine.
    pipes.set(task, await load(task, testdataPath("tasks", "hf", dir)));
    services.set(task, await serve({ task: pipelineTask(await load(task, testdataPath("tasks", "hf", dir))), port: 0, maxWaitMs: 100, maxPadding: 1 }));
  }
});
afterAll(async () => {
  for (const s of services.values()) await s.close();
  for (const p of pipes.values()) p.dispose();
});

/** Scores to 5 decimals: batches padded differently may differ in the last float bits. */
const rounded = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value), (_key, v: unknown) => (typeof v === "number" && !Number.isInteger(v) ? Number(v.toFixed(5)) : v));

async function predict(task: Task, body: unknown): Promise<{ status: number; body: unknown }> {
  const r = await fetch(`${services.get(task)!.url}/predict`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: r.status, body: await r.json() };
}

describe("POST /predict on @albert/pipelines", () => {
  it.each(Object.keys(CHECKPOINTS) as Task[])("%s: concurrent requests get what the pipeline gives each alone", async (task) => {
    const requests = REQUESTS[task];
    const answers = await Promise.all(requests.map((r) => predict(task, r)));
    for (const [i, request] of requests.entries()) {
      const direct = await pipes.get(task)!(request.inputs, request.parameters);
      expect(answers[i]!.status).toBe(200);
      expect(rounded(answers[i]!.body)).toEqual(rounded(direct));
    }
    // The requests shared model calls (any padding allowed: they differ in length).
    const metrics = await (await fetch(`${services.get(task)!.url}/metrics`)).text();
    const calls = Number(/albert_batch_size_count (\d+)/.exec(metrics)![1]);
    expect(calls).toBeLessThan(requests.length);
  });

  it("a bad input fails its own request only, with the pipeline's message", async () => {
    const [bad, good] = await Promise.all([
      predict("fill-mask", { inputs: "no mask here" }),
      predict("fill-mask", { inputs: "the license [MASK] applies to any program." }),
    ]);
    expect(bad.status).toBe(400);
    expect((bad.body as { error: string }).error).toMatch(/No mask_token \(\[MASK\]\) found on the input/);
    expect(good.status).toBe(200);
    const option = await predict("text-classification", { inputs: "x", parameters: { topk: 2 } });
    expect(option.status).toBe(400);
    expect((option.body as { error: string }).error).toMatch(/unknown option "topk"/);
  });

  it("has no embedding routes: 404 naming the routes it has", async () => {
    const r = await fetch(`${services.get("fill-mask")!.url}/v1/embeddings`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(r.status).toBe(404);
    expect(((await r.json()) as { error: { message: string } }).error.message).toBe(
      "no route POST /v1/embeddings; this service (fill-mask) has GET /health, GET /metrics, GET /openapi.json, POST /predict",
    );
  });
});
