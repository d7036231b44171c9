import { spawn } from "node:child_process";
import path from "node:path";
import autocannon from "autocannon";

export interface ServingRun {
  connections: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
  /** Model calls during the run and the mean rows per call (from /metrics). */
  batches: number;
  meanBatchSize: number;
}

export interface DirectCost {
  batch: number;
  /** Median time of one `EmbeddingModel.embed` call on that many sentences, in ms. */
  medianMs: number;
  sentencesPerSecond: number;
}

export interface ServingResult {
  /** Mean tokens per sentence, [CLS] and [SEP] included, as the model took them. */
  meanTokens: number;
  sequential: ServingRun;
  concurrent: ServingRun;
  speedup: number;
  direct: DirectCost[];
}

/** Model calls and rows so far, from the service's Prometheus text. */
async function batchCounters(url: string): Promise<{ count: number; sum: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? 0);
  return { count: value("albert_batch_size_count"), sum: value("albert_batch_size_sum") };
}

async function load(url: string, sentences: readonly string[], connections: number, seconds: number): Promise<ServingRun> {
  const before = await batchCounters(url);
  let n = 0;
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    timeout: 60,
    requests: [
      {
        method: "POST",
        path: "/v1/embeddings",
        headers: { "content-type": "application/json" },
        setupRequest: (request) => ({ ...request, body: JSON.stringify({ input: sentences[n++ % sentences.length] }) }),
      },
    ],
  });
  const after = await batchCounters(url);
  const batches = after.count - before.count;
  return {
    connections,
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    batches,
    meanBatchSize: batches > 0 ? (after.sum - before.sum) / batches : 0,
  };
}

/**
 * `albert serve` (a child process, native TF, oneDNN on as in the library) under autocannon on
 * 127.0.0.1: one connection at a time, then `connections` at once, each request one sentence;
 * then, with the service stopped, the direct cost of `EmbeddingModel.embed` at the batch sizes
 * the service ran.
 */
export async function servingBenchmark(options: {
  root: string;
  preset: string;
  sentences: readonly string[];
  connections: number;
  seconds: number;
  log: (line: string) => void;
}): Promise<ServingResult> {
  const cli = path.join(options.root, "packages", "cli", "bin", "albert.js");
  const child = spawn(process.execPath, [cli, "serve", "--preset", options.preset, "--port", "0"], {
    env: { ...process.env, TF_ENABLE_ONEDNN_OPTS: "1" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  try {
    let match: RegExpExecArray | null = null;
    for (let waited = 0; match === null; waited += 100) {
      if (child.exitCode !== null || waited > 120_000) throw new Error(`albert serve did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
      match = /on (http:\/\/[^\s:]+:\d+)/.exec(stderr);
    }
    const url = match[1]!;
    options.log(`serving: warm-up, then ${options.seconds} s with 1 connection and ${options.seconds} s with ${options.connections}`);
    await load(url, options.sentences, options.connections, 3);
    const sequential = await load(url, options.sentences, 1, options.seconds);
    const concurrent = await load(url, options.sentences, options.connections, options.seconds);
    child.kill("SIGTERM");
    await new Promise((r) => child.once("close", r));
    const batchSizes = [...new Set([1, Math.max(1, Math.round(concurrent.meanBatchSize)), options.connections])].sort((a, b) => a - b);
    const { direct, meanTokens } = await directCosts(options.preset, options.sentences, batchSizes);
    return { meanTokens, sequential, concurrent, speedup: concurrent.requestsPerSecond / sequential.requestsPerSecond, direct };
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
}

async function directCosts(preset: string, sentences: readonly string[], sizes: number[]): Promise<{ direct: DirectCost[]; meanTokens: number }> {
  const { EmbeddingModel } = await import("@albert/serve");
  const model = await EmbeddingModel.fromPreset(preset);
  try {
    const meanTokens = sentences.reduce((sum, s) => sum + model.tokenize(s).ids.length, 0) / sentences.length;
    const direct = sizes.map((batch) => {
      const times: number[] = [];
      for (let run = 0; run < 3 + 10; run++) {
        // Spread over the corpus, so each call's sentences have the lengths the service saw.
        const rows = Array.from({ length: batch }, (_, i) => model.tokenize(sentences[(run * 7919 + i * 104_729) % sentences.length]!).ids);
        const start = performance.now();
        model.embed(rows);
        if (run >= 3) times.push(performance.now() - start);
      }
      times.sort((a, b) => a - b);
      const medianMs = times[Math.floor(times.length / 2)]!;
      return { batch, medianMs, sentencesPerSecond: (batch * 1000) / medianMs };
    });
    return { direct, meanTokens };
  } finally {
    model.dispose();
  }
}
