/**
 * The same weights in both formats give the same pipeline output: each HF fixture checkpoint is
 * loaded, saved as a task preset in KerasHub's layout (`saveToPreset`: KerasHub's tokenizer
 * files with the recorded casing), and both are run through the pipeline, the HF one with its
 * tokenizer.json, the KerasHub one with SentencePiece (special tokens matched in the text as
 * transformers does). Pairs are left out: transformers 5's ALBERT pipelines run them with zero
 * segment ids, KerasHub's preprocessor with real ones; texts with several masks too, whose
 * `sequence` keeps special tokens that SentencePiece decodes to nothing.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { testdataPath } from "@albert/test-utils";
import { AlbertMaskedLM, AlbertQuestionAnswerer, AlbertTextClassifier, AlbertTokenClassifier, tf } from "@albert/core";
import { pipeline } from "./index.js";

const hfDir = (head: string) => testdataPath("tasks", "hf", head);

async function converted(load: (dir: string) => Promise<{ saveToPreset(dir: string): Promise<void>; dispose(): void }>, head: string): Promise<string> {
  const model = await load(hfDir(head));
  const dir = mkdtempSync(path.join(tmpdir(), `albert-${head}-`));
  await model.saveToPreset(dir);
  model.dispose();
  return dir;
}

/** Both results equal: numbers within 1e-5, everything else exactly. */
function expectSame(keras: unknown, hf: unknown): void {
  const rounded = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_, x: unknown) => (typeof x === "number" && !Number.isInteger(x) ? Math.round(x * 1e5) / 1e5 : x)));
  expect(JSON.stringify(hf)).not.toBe("[]");
  expect(rounded(keras)).toEqual(rounded(hf));
}

const TEXTS = ["the program is distributed in the hope that it will be useful.", "john smith lives in new york city.", "no warranty"];

describe("a KerasHub task preset and the HF checkpoint it came from give the same pipeline output", () => {
  it("text-classification, token-classification (every strategy) and feature-extraction", async () => {
    const before = tf.memory().numTensors;
    const clfDir = await converted((d) => AlbertTextClassifier.fromPreset(d), "sequence_classification");
    for (const task of ["text-classification", "feature-extraction"] as const) {
      const [a, b] = [await pipeline(task as "text-classification", clfDir), await pipeline(task as "text-classification", hfDir("sequence_classification"))];
      expect(a.tokenizer.kind).toBe("keras");
      expect(b.tokenizer.kind).toBe("hf");
      expectSame(await a(TEXTS, task === "text-classification" ? { topK: null } : {}), await b(TEXTS, task === "text-classification" ? { topK: null } : {}));
      a.dispose();
      b.dispose();
    }
    const nerDir = await converted((d) => AlbertTokenClassifier.fromPreset(d), "token_classification");
    const [a, b] = [await pipeline("token-classification", nerDir), await pipeline("token-classification", hfDir("token_classification"))];
    for (const aggregationStrategy of ["none", "simple", "first", "average", "max"] as const) {
      expectSame(await a(TEXTS, { aggregationStrategy, ignoreLabels: [] }), await b(TEXTS, { aggregationStrategy, ignoreLabels: [] }));
    }
    a.dispose();
    b.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("fill-mask and question-answering", async () => {
    const mlmDir = await converted((d) => AlbertMaskedLM.fromPreset(d), "masked_lm");
    const [a, b] = [await pipeline("fill-mask", mlmDir), await pipeline("fill-mask", hfDir("masked_lm"))];
    const masked = ["the license [MASK] applies to any program.", "You may [MASK] copies of the Program.", "[MASK] software"];
    expectSame(await a(masked, { topK: 5 }), await b(masked, { topK: 5 }));
    a.dispose();
    b.dispose();
    const qaDir = await converted((d) => AlbertQuestionAnswerer.fromPreset(d), "question_answering");
    const [c, d] = [await pipeline("question-answering", qaDir), await pipeline("question-answering", hfDir("question_answering"))];
    const input = { question: "who may copy the program?", context: "you may copy and distribute verbatim copies of the program's source code as you receive it, in any medium." };
    expectSame(await c(input, { topK: 3 }), await d(input, { topK: 3 }));
    c.dispose();
    d.dispose();
  });
});
