import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (this file is internal/test-utils/src/index.ts). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/** A path inside the committed test data (`testdata/`, described in testdata/README.md). */
export function testdataPath(...parts: string[]): string {
  return path.join(REPO_ROOT, "testdata", ...parts);
}

/**
 * A path inside `../shared/fixtures` (next to the repository), for third-party files that are
 * not committed here, or `undefined` where that folder is absent: tests skip and say so.
 */
export function sharedFixturePath(...parts: string[]): string | undefined {
  const p = path.join(REPO_ROOT, "..", "shared", "fixtures", ...parts);
  return existsSync(p) ? p : undefined;
}

export function readJson<T = unknown>(file: string): T {
  return JSON.parse(readFileSync(file, "utf8")) as T;
}

/** Nested number arrays of any depth. */
export type Nested = number | Nested[];

export function flatten(value: Nested | ArrayLike<number>): number[] {
  if (typeof value === "number") return [value];
  const out: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const item = (value as ArrayLike<Nested>)[i] as Nested;
    if (typeof item === "number") out.push(item);
    else out.push(...flatten(item));
  }
  return out;
}

/** Shape of a (non-ragged) nested array. */
export function shapeOf(value: Nested): number[] {
  const shape: number[] = [];
  let v: Nested = value;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v[0] as Nested;
  }
  return shape;
}

/** Largest absolute difference; throws when the sizes differ. NaN counts as infinitely far. */
export function maxAbsDiff(actual: ArrayLike<number> | Nested, expected: ArrayLike<number> | Nested): number {
  const a = flatten(actual as Nested);
  const e = flatten(expected as Nested);
  if (a.length !== e.length) throw new Error(`size mismatch: ${a.length} values vs ${e.length} expected`);
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - e[i]!);
    if (!(d <= max)) max = Number.isNaN(d) ? Infinity : d;
  }
  return max;
}

/** The tolerance every fp32 parity test uses against the Python references. */
export const PARITY_TOLERANCE = 1e-4;

/** KerasHub fixture folders under testdata/keras whose float32 outputs we match. */
export const KERAS_FIXTURES = ["tiny", "grouped", "wide"] as const;
/** Reduced-precision presets, matched against their `expected_float32_compute.json`. */
export const KERAS_REDUCED_PRECISION_FIXTURES = ["tiny_f16", "tiny_bf16"] as const;

export interface KerasFixtureInputs {
  token_ids: number[][];
  segment_ids: number[][];
  padding_mask: number[][];
}

export interface KerasFixtureExpected {
  sequence_output: number[][][];
  pooled_output: number[][];
}

export { makeTar, makeZip, type ArchiveEntry } from "./archives.js";
export { browserTwins, namesMissingFromTwin, type BrowserTwin } from "./browser-twins.js";
export { caught } from "./caught.js";
export { withCasingRecord } from "./casing-record.js";
export {
  defaultCommit,
  startHubServer,
  type Fault,
  type FaultKind,
  type FileData,
  type HfRepo,
  type HubServer,
  type KaggleModel,
  type KaggleVersion,
  type RecordedRequest,
} from "./hub-server.js";
export { copySafetensors } from "./safetensors-copy.js";
export { freePort, startTestRedis, TEST_REDIS_ENV, type TestRedis } from "./redis-server.js";
export { sentences, writeCorpus } from "./corpus.js";
