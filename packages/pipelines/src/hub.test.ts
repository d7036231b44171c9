/**
 * Every head type through `hf://` from the local test hub (internal/test-utils hub-server): the
 * fixture checkpoints served as HF repositories (config.json, model.safetensors, tokenizer.json,
 * tokenizer_config.json, as transformers 5 saves them), loaded by the task classes and by
 * `pipeline`, with the outputs of the local folders. Nothing leaves 127.0.0.1.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PARITY_TOLERANCE, maxAbsDiff, readJson, startHubServer, testdataPath, type HubServer } from "@albert/test-utils";
import {
  AlbertMaskedLM,
  AlbertMultipleChoice,
  AlbertQuestionAnswerer,
  AlbertTextClassifier,
  AlbertTokenClassifier,
  initBackend,
  tf,
} from "@albert/core";
import { pipeline } from "./index.js";

const HEADS = ["masked_lm", "sequence_classification", "token_classification", "question_answering", "multiple_choice"];
const FILES = ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"];
const ENV = ["ALBERT_HOME", "ALBERT_OFFLINE", "HF_ENDPOINT", "HF_TOKEN", "HOME", "XDG_CACHE_HOME"];

let server: HubServer;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  // The backend first, while ALBERT_HOME still points at the provisioned native TensorFlow.
  await initBackend("auto");
  server = await startHubServer({
    hf: Object.fromEntries(
      HEADS.map((head) => [`test-org/albert-${head}`, { files: Object.fromEntries(FILES.map((f) => [f, readFileSync(testdataPath("tasks", "hf", head, f))])) }]),
    ),
  });
  const home = mkdtempSync(path.join(tmpdir(), "albert-pipelines-hub-"));
  for (const name of ENV) saved[name] = process.env[name];
  for (const name of ENV) delete process.env[name];
  process.env["ALBERT_HOME"] = path.join(home, "albert");
  process.env["HOME"] = path.join(home, "user");
  process.env["XDG_CACHE_HOME"] = path.join(home, "cache");
  process.env["HF_ENDPOINT"] = server.url;
});

afterAll(async () => {
  for (const name of ENV) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  await server.close();
});

function inputs(head: string) {
  const raw = readJson<{ input_ids: number[][]; token_type_ids: number[][]; attention_mask: number[][] }>(testdataPath("tasks", "hf", head, "inputs.json"));
  return { tokenIds: raw.input_ids, segmentIds: raw.token_type_ids, paddingMask: raw.attention_mask };
}

function expected(head: string, key = "logits"): number[] {
  return readJson<Record<string, number[]>>(testdataPath("tasks", "hf", head, "expected.json"))[key]!;
}

describe("task heads through hf:// from the test hub", () => {
  it("each head class loads its checkpoint's repository and gives transformers' outputs", async () => {
    const before = tf.memory().numTensors;
    const check = (out: tf.Tensor, want: number[]) => {
      expect(maxAbsDiff(out.dataSync(), want)).toBeLessThanOrEqual(PARITY_TOLERANCE);
      out.dispose();
    };
    const mlm = await AlbertMaskedLM.fromPreset("hf://test-org/albert-masked_lm");
    check(mlm.predict(inputs("masked_lm")), expected("masked_lm"));
    const clf = await AlbertTextClassifier.fromPreset("hf://test-org/albert-sequence_classification");
    check(clf.predict(inputs("sequence_classification")), expected("sequence_classification"));
    expect(clf.id2label).toEqual({ 0: "negative", 1: "neutral", 2: "positive" });
    const ner = await AlbertTokenClassifier.fromPreset("hf://test-org/albert-token_classification");
    check(ner.predict(inputs("token_classification")), expected("token_classification"));
    const qa = await AlbertQuestionAnswerer.fromPreset("hf://test-org/albert-question_answering");
    const spans = qa.predict(inputs("question_answering"));
    check(spans.startLogits, expected("question_answering", "start_logits"));
    check(spans.endLogits, expected("question_answering", "end_logits"));
    const mc = await AlbertMultipleChoice.fromPreset("hf://test-org/albert-multiple_choice");
    const raw = readJson<{ input_ids: number[][][]; token_type_ids: number[][][]; attention_mask: number[][][] }>(testdataPath("tasks", "hf", "multiple_choice", "inputs.json"));
    check(mc.predict({ tokenIds: raw.input_ids, segmentIds: raw.token_type_ids, paddingMask: raw.attention_mask }), expected("multiple_choice"));
    for (const m of [mlm, clf, ner, qa, mc]) m.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const fetched = new Set(server.requests.filter((r) => r.url.includes("/resolve/")).map((r) => r.url.split("/resolve/")[0]));
    expect(fetched).toEqual(new Set(HEADS.map((h) => `/test-org/albert-${h}`)));
  });

  it("pipeline() on hf:// handles gives what it gives on the local folders", async () => {
    const cases = [
      ["fill-mask", "masked_lm", "the license [MASK] applies."],
      ["text-classification", "sequence_classification", "no warranty"],
      ["token-classification", "token_classification", "john smith lives in new york city."],
      ["question-answering", "question_answering", { question: "who may copy?", context: "you may copy the program." }],
      ["feature-extraction", "sequence_classification", "hello world"],
    ] as const;
    for (const [task, head, input] of cases) {
      const remote = await pipeline(task as "fill-mask", `hf://test-org/albert-${head}`);
      const local = await pipeline(task as "fill-mask", testdataPath("tasks", "hf", head));
      const run = (p: typeof remote) => (p as unknown as (x: unknown) => Promise<unknown>)(input);
      expect(await run(remote)).toEqual(await run(local));
      remote.dispose();
      local.dispose();
    }
  });
});
