/**
 * `albert fill-mask`, `classify`, `ner` and `qa` as subprocesses on the transformers fixture
 * checkpoints (testdata/tasks/hf): arguments and JSON lines in, one JSON line per input out,
 * with the results transformers recorded (pipeline_cases.json) and v4's QA answers
 * (span_selection.json); typed one-line errors for bad input.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readJson, testdataPath } from "@albert/test-utils";
import { expectOneLineError, jsonLines, runCli, tempDir } from "./test-utils/run-cli.js";

const hfDir = (head: string) => testdataPath("tasks", "hf", head);
const tmp = tempDir("pipelines");
afterAll(() => tmp.cleanup());

interface Case {
  call_args: unknown[];
  call_kwargs: Record<string, unknown>;
  result: unknown;
}
const cases = (head: string) => readJson<{ cases: Case[] }>(path.join(hfDir(head), "pipeline_cases.json")).cases;

/** Numbers rounded to 1e-5 (the scores' tolerance), so results compare with toEqual. */
function rounded(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_, v: unknown) => (typeof v === "number" && !Number.isInteger(v) ? Math.round(v * 1e5) / 1e5 : v)));
}

function expectClose(actual: unknown, expected: unknown): void {
  const scores = (v: unknown): number[] => JSON.stringify(v).match(/"score":-?[\d.e-]+/g)!.map((s) => Number(s.slice(8)));
  expect(JSON.stringify(rounded(actual)).replace(/"score":-?[\d.e-]+/g, "")).toBe(JSON.stringify(rounded(expected)).replace(/"score":-?[\d.e-]+/g, ""));
  scores(actual).forEach((s, i) => expect(Math.abs(s - scores(expected)[i]!)).toBeLessThanOrEqual(1e-5));
}

describe("albert fill-mask / classify / ner", () => {
  it("fill-mask: TEXT arguments give transformers' candidates, one line per text", async () => {
    const recorded = cases("masked_lm")[0]!;
    const texts = recorded.call_args[0] as string[];
    const result = await runCli(["fill-mask", "-p", hfDir("masked_lm"), "--top-k", "5", ...texts]);
    expect(result.code, result.stderr).toBe(0);
    const lines = jsonLines<{ index: number; text: string; predictions: unknown }>(result.stdout);
    expect(lines.map((l) => [l.index, l.text])).toEqual(texts.map((t, i) => [i, t]));
    expectClose(lines.map((l) => l.predictions), recorded.result);
  });

  it("classify: labels and scores; JSON lines with ids and pairs; --all", async () => {
    const recorded = cases("sequence_classification");
    const texts = recorded[0]!.call_args[0] as string[];
    const best = await runCli(["classify", "-p", hfDir("sequence_classification"), ...texts]);
    expect(best.code, best.stderr).toBe(0);
    expectClose(
      jsonLines(best.stdout).map(({ label, score }) => ({ label, score })),
      recorded[0]!.result,
    );
    const stdin = [
      ...texts.map((text, i) => JSON.stringify({ text, id: `t${i}` })),
      JSON.stringify({ ...(recorded[2]!.call_args[0] as object), id: 9 }),
    ].join("\n");
    const all = await runCli(["classify", "-p", hfDir("sequence_classification"), "--all", "--batch-size", "2"], { stdin });
    expect(all.code, all.stderr).toBe(0);
    const lines = jsonLines<{ id: string; scores: unknown; text_pair?: string }>(all.stdout);
    expect(lines.map((l) => l.id)).toEqual(["t0", "t1", "t2", 9]);
    expectClose(lines.slice(0, 3).map((l) => l.scores), recorded[1]!.result);
    expectClose(lines[3]!.scores, recorded[2]!.result);
    expect(lines[3]!.text_pair).toBe("yes, it is distributed under the gnu license.");
  });

  it("ner: --aggregation and --ignore-labels '' as transformers recorded them; --output FILE", async () => {
    // The pipeline's tests cover every strategy; here, that the options reach it.
    const picked = cases("token_classification").filter(
      (c) => (c.call_kwargs["aggregation_strategy"] === "none" && c.call_kwargs["ignore_labels"] === undefined) ||
        (c.call_kwargs["aggregation_strategy"] === "average" && Array.isArray(c.call_kwargs["ignore_labels"])),
    );
    expect(picked).toHaveLength(2);
    for (const c of picked) {
      const strategy = c.call_kwargs["aggregation_strategy"] as string;
      const keepAll = Array.isArray(c.call_kwargs["ignore_labels"]);
      const out = path.join(tmp.dir, `ner-${strategy}-${keepAll}.jsonl`);
      const args = ["ner", "-p", hfDir("token_classification"), "--aggregation", strategy, ...(keepAll ? ["--ignore-labels", ""] : []), "-o", out, ...(c.call_args[0] as string[])];
      const result = await runCli(args);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe("");
      expectClose(jsonLines<{ entities: unknown }>(readFileSync(out, "utf8")).map((l) => l.entities), c.result);
    }
  });
});

