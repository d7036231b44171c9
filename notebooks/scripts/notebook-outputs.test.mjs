/* global structuredClone */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  compareNotebooks,
  normalizeNotebook,
  sameUpToRounding,
  serializeNotebook,
  volatileNote,
} from "./notebook-outputs.mjs";

const NOTEBOOKS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const COMMITTED = readdirSync(NOTEBOOKS_DIR).filter((f) => f.endsWith(".ipynb"));

/** A notebook as nbclient leaves it after a run: timestamps, a kernel version, split streams. */
function executed(overrides = {}) {
  return {
    cells: [
      { cell_type: "markdown", id: "3f1a9c", metadata: {}, source: ["# Title\n", "Text."] },
      {
        cell_type: "code",
        execution_count: 1,
        id: "random-id",
        metadata: {
          execution: { "iopub.status.busy": "2026-12-06T02:41:26.597000Z" },
          tags: ["kept"],
        },
        outputs: [
          { name: "stdout", output_type: "stream", text: ["mean 0.2835\n"] },
          { name: "stdout", output_type: "stream", text: "std 1.13\n" },
          {
            data: { "text/html": ["<b>", "x</b>"], "application/json": { a: 1 } },
            metadata: {},
            output_type: "display_data",
            transient: { display_id: "d1" },
          },
        ],
        source: 'console.log("mean", 0.2835);\nconsole.log("std", 1.13);',
      },
      {
        cell_type: "code",
        execution_count: 2,
        id: "c02",
        metadata: { albert: { volatileOutput: "timings differ on every run" } },
        outputs: [{ name: "stdout", output_type: "stream", text: "12.5 ms\n" }],
        source: "time();",
      },
    ],
    metadata: {
      albert: { lateOutputs: [], requiredOutputs: { "text/html": 1 } },
      kernelspec: { display_name: "TypeScript", language: "typescript", name: "tslab" },
      language_info: { name: "typescript", version: "3.7.2" },
      vscode: { interpreter: { hash: "abc" } },
    },
    nbformat: 4,
    nbformat_minor: 5,
    ...overrides,
  };
}

/** The same notebook with one cell's outputs replaced. */
function withOutputs(notebook, cell, outputs) {
  const copy = structuredClone(notebook);
  copy.cells[cell].outputs = outputs;
  return copy;
}

const stream = (text) => ({ name: "stdout", output_type: "stream", text });

describe("normalizeNotebook", () => {
  it("drops what changes between runs and keeps what the notebook says", () => {
    const nb = normalizeNotebook(executed());
    expect(nb.metadata).toEqual({
      albert: { requiredOutputs: { "text/html": 1 } },
      kernelspec: { display_name: "TypeScript", language: "typescript", name: "tslab" },
      language_info: { name: "typescript" },
    });
    expect(nb.cells.map((c) => c.id)).toEqual(["c00", "c01", "c02"]);
    expect(nb.cells[1].metadata).toEqual({ tags: ["kept"] });
    expect(nb.cells[1].execution_count).toBe(1);
    // Consecutive text on one stream is one output; display ids are per-session.
    expect(nb.cells[1].outputs).toEqual([
      stream("mean 0.2835\nstd 1.13\n"),
      {
        data: { "text/html": "<b>x</b>", "application/json": { a: 1 } },
        metadata: {},
        output_type: "display_data",
      },
    ]);
  });

  it("replaces a volatile cell's outputs with a note, and is idempotent", () => {
    const nb = normalizeNotebook(executed());
    expect(nb.cells[2].outputs).toEqual([
      stream("(output not stored: timings differ on every run; run the notebook to see it)\n"),
    ]);
    expect(volatileNote("x")).toBe("(output not stored: x; run the notebook to see it)\n");
    expect(normalizeNotebook(nb)).toEqual(nb);
  });
});

