import { ServeError, integerOption, numberOption } from "../errors.js";
import { pickAroundOldest } from "./length-groups.js";

export interface DynamicBatcherOptions {
  /** Padded tokens (rows × longest row) per model call at most (default 2048). */
  maxBatchTokens?: number;
  /** The share of a batch's padded tokens that may be padding (default 0.25): rows much
   * shorter or longer than the oldest wait for a batch of their own length. */
  maxPadding?: number;
  /** Rows per model call at most (default 64). */
  maxBatchSize?: number;
  /** How long the first waiting row may wait for others to join its batch, in ms (default 2). */
  maxWaitMs?: number;
  /** Requests waiting at most; past it `submit` fails with `queue_full` (default 256). */
  maxQueuedRequests?: number;
  /** How long a request may take from `submit` to its results, in ms (default 30000). */
  timeoutMs?: number;
}

/** One row of a request: what the model call takes, and its padded length. */
export interface BatchRow<I> {
  input: I;
  length: number;
}

/** Reported after every model call (for metrics). */
export interface BatchReport {
  rows: number;
  /** Sum of the rows' own lengths. */
  tokens: number;
  /** rows × longest row: what the call computed. */
  paddedTokens: number;
  seconds: number;
  /** Rows still waiting after this batch was taken. */
  waiting: number;
}

interface RequestState<R> {
  results: R[];
  remaining: number;
  done: boolean;
  resolve: (results: R[]) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
  cleanup: () => void;
}

interface Waiting<I, R> {
  row: BatchRow<I>;
  slot: number;
  arrived: number;
  request: RequestState<R>;
}

/**
 * Merges rows of concurrent requests into model calls: a batch starts as soon as the model is
 * free and either `maxBatchTokens` or `maxBatchSize` is reached or the oldest row has waited
 * `maxWaitMs`; it takes the oldest row and the rows nearest it in length (see
 * `pickAroundOldest`), so batches are grouped by length and padded to their own longest row.
 * One model call runs at a time; each row's result goes back to its own request. A request
 * whose caller aborts or times out leaves the queue at once, so what has not started yet costs
 * nothing.
 *
 * @example
 * ```ts
 * const batcher = new DynamicBatcher((rows: number[][]) => model.embed(rows).normalized);
 * const [vector] = await batcher.submit([{ input: ids, length: ids.length + 2 }]);
 * await batcher.close();
 * ```
 */
export class DynamicBatcher<I, R> {
  readonly maxBatchTokens: number;
  readonly maxPadding: number;
  readonly maxBatchSize: number;
  readonly maxWaitMs: number;
  readonly maxQueuedRequests: number;
  readonly timeoutMs: number;
  private waiting: Waiting<I, R>[] = [];
  private requests = new Set<RequestState<R>>();
  private running = false;
  private closing = false;
  private timer: NodeJS.Timeout | undefined;
  /** The turn after a model call, once queued: it starts the next batch. */
  private next: NodeJS.Immediate | undefined;
  private idle: (() => void)[] = [];

  constructor(
    private readonly run: (inputs: I[]) => R[] | Promise<R[]>,
    options: DynamicBatcherOptions = {},
    private readonly onBatch: (report: BatchReport) => void = () => {},
  ) {
    this.maxBatchTokens = integerOption(options.maxBatchTokens, "maxBatchTokens", 2048);
    this.maxPadding = numberOption(options.maxPadding, "maxPadding", 0.25);
    this.maxBatchSize = integerOption(options.maxBatchSize, "maxBatchSize", 64);
    this.maxWaitMs = numberOption(options.maxWaitMs, "maxWaitMs", 2);
    this.maxQueuedRequests = integerOption(options.maxQueuedRequests, "maxQueuedRequests", 256);
    this.timeoutMs = integerOption(options.timeoutMs, "timeoutMs", 30_000);
  }

  /** Requests that have rows not yet taken into a batch. */
  get queuedRequests(): number {
    return new Set(this.waiting.map((w) => w.request)).size;
  }

  /** Rows not yet taken into a batch. */
  get queuedRows(): number {
    return this.waiting.length;
  }

  /** Requests submitted and not yet answered. */
  get pendingRequests(): number {
    return this.requests.size;
  }

