import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { PIPELINE_TASKS } from "@albert/pipelines";
import { sentences, testdataPath } from "@albert/test-utils";
import { SERVE_TASKS } from "./commands/serve.js";
import { killStartedClis, runCli, startCli } from "./test-utils/run-cli.js";

/** A KerasHub preset with a tokenizer (1000 pieces, sequence length 16, H 16), committed. */
const PRESET = testdataPath("tokenizer");
const json = { "content-type": "application/json" };

/**
 * POSTs JSON with node:http, one connection per request (fetch would hold some back). `sent`
 * settles once the request is handed to the kernel, which accepts it even from a stopped server.
 */
function postJson(url: string, body: unknown): { sent: Promise<void>; response: Promise<{ status: number; body: unknown }> } {
  let sent!: Promise<void>;
  const response = new Promise<{ status: number; body: unknown }>((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { ...json, connection: "close" } }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (d: string) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
    });
    req.on("error", reject);
    sent = new Promise((done, fail) => {
      req.on("finish", done);
      req.on("error", fail);
    });
    req.end(JSON.stringify(body));
  });
  return { sent, response };
}

afterEach(() => killStartedClis());

describe("albert serve", () => {
  it("answers requests, and on SIGTERM answers every request in flight, refuses new ones and exits 0", async () => {
    // One row per model call, so 200 requests of 16 texts keep it busy for a while.
    const service = startCli(["serve", "--preset", PRESET, "--port", "0", "--max-batch-size", "1"]);
    const [, url] = await service.waitForStderr(/serving .* \(feature-extraction\) on (http:\/\/127\.0\.0\.1:\d+): POST \/v1\/embeddings, \/embed, \/predict; GET \/health, \/metrics, \/openapi\.json\n/);
    const health = await fetch(`${url}/health`);
    expect(await health.json()).toMatchObject({ status: "ok" });

    const texts = sentences(16, 3);
    const total = 200;
    let answered = 0;
    // The service is paused (SIGSTOP) while the requests go out, so that it takes them all at
    // once when it resumes, however slowly a loaded machine lets this process send them.
    service.child.kill("SIGSTOP");
    const requests = Array.from({ length: total }, () => postJson(`${url}/embed`, { inputs: texts }));
    await Promise.all(requests.map((r) => r.sent));
    service.child.kill("SIGCONT");
    const inFlight = requests.map((r) =>
      r.response.then((r) => {
        answered++;
        return [r.status, (r.body as number[][]).length];
      }),
    );
    // Wait until the service has taken every request (queued, running or answered), then stop
    // it while many still wait.
    let queued: number;
    for (;;) {
      const metrics = await (await fetch(`${url}/metrics`)).text();
      queued = Number(/albert_queue_depth (\d+)/.exec(metrics)?.[1] ?? 0);
      if (queued + answered + 1 >= total) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(queued).toBeGreaterThan(10);
    service.child.kill("SIGTERM");
    await service.waitForStderr(/SIGTERM: answering the requests in flight, then exiting/);
    const late = await fetch(`${url}/embed`, { method: "POST", headers: json, body: JSON.stringify({ inputs: "late" }) }).then(
      (r) => r.status,
      () => "refused",
    );
    expect([503, "refused"]).toContain(late);
    const answers = await Promise.all(inFlight);
    expect(answers).toEqual(Array.from({ length: total }, () => [200, 16]));
    expect(await service.exited).toBe(0);
    expect(service.stderr()).toMatch(/albert: stopped\n$/);
  });

  it("--task fill-mask serves the pipeline on /predict", async () => {
    const service = startCli(["serve", "--preset", testdataPath("tasks", "hf", "masked_lm"), "--task", "fill-mask", "--port", "0"]);
    const [, url] = await service.waitForStderr(/on (http:\/\/127\.0\.0\.1:\d+): POST \/predict;/);
    const r = await fetch(`${url}/predict`, { method: "POST", headers: json, body: JSON.stringify({ inputs: "the license [MASK] applies.", parameters: { topK: 2 } }) });
    expect(r.status).toBe(200);
    const results = (await r.json()) as { score: number; token: number; token_str: string; sequence: string }[];
    expect(results).toHaveLength(2);
    expect(Object.keys(results[0]!).sort()).toEqual(["score", "sequence", "token", "token_str"]);
    service.child.kill("SIGTERM");
    expect(await service.exited).toBe(0);
  });

  it("--task offers @albert/pipelines' tasks (spelled out so that --help does not load TF.js)", () => {
    expect(SERVE_TASKS).toEqual([...PIPELINE_TASKS]);
  });

  it("usage errors exit 2", async () => {
    const r = await runCli(["serve", "--preset", PRESET, "--task", "summarization"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/option '--task <task>' argument 'summarization' is invalid/);
  });
});
