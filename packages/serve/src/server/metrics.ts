import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { BatchReport } from "../batching/dynamic-batcher.js";

/**
 * The service's Prometheus metrics (prom-client), in a registry of its own so that several
 * services in one process do not share counters: requests by route and status, request
 * latency, batch sizes in rows and padded tokens, queue depth, tokens processed (a counter, for
 * `rate()`, and the last batch's tokens/s as a gauge), plus Node's process metrics (memory,
 * event-loop lag), which is how a long run's memory is watched.
 */
export class ServeMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<"route" | "status">;
  readonly latency: Histogram<"route">;
  readonly batchRows: Histogram;
  readonly batchTokens: Histogram;
  readonly queueDepth: Gauge;
  readonly tokens: Counter;
  readonly tokensPerSecond: Gauge;
  readonly batchSeconds: Histogram;

  constructor(queueDepth: () => number) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: "albert_" });
    this.requests = new Counter({
      name: "albert_requests_total",
      help: "HTTP requests answered, by route and status code",
      labelNames: ["route", "status"],
      registers,
    });
    this.latency = new Histogram({
      name: "albert_request_duration_seconds",
      help: "Time from a request's arrival to its answer, by route",
      labelNames: ["route"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.batchRows = new Histogram({
      name: "albert_batch_size",
      help: "Rows per model call",
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers,
    });
    this.batchTokens = new Histogram({
      name: "albert_batch_padded_tokens",
      help: "Padded tokens (rows x longest row) per model call",
      buckets: [16, 64, 256, 1024, 2048, 4096, 8192, 16384],
      registers,
    });
    this.batchSeconds = new Histogram({
      name: "albert_batch_duration_seconds",
      help: "Time of one model call",
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.queueDepth = new Gauge({
      name: "albert_queue_depth",
      help: "Requests waiting for the model",
      registers,
      collect() {
        this.set(queueDepth());
      },
    });
    this.tokens = new Counter({ name: "albert_tokens_total", help: "Tokens run through the model (without padding)", registers });
    this.tokensPerSecond = new Gauge({
      name: "albert_tokens_per_second",
      help: "Tokens per second of the latest model call (rate(albert_tokens_total) for an average)",
      registers,
    });
  }

  recordBatch(report: BatchReport): void {
    this.batchRows.observe(report.rows);
    this.batchTokens.observe(report.paddedTokens);
    this.batchSeconds.observe(report.seconds);
    this.tokens.inc(report.tokens);
    if (report.seconds > 0) this.tokensPerSecond.set(report.tokens / report.seconds);
  }

  recordRequest(route: string, status: number, seconds: number): void {
    this.requests.inc({ route, status: String(status) });
    this.latency.observe({ route }, seconds);
  }
}