  /**
   * Queues a request's rows; resolves with their results in order. Fails with `queue_full`
   * when `maxQueuedRequests` requests wait already, `timeout` after `timeoutMs`, `closing`
   * after `close()`, `aborted` when `signal` aborts.
   */
  submit(rows: readonly BatchRow<I>[], signal?: AbortSignal): Promise<R[]> {
    if (this.closing) return Promise.reject(new ServeError("closing", "the service is shutting down and takes no new requests"));
    if (this.queuedRequests >= this.maxQueuedRequests) {
      return Promise.reject(
        new ServeError("queue_full", `the queue holds its maximum of ${this.maxQueuedRequests} waiting requests; retry shortly`),
      );
    }
    if (signal?.aborted) return Promise.reject(new ServeError("aborted", "the request was aborted before it was queued"));
    if (rows.length === 0) return Promise.resolve([]);
    return new Promise<R[]>((resolve, reject) => {
      const onAbort = () => this.fail(state, new ServeError("aborted", "the client went away"));
      const state: RequestState<R> = {
        results: new Array<R>(rows.length),
        remaining: rows.length,
        done: false,
        resolve,
        reject,
        timer: setTimeout(
          () => this.fail(state, new ServeError("timeout", `the request took longer than its timeout of ${this.timeoutMs} ms; retry, or send fewer inputs`)),
          this.timeoutMs,
        ),
        cleanup: () => signal?.removeEventListener("abort", onAbort),
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.requests.add(state);
      const now = performance.now();
      rows.forEach((row, slot) => this.waiting.push({ row, slot, arrived: now, request: state }));
      this.schedule();
    });
  }

  /** Takes no new requests; resolves once every submitted one is answered. */
  close(): Promise<void> {
    this.closing = true;
    if (this.requests.size === 0 && !this.running) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  // === Scheduling ===

  private schedule(): void {
    // Between two model calls the queued turn starts the next one: a request that arrives then
    // joins it rather than starting a call of its own, so one call runs per turn of the event
    // loop and I/O (new requests, /health, /metrics) is served between any two calls.
    if (this.running || this.next !== undefined || this.waiting.length === 0) return;
    const oldest = this.waiting[0]!;
    const waited = performance.now() - oldest.arrived;
    const tokens = this.waiting.reduce((sum, w) => sum + w.row.length, 0);
    const full = tokens >= this.maxBatchTokens || this.waiting.length >= this.maxBatchSize;
    if (!full && waited < this.maxWaitMs) {
      if (this.timer === undefined) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.schedule();
        }, this.maxWaitMs - waited);
      }
      return;
    }
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    void this.runBatch();
  }

  private async runBatch(): Promise<void> {
    this.running = true;
    // `waiting` is in arrival order, so index 0 is the oldest row.
    const picked = new Set(pickAroundOldest(this.waiting.map((w) => w.row.length), 0, this.maxBatchTokens, this.maxBatchSize, this.maxPadding));
    const batch = this.waiting.filter((_, i) => picked.has(i));
    this.waiting = this.waiting.filter((_, i) => !picked.has(i));
    const start = performance.now();
    try {
      const results = await this.run(batch.map((w) => w.row.input));
      const lengths = batch.map((w) => w.row.length);
      this.onBatch({
        rows: batch.length,
        tokens: lengths.reduce((a, b) => a + b, 0),
        paddedTokens: batch.length * Math.max(...lengths),
        seconds: (performance.now() - start) / 1000,
        waiting: this.waiting.length,
      });
      batch.forEach((w, i) => this.deliver(w, results[i]!));
    } catch (error) {
      for (const w of batch) this.fail(w.request, error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.running = false;
    }
    // Let I/O callbacks run first, so requests that arrived during the call join the next batch.
    this.next = setImmediate(() => {
      this.next = undefined;
      this.schedule();
      this.checkIdle();
    });
  }

  // === Answers ===

  private deliver(w: Waiting<I, R>, result: R): void {
    const state = w.request;
    if (state.done) return;
    state.results[w.slot] = result;
    if (--state.remaining === 0) {
      this.finish(state);
      state.resolve(state.results);
    }
  }

  private fail(state: RequestState<R>, error: Error): void {
    if (state.done) return;
    this.waiting = this.waiting.filter((w) => w.request !== state);
    this.finish(state);
    state.reject(error);
    this.checkIdle();
  }

  private finish(state: RequestState<R>): void {
    state.done = true;
    clearTimeout(state.timer);
    state.cleanup();
    this.requests.delete(state);
  }

  private checkIdle(): void {
    if (this.requests.size > 0 || this.running) return;
    for (const resolve of this.idle.splice(0)) resolve();
  }
}