describe("serializeNotebook", () => {
  it("writes nbformat's layout: sorted keys, indent 1, text as lines, a final newline", () => {
    const text = serializeNotebook(normalizeNotebook(executed()));
    expect(text.endsWith("}\n")).toBe(true);
    const parsed = JSON.parse(text);
    expect(Object.keys(parsed)).toEqual(["cells", "metadata", "nbformat", "nbformat_minor"]);
    expect(parsed.cells[1].source).toEqual([
      'console.log("mean", 0.2835);\n',
      'console.log("std", 1.13);',
    ]);
    expect(parsed.cells[1].outputs[0].text).toEqual(["mean 0.2835\n", "std 1.13\n"]);
    expect(parsed.cells[1].outputs[1].data["application/json"]).toEqual({ a: 1 });
    expect(text).toContain('\n "cells": [\n  {\n   "cell_type": "markdown",\n');
    expect(serializeNotebook(normalizeNotebook(parsed))).toBe(text);
  });

  it.each(COMMITTED)("%s is committed executed and normalized", (name) => {
    const text = readFileSync(path.join(NOTEBOOKS_DIR, name), "utf8");
    const nb = JSON.parse(text);
    expect(serializeNotebook(normalizeNotebook(nb))).toBe(text);
    const code = nb.cells.filter((c) => c.cell_type === "code");
    // Every code cell ran (an execution count), and the notebook shows rich outputs.
    expect(code.every((c) => Number.isInteger(c.execution_count))).toBe(true);
    const rich = code.flatMap((c) => c.outputs).filter((o) => o.data?.["text/html"] !== undefined);
    expect(rich.length).toBeGreaterThan(0);
  });
});

describe("sameUpToRounding", () => {
  it("lets a decimal move by one unit of its last digit, and float32 noise around zero", () => {
    expect(sameUpToRounding("min <code>-0.2835</code>", "min <code>-0.2834</code>")).toBe(true);
    expect(sameUpToRounding("std 1", "std 0.9999")).toBe(true);
    expect(sameUpToRounding("mean 2.467e-9", "mean -1.905e-9")).toBe(true);
    expect(sameUpToRounding('fill="#67001f"', 'fill="#68001e"')).toBe(true);
  });

  it("refuses anything more: two units, other integers, other text, other colours", () => {
    expect(sameUpToRounding("-0.2835", "-0.2833")).toBe(false);
    expect(sameUpToRounding("0.5", "0.52")).toBe(false);
    expect(sameUpToRounding("11,683,584 parameters", "11,683,585 parameters")).toBe(false);
    expect(sameUpToRounding("group_0_inner_layer_0", "group_0_inner_layer_1")).toBe(false);
    expect(sameUpToRounding("backend: tensorflow", "backend: wasm")).toBe(false);
    expect(sameUpToRounding('fill="#67001f"', 'fill="#67001c"')).toBe(false);
    expect(sameUpToRounding("a 1.5", "a 1.5 b")).toBe(false);
  });
});

describe("compareNotebooks", () => {
  const committed = normalizeNotebook(executed());

  it("finds nothing between a committed notebook and a run that says the same", () => {
    expect(compareNotebooks(committed, executed())).toEqual([]);
    const rounded = withOutputs(executed(), 1, [
      stream("mean 0.2834\nstd 1.13\n"),
      executed().cells[1].outputs[2],
    ]);
    expect(compareNotebooks(committed, rounded)).toEqual([]);
  });

  it("names the cell whose outputs changed, and where", () => {
    const changed = withOutputs(executed(), 1, [
      stream("mean 0.3001\nstd 1.13\n"),
      executed().cells[1].outputs[2],
    ]);
    const [problem, ...rest] = compareNotebooks(committed, changed);
    expect(rest).toEqual([]);
    expect(problem).toMatch(/^cell 1 \(console\.log\("mean", 0\.2835\);\): outputs differ; /);
    expect(problem).toContain(
      'first difference at line 1 of the output: committed "[stdout] mean 0.2835',
    );
    expect(problem).toContain('fresh run "[stdout] mean 0.3001');
  });

  it("says when outputs were never stored, or their number changed", () => {
    const bare = withOutputs(committed, 1, []);
    expect(compareNotebooks(bare, executed())).toEqual([
      'cell 1 (console.log("mean", 0.2835);): no outputs are stored; a fresh run shows 2',
    ]);
    const fewer = withOutputs(executed(), 1, [stream("mean 0.2835\nstd 1.13\n")]);
    expect(compareNotebooks(committed, fewer)[0]).toMatch(/outputs differ \(2 stored, 1 now\)/);
  });

  it("reports changed metadata and execution counts", () => {
    const renamed = executed();
    renamed.metadata.kernelspec.display_name = "TS";
    expect(compareNotebooks(committed, renamed)[0]).toMatch(/^the notebook's metadata differs; /);
    const recounted = executed();
    recounted.cells[1].execution_count = 5;
    expect(compareNotebooks(committed, recounted)).toEqual([
      'cell 1 (console.log("mean", 0.2835);): stored execution count 1, a fresh run gives 5',
    ]);
  });
});