describe("albert qa", () => {
  const spans = readJson<{ cases: { question: string; context: string; kwargs: Record<string, unknown>; result: unknown }[] }>(
    path.join(hfDir("question_answering"), "span_selection.json"),
  ).cases;

  it("QUESTION arguments with --context, and JSON lines, give v4's answers", async () => {
    const [one, three] = [spans[0]!, spans[1]!];
    const args = await runCli(["qa", "-p", hfDir("question_answering"), "--context", one.context, one.question]);
    expect(args.code, args.stderr).toBe(0);
    const [line] = jsonLines<Record<string, unknown>>(args.stdout);
    expectClose({ score: line!["score"], start: line!["start"], end: line!["end"], answer: line!["answer"] }, one.result);
    const stdin = spans.slice(5, 7).map((c) => JSON.stringify({ question: c.question, context: c.context })).join("\n");
    const lines = await runCli(["qa", "-p", hfDir("question_answering"), "-k", "5"], { stdin });
    expect(lines.code, lines.stderr).toBe(0);
    expectClose(jsonLines<{ answers: unknown }>(lines.stdout)[1]!.answers, spans[6]!.result);
    const top3 = await runCli(["qa", "-p", hfDir("question_answering"), "-k", "3", "-c", three.context, three.question]);
    expectClose(jsonLines<{ answers: unknown }>(top3.stdout)[0]!.answers, three.result);
  });
});

describe("pipeline commands: errors", () => {
  it("no input, a bad line, conflicting options and a checkpoint of another task", async () => {
    const noInput = await runCli(["ner", "-p", hfDir("token_classification")]);
    expect(noInput.code).toBe(2);
    expect(expectOneLineError(noInput.stderrLines).message).toBe("no input: stdin is empty");
    const bad = await runCli(["qa", "-p", hfDir("question_answering")], { stdin: '{"question": "who?"}\n' });
    expect(bad.code).toBe(1);
    expect(expectOneLineError(bad.stderrLines).message).toMatch(/stdin line 1: "context" is missing/);
    const both = await runCli(["classify", "-p", hfDir("sequence_classification"), "--all", "-k", "2", "x"]);
    expect(both.code).toBe(2);
    expect(expectOneLineError(both.stderrLines).message).toBe("give --top-k or --all, not both");
    const noMask = await runCli(["fill-mask", "-p", hfDir("masked_lm"), "no mask here"]);
    expect(noMask.code).toBe(1);
    expect(expectOneLineError(noMask.stderrLines).message).toMatch(/No mask_token \(\[MASK\]\) found on the input/);
    const wrong = await runCli(["fill-mask", "-p", hfDir("token_classification"), "a [MASK]"]);
    expect(wrong.code).toBe(1);
    const report = expectOneLineError(wrong.stderrLines);
    expect(report.message).toMatch(/AlbertForTokenClassification checkpoint.*not AlbertForMaskedLM/);
  });
});
