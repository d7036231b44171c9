/**
 * `pipeline` beyond the recorded cases: options, transformers' nesting rules, pooling, KerasHub
 * presets (the classifier fixture through its own tokenizer), batching (padding to each batch's
 * longest changes nothing), models passed in, and typed errors without tensor leaks.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PARITY_TOLERANCE, maxAbsDiff, readJson, testdataPath } from "@albert/test-utils";
import { AlbertConfigError, AlbertInputError, AlbertTextClassifier, tf } from "@albert/core";
import { HfTokenizer } from "@albert/tokenizer";
import { pipeline } from "./index.js";

const hfDir = (head: string) => testdataPath("tasks", "hf", head);
const KERAS_CLASSIFIER = testdataPath("tasks", "keras", "classifier");

async function noLeaks(fn: () => Promise<void>): Promise<void> {
  const before = tf.memory().numTensors;
  await fn();
  expect(tf.memory().numTensors).toBe(before);
}

function softmax(row: number[]): number[] {
  const max = Math.max(...row);
  const e = row.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

describe("text-classification", () => {
  it("transformers' nesting: a string gives [best], topK a sorted list, a list one result each", async () => {
    await noLeaks(async () => {
      const clf = await pipeline("text-classification", hfDir("sequence_classification"));
      const one = await clf("no warranty");
      expect(Array.isArray(one) && one.length === 1 && "label" in one[0]!).toBe(true);
      const two = (await clf("no warranty", { topK: 2 })) as { score: number }[];
      expect(two).toHaveLength(2);
      expect(two[0]!.score).toBeGreaterThanOrEqual(two[1]!.score);
      expect(await clf("no warranty", { topK: 1 })).toEqual([two[0]]);
      const many = await clf(["no warranty", "no warranty"]);
      expect(many).toEqual([(one as unknown[])[0], (one as unknown[])[0]]);
      // A pair as a dict gives the bare result, as [[text, pair]] does.
      const pair = await clf({ text: "is this free software?", text_pair: "yes." });
      expect(await clf([["is this free software?", "yes."]] as const)).toEqual(pair);
      expect("label" in (pair as object)).toBe(true);
      clf.dispose();
    });
  });

  it("functionToApply: none gives the logits, sigmoid their logistic", async () => {
    await noLeaks(async () => {
      const clf = await pipeline("text-classification", hfDir("sequence_classification"));
      const raw = (await clf("no warranty", { topK: null, functionToApply: "none" })) as { label: string; score: number }[];
      const probs = (await clf("no warranty", { topK: null })) as { label: string; score: number }[];
      const byLabel = (r: { label: string; score: number }[]) => ["negative", "neutral", "positive"].map((l) => r.find((x) => x.label === l)!.score);
      expect(maxAbsDiff(softmax(byLabel(raw)), byLabel(probs))).toBeLessThanOrEqual(1e-9);
      const sig = (await clf("no warranty", { topK: null, functionToApply: "sigmoid" })) as { label: string; score: number }[];
      expect(maxAbsDiff(byLabel(sig), byLabel(raw).map((v) => 1 / (1 + Math.exp(-v))))).toBeLessThanOrEqual(1e-9);
      clf.dispose();
    });
  });

  it("a KerasHub task preset: its tokenizer and packing, KerasHub's logits (e2e_expected.json)", async () => {
    await noLeaks(async () => {
      const e2e = readJson<{ single: { inputs: string[]; logits: number[][] }; pairs: { first: string[]; second: string[]; logits: number[][] } }>(
        path.join(KERAS_CLASSIFIER, "e2e_expected.json"),
      );
      const clf = await pipeline("text-classification", KERAS_CLASSIFIER, { batchSize: 4 });
      expect(clf.tokenizer.kind).toBe("keras");
      // Texts without "[MASK]" (which the pipeline matches as a special token, as transformers).
      const kept = e2e.single.inputs.map((text, i) => ({ text, i })).filter(({ text }) => !text.includes("[MASK]"));
      const scores = (await clf(kept.map((k) => k.text), { topK: null })) as { label: string; score: number }[][];
      kept.forEach(({ i }, j) => {
        const got = [0, 1, 2].map((c) => scores[j]!.find((s) => s.label === `LABEL_${c}`)!.score);
        expect(maxAbsDiff(got, softmax(e2e.single.logits[i]!))).toBeLessThanOrEqual(1e-5);
      });
      // KerasHub's preprocessor passes the pair's segment ids.
      const pairs = (await clf(e2e.pairs.first.map((text, i) => ({ text, text_pair: e2e.pairs.second[i]! })), { topK: null })) as { label: string; score: number }[][];
      pairs.forEach((row, i) => {
        const got = [0, 1, 2].map((c) => row.find((s) => s.label === `LABEL_${c}`)!.score);
        expect(maxAbsDiff(got, softmax(e2e.pairs.logits[i]!))).toBeLessThanOrEqual(1e-5);
      });
      clf.dispose();
    });
  });

  it("a model passed in stays the caller's; a tokenizer can be given", async () => {
    const model = await AlbertTextClassifier.fromPreset(hfDir("sequence_classification"), { preprocessor: null });
    await expect(pipeline("text-classification", model)).rejects.toThrow(/no preprocessor to tokenize with: pass options\.tokenizer/);
    const tokenizer = await HfTokenizer.fromPreset(hfDir("sequence_classification"));
    const clf = await pipeline("text-classification", model, { tokenizer });
    const fromDir = await pipeline("text-classification", hfDir("sequence_classification"));
    expect(await clf(["no warranty", "the license applies."])).toEqual(await fromDir(["no warranty", "the license applies."]));
    clf.dispose();
    // The pipeline's dispose left the model it was given usable.
    const out = model.predict({ tokenIds: [[2, 3]], segmentIds: [[0, 0]], paddingMask: [[1, 1]] });
    expect(out.shape).toEqual([1, 3]);
    out.dispose();
    model.dispose();
    fromDir.dispose();
  });
});

describe("fill-mask", () => {
  it("targets, topK, a list of one text unwrapped, several masks nested", async () => {
    await noLeaks(async () => {
      const fill = await pipeline("fill-mask", hfDir("masked_lm"));
      const all = (await fill("the license [MASK] applies.", { topK: 1000 })) as { token: number; token_str: string; score: number }[];
      expect(all).toHaveLength(1000);
      expect(all.reduce((s, r) => s + r.score, 0)).toBeCloseTo(1, 6);
      const targeted = (await fill("the license [MASK] applies.", { targets: ["has", "with"] })) as { token_str: string; score: number }[];
      expect(targeted.map((r) => r.token_str).sort()).toEqual(["has", "with"]);
      for (const r of targeted) expect(r.score).toBeCloseTo(all.find((a) => a.token_str === r.token_str)!.score, 12);
      expect(await fill(["the license [MASK] applies."], { topK: 2 })).toEqual(all.slice(0, 2));
      const two = (await fill(["the [MASK] [MASK]", "a [MASK]"], { topK: 3 })) as unknown[][];
      expect(two[0]).toHaveLength(2);
      expect((two[0]![0] as unknown[]).length).toBe(3);
      expect(two[1]).toHaveLength(3);
      await expect(fill("no mask here")).rejects.toThrow(/No mask_token \(\[MASK\]\) found on the input/);
      await expect(fill("a [MASK]", { topK: 0 })).rejects.toThrow(AlbertInputError);
      fill.dispose();
    });
  });
});

describe("token-classification", () => {
  it("stride covers long texts in chunks; on a text that fits, the entities of one pass", async () => {
    await noLeaks(async () => {
      const ner = await pipeline("token-classification", hfDir("token_classification"));
      const text = "john smith lives in new york city.";
      for (const aggregationStrategy of ["simple", "first", "average", "max"] as const) {
        expect(await ner(text, { aggregationStrategy, stride: 8 })).toEqual(await ner(text, { aggregationStrategy }));
      }
      const long = Array(12).fill(text).join(" ");
      const entities = (await ner(long, { aggregationStrategy: "simple", stride: 16, ignoreLabels: [] })) as { start: number; end: number }[];
      for (let i = 1; i < entities.length; i++) expect(entities[i]!.start).toBeGreaterThanOrEqual(entities[i - 1]!.end);
      expect(entities.at(-1)!.end).toBeGreaterThan(200);
      await expect(ner(text, { stride: 4 })).rejects.toThrow(/stride covers the whole text/);
      await expect(ner(text, { aggregationStrategy: "longest" as never })).rejects.toThrow(/aggregationStrategy must be one of "none", "simple"/);
      ner.dispose();
    });
  });
});

describe("offsets", () => {
  it("code points by default (transformers' values), UTF-16 units with offsetUnit: \"utf16\"", async () => {
    await noLeaks(async () => {
      const text = "😀 john smith lives in new york city.";
      const byCodePoint = await pipeline("token-classification", hfDir("token_classification"));
      const byUnit = await pipeline("token-classification", hfDir("token_classification"), { offsetUnit: "utf16" });
      const a = (await byCodePoint(text, { ignoreLabels: [] })) as { start: number; end: number; word: string }[];
      const b = (await byUnit(text, { ignoreLabels: [] })) as { start: number; end: number; word: string }[];
      expect(a.map((e) => e.word)).toEqual(b.map((e) => e.word));
      const chars = Array.from(text);
      a.forEach((e, i) => {
        expect(chars.slice(e.start, e.end).join("")).toBe(text.slice(b[i]!.start, b[i]!.end));
        if (e.start >= 1) expect(b[i]!.start).toBe(e.start + 1);
      });
      byCodePoint.dispose();
      byUnit.dispose();
    });
  });
});

describe("feature-extraction", () => {
  it("[1, S, H] per text; cls, mean, pooled and normalize from the same hidden states; batches change nothing", async () => {
    await noLeaks(async () => {
      const fe = await pipeline("feature-extraction", hfDir("sequence_classification"));
      const texts = ["the license applies.", "Hello World", "a much longer text than the others, with many more tokens in it."];
      const one = (await fe(texts, { batchSize: 1 })) as number[][][][];
      const batched = (await fe(texts, { batchSize: 3 })) as number[][][][];
      expect(one.map((t) => [t.length, t[0]!.length, t[0]![0]!.length])).toEqual(batched.map((t) => [t.length, t[0]!.length, t[0]![0]!.length]));
      expect(maxAbsDiff(one.flat(3), batched.flat(3))).toBeLessThanOrEqual(PARITY_TOLERANCE);
      const tokens = one[1]![0]!;
      const mean = tokens[0]!.map((_, h) => tokens.reduce((s, t) => s + t[h]!, 0) / tokens.length);
      expect(maxAbsDiff((await fe(texts[1]!, { pooling: "mean" })) as number[], mean)).toBeLessThanOrEqual(1e-5);
      expect(maxAbsDiff((await fe(texts[1]!, { pooling: "cls" })) as number[], tokens[0]!)).toBeLessThanOrEqual(1e-5);
      const norm = Math.hypot(...mean);
      expect(maxAbsDiff((await fe(texts[1]!, { pooling: "mean", normalize: true })) as number[], mean.map((v) => v / norm))).toBeLessThanOrEqual(1e-5);
      const pooled = (await fe(texts[1]!, { pooling: "pooled" })) as number[];
      expect(pooled).toHaveLength(16);
      expect(pooled.every((v) => Math.abs(v) <= 1)).toBe(true);
      fe.dispose();
    });
  });
});

describe("pipeline: typed errors", () => {
  it("an unknown task, option or model type, and a checkpoint of another head", async () => {
    await noLeaks(async () => {
      await expect(pipeline("summarization" as never, hfDir("masked_lm"))).rejects.toThrow(AlbertConfigError);
      await expect(pipeline("fill-mask", hfDir("masked_lm"), { topK: 3 } as never)).rejects.toThrow(/unknown option "topK"/);
      await expect(pipeline("fill-mask", hfDir("sequence_classification"))).rejects.toThrow(/AlbertForSequenceClassification checkpoint.*not AlbertForMaskedLM/);
      const clf = await AlbertTextClassifier.fromPreset(hfDir("sequence_classification"));
      await expect(pipeline("fill-mask", clf as never)).rejects.toThrow(/the fill-mask pipeline needs an AlbertMaskedLM/);
      clf.dispose();
      const p = await pipeline("text-classification", hfDir("sequence_classification"));
      await expect(p(42 as never)).rejects.toThrow(/inputs must be a string or \{ text, text_pair \}/);
      await expect(p([] as never)).rejects.toThrow(/inputs is an empty array/);
      await expect(p("x", { functionToApply: "relu" as never })).rejects.toThrow(/functionToApply must be one of/);
      p.dispose();
    });
  });
});
