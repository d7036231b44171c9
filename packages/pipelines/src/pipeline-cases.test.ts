/**
 * Every case transformers 5.17's pipelines recorded on the fixture checkpoints
 * (testdata/tasks/hf/<head>/pipeline_cases.json): the same results, keys and nesting, with
 * labels, tokens, words and offsets exact and scores within 1e-5 (feature vectors within 1e-4,
 * the hidden states' tolerance).
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PARITY_TOLERANCE, readJson, testdataPath } from "@albert/test-utils";
import { tf } from "@albert/core";
import { pipeline, type PipelineTask } from "./index.js";

interface Case {
  task: PipelineTask;
  pipeline_kwargs: Record<string, unknown>;
  call_args: unknown[];
  call_kwargs: Record<string, unknown>;
  result: unknown;
}

const SCORE_TOLERANCE = 1e-5;
const hfDir = (head: string) => testdataPath("tasks", "hf", head);

function cases(head: string): Case[] {
  return readJson<{ cases: Case[] }>(path.join(hfDir(head), "pipeline_cases.json")).cases;
}

/** transformers' keyword arguments in our camelCase. */
function camel(kwargs: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(kwargs).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]));
}

/** Every difference between `actual` and `expected`: numbers within `tolerance`, the rest equal. */
function differences(actual: unknown, expected: unknown, tolerance: number, where = "result"): string[] {
  if (typeof expected === "number") {
    if (typeof actual !== "number") return [`${where}: ${JSON.stringify(actual)} is not a number`];
    const exact = !where.endsWith(".score") && Number.isInteger(expected) && tolerance === SCORE_TOLERANCE;
    if (exact ? actual !== expected : !(Math.abs(actual - expected) <= tolerance)) return [`${where}: ${actual} vs ${expected}`];
    return [];
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return [`${where}: ${JSON.stringify(actual)?.slice(0, 120)} vs an array of ${expected.length}`];
    return expected.flatMap((e, i) => differences(actual[i], e, tolerance, `${where}[${i}]`));
  }
  if (typeof expected === "object" && expected !== null) {
    if (typeof actual !== "object" || actual === null) return [`${where}: ${JSON.stringify(actual)} is not an object`];
    const keys = Object.keys(expected);
    if (Object.keys(actual).join() !== keys.join()) return [`${where}: keys ${Object.keys(actual).join()} vs ${keys.join()}`];
    return keys.flatMap((k) => differences((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], tolerance, `${where}.${k}`));
  }
  return actual === expected ? [] : [`${where}: ${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`];
}

describe.each(["masked_lm", "sequence_classification", "token_classification"])("hf/%s pipeline_cases.json", (head) => {
  it.each(cases(head).map((c, i) => ({ ...c, name: `${i}: ${c.task} ${JSON.stringify(c.call_kwargs)}` })))("$name", async (c) => {
    const before = tf.memory().numTensors;
    const pipe = await pipeline(c.task as "fill-mask", hfDir(head), { batchSize: 2 });
    const run = pipe as unknown as (inputs: unknown, options: object) => Promise<unknown>;
    const result = await run(c.call_args[0], camel(c.call_kwargs));
    const tolerance = c.task === "feature-extraction" ? PARITY_TOLERANCE : SCORE_TOLERANCE;
    expect(differences(result, c.result, tolerance)).toEqual([]);
    pipe.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
