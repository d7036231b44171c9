/**
 * The worker side of the harness' process protocol: a worker gets its arguments as one JSON
 * string in argv[2] and prints exactly one `BENCH_RESULT <json>` line (see child-process.ts).
 */

import { readFileSync } from "node:fs";
import { median } from "../cases.js";

export const RESULT_PREFIX = "BENCH_RESULT ";

export function workerArgs<T>(): T {
  const raw = process.argv[2];
  if (raw === undefined) throw new Error("usage: node <worker>.js '<json arguments>'");
  return JSON.parse(raw) as T;
}

export function emit(result: Record<string, unknown>): void {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify({ ...result, pid: process.pid })}\n`);
}

/** Peak resident set of this process so far, in MB (getrusage's maxrss is in KiB). */
export function peakRssMB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

export function rssMB(): number {
  return process.memoryUsage().rss / (1024 * 1024);
}

/** A forward case's memory: the peak RSS, and the private (anonymous) resident memory now. */
export function memoryFigures(): { peakRssMB: number; anonRssMB: number | undefined } {
  return { peakRssMB: peakRssMB(), anonRssMB: anonRssMB() };
}

/** Private (anonymous) resident memory now, in MB: RSS without the file-backed pages of loaded
 * libraries (Linux `RssAnon`; undefined elsewhere). */
function anonRssMB(): number | undefined {
  try {
    const match = /^RssAnon:\s+(\d+) kB/m.exec(readFileSync("/proc/self/status", "utf8"));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs a worker's main function, reporting a thrown error as a failed result. */
export function runWorker(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    emit({ failed: errorMessage(error), stack: error instanceof Error ? error.stack : undefined });
    process.exitCode = 1;
  });
}

export interface Timing {
  firstCallMs: number;
  warmups: number;
  runs: number;
  timesMs: number[];
  medianMs: number;
  minMs: number;
}

/** Calls `fn` `warmups + runs` times; the first call is reported separately. */
export async function timeCalls<T>(
  fn: () => T | Promise<T>,
  warmups: number,
  runs: number,
  onFirst?: (value: T) => void,
): Promise<Timing> {
  const times: number[] = [];
  for (let i = 0; i < warmups + runs; i++) {
    const start = performance.now();
    const value = await fn();
    times.push(performance.now() - start);
    if (i === 0 && onFirst) onFirst(value);
  }
  const timed = times.slice(warmups);
  return {
    firstCallMs: times[0]!,
    warmups,
    runs,
    timesMs: timed,
    medianMs: median(timed),
    minMs: Math.min(...timed),
  };
}

/** Largest absolute difference between two arrays (Infinity when lengths differ). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= max)) max = d; // NaN propagates as a failure
  }
  return max;
}
