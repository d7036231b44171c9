import { describe, expect, it } from "vitest";
import { caught } from "@albert/test-utils";
import { ServeError } from "../errors.js";
import { DynamicBatcher } from "./dynamic-batcher.js";

/** A model stand-in whose calls are recorded and can be held open. */
function recorder() {
  const calls: number[][] = [];
  let active = 0;
  let maxActive = 0;
  let gate: Promise<void> = Promise.resolve();
  let open: () => void = () => {};
  return {
    calls,
    get maxActive() {
      return maxActive;
    },
    hold() {
      gate = new Promise((resolve) => (open = resolve));
    },
    release: () => open(),
    run: async (rows: number[]) => {
      calls.push(rows);
      active++;
      maxActive = Math.max(maxActive, active);
      await gate;
      active--;
      return rows.map((r) => r * 10);
    },
  };
}

describe("DynamicBatcher", () => {
  it("merges concurrent requests into one call and routes each result back to its request", async () => {
    const model = recorder();
    const batcher = new DynamicBatcher(model.run, { maxWaitMs: 20 });
    const results = await Promise.all([
      batcher.submit([{ input: 1, length: 4 }]),
      batcher.submit([{ input: 2, length: 4 }, { input: 3, length: 5 }]),
      batcher.submit([{ input: 4, length: 3 }]),
    ]);
    expect(results).toEqual([[10], [20, 30], [40]]);
    expect(model.calls).toHaveLength(1);
    expect(model.calls[0]!.sort()).toEqual([1, 2, 3, 4]);
  });

  it("runs one model call at a time, and batches by length within the token budget", async () => {
    const model = recorder();
    model.hold();
    const batcher = new DynamicBatcher(model.run, { maxWaitMs: 0, maxBatchTokens: 32 });
    const first = batcher.submit([{ input: 0, length: 8 }]);
    await new Promise((r) => setTimeout(r, 10));
    // While the first call runs, rows of two lengths arrive: short ones and long ones.
    const rest = [1, 2, 3, 4].map((i) => batcher.submit([{ input: i, length: i % 2 === 0 ? 16 : 4 }]));
    model.release();
    await Promise.all([first, ...rest]);
    expect(model.maxActive).toBe(1);
    // The oldest (1, length 4) goes with the other short row (3); the long ones (2 x 16 = 32) together.
    expect(model.calls.slice(1).map((c) => [...c].sort())).toEqual([
      [1, 3],
      [2, 4],
    ]);
  });

  it("runs one model call per turn of the event loop, however many requests arrive between calls", async () => {
    // A synchronous model taking 1 ms, as on native TF, and requests that keep arriving from timers (as
    // HTTP requests arrive from I/O) between one call and the next.
    let calls = 0;
    const batcher = new DynamicBatcher((rows: number[]) => {
      calls++;
      for (const start = performance.now(); performance.now() - start < 1; );
      return rows;
    }, { maxBatchSize: 1, maxWaitMs: 0 });
    const submitted: Promise<number[]>[] = [];
    let arrived!: () => void;
    const allArrived = new Promise<void>((resolve) => (arrived = resolve));
    const arrive = (n: number) => {
      submitted.push(batcher.submit([{ input: n, length: 4 }, { input: n, length: 4 }]));
      if (n < 40) setTimeout(() => arrive(n + 1), 0);
      else arrived();
    };
    arrive(0);
    // Turns of the event loop, counted by a callback that requeues itself each turn.
    let turns = 0;
    let mostPerTurn = 0;
    let callsAtTurn = 0;
    let stopped = false;
    const turn = () => {
      turns++;
      mostPerTurn = Math.max(mostPerTurn, calls - callsAtTurn);
      callsAtTurn = calls;
      if (!stopped) setImmediate(turn);
    };
    setImmediate(turn);
    await allArrived;
    await Promise.all(submitted);
    stopped = true;
    expect(calls).toBe(82);
    expect(turns).toBeGreaterThanOrEqual(calls - 1);
    expect(mostPerTurn).toBeLessThanOrEqual(1);
  });

  it("refuses past maxQueuedRequests with queue_full, and times out with timeout", async () => {
    const model = recorder();
    model.hold();
    const batcher = new DynamicBatcher(model.run, { maxWaitMs: 0, maxQueuedRequests: 2, timeoutMs: 300 });
    const running = batcher.submit([{ input: 1, length: 1 }]);
    await new Promise((r) => setTimeout(r, 10));
    const waiting = [batcher.submit([{ input: 2, length: 1 }]), batcher.submit([{ input: 3, length: 1 }])];
    const full = await caught(() => batcher.submit([{ input: 4, length: 1 }]));
    expect(full).toBeInstanceOf(ServeError);
    expect((full as ServeError).code).toBe("queue_full");
    expect((full as Error).message).toMatch(/maximum of 2 waiting requests/);
    const timedOut = await Promise.allSettled([running, ...waiting]);
    expect(timedOut.map((r) => r.status)).toEqual(["rejected", "rejected", "rejected"]);
    expect(((timedOut[1] as PromiseRejectedResult).reason as ServeError).code).toBe("timeout");
    model.release();
    await batcher.close();
    // The rows that timed out while waiting never reached the model.
    expect(model.calls).toEqual([[1]]);
  });

  it("drops an aborted request's rows before they cost a model call", async () => {
    const model = recorder();
    model.hold();
    const batcher = new DynamicBatcher(model.run, { maxWaitMs: 0 });
    const running = batcher.submit([{ input: 1, length: 1 }]);
    await new Promise((r) => setTimeout(r, 10));
    const controller = new AbortController();
    const gone = batcher.submit([{ input: 2, length: 1 }], controller.signal);
    const kept = batcher.submit([{ input: 3, length: 1 }]);
    controller.abort();
    expect(((await caught(() => gone)) as ServeError).code).toBe("aborted");
    model.release();
    expect(await kept).toEqual([30]);
    await running;
    expect(model.calls.flat()).toEqual([1, 3]);
  });

  it("close() answers what was submitted, then refuses new requests with closing", async () => {
    const model = recorder();
    const batcher = new DynamicBatcher(model.run, { maxWaitMs: 5 });
    const pending = batcher.submit([{ input: 7, length: 1 }]);
    await batcher.close();
    expect(await pending).toEqual([70]);
    expect(((await caught(() => batcher.submit([{ input: 1, length: 1 }]))) as ServeError).code).toBe("closing");
  });

  it("fails the requests of a batch whose model call throws, and keeps serving", async () => {
    let fail = true;
    const batcher = new DynamicBatcher(async (rows: number[]) => {
      if (fail) {
        fail = false;
        throw new Error("model broke");
      }
      return rows;
    }, { maxWaitMs: 0 });
    expect(((await caught(() => batcher.submit([{ input: 1, length: 1 }]))) as Error).message).toBe("model broke");
    expect(await batcher.submit([{ input: 2, length: 1 }])).toEqual([2]);
  });

  it("checks its options", () => {
    expect(() => new DynamicBatcher(async (r) => r, { maxBatchTokens: 0 })).toThrow(/maxBatchTokens must be an integer ≥ 1, got 0/);
  });
});
