// The task heads of transformers checkpoints (testdata/tasks/hf/<head>, saved by transformers
// 5.17): config settings, head tensors, and checkpoints without a pooler.
import { describe, expect, test } from "vitest";
import { testdataPath } from "@albert/test-utils";
import { PresetError } from "../errors.js";
import { readPreset } from "../read-preset.js";
import {
  HF_HEAD_TENSORS,
  readTransformersHeadTensors,
  readTransformersTaskConfig,
  transformersTensorShapes,
} from "./hf-heads.js";

const dir = (head: string) => testdataPath("tasks", "hf", head);

describe("readTransformersTaskConfig", () => {
  test("architecture, labels, activation and epsilon as config.json has them", () => {
    const config = readTransformersTaskConfig(dir("token_classification"));
    expect(config.architecture).toBe("AlbertForTokenClassification");
    expect(config.id2label).toEqual({ "0": "O", "1": "B-PER", "2": "I-PER", "3": "B-LOC", "4": "I-LOC" });
    expect(config.hiddenAct).toBe("gelu_new");
    expect(config.layerNormEps).toBe(1e-12);
    expect(config.tieWordEmbeddings).toBe(true);
    expect(readTransformersTaskConfig(dir("masked_lm")).id2label).toBeUndefined();
  });
});

describe("readTransformersHeadTensors", () => {
  test.each(Object.entries({
    masked_lm: "AlbertForMaskedLM",
    sequence_classification: "AlbertForSequenceClassification",
    token_classification: "AlbertForTokenClassification",
    question_answering: "AlbertForQuestionAnswering",
    multiple_choice: "AlbertForMultipleChoice",
  }))("%s holds exactly the head tensors of %s", (head, cls) => {
    const names = [...transformersTensorShapes(dir(head)).keys()].filter((n) => !n.startsWith("albert."));
    expect(names.sort()).toEqual([...HF_HEAD_TENSORS[cls]!].sort());
  });

  test("reads a head's tensors in the checkpoint's layout", () => {
    const tensors = readTransformersHeadTensors(
      dir("question_answering"),
      [
        { name: "qa_outputs.weight", shape: [2, 16] },
        { name: "qa_outputs.bias", shape: [2] },
      ],
      { task: "AlbertQuestionAnswerer", expected: "AlbertForQuestionAnswering", actual: "AlbertForQuestionAnswering" },
    );
    expect(tensors.get("qa_outputs.weight")!.shape).toEqual([2, 16]);
    expect(tensors.get("qa_outputs.bias")!.data).toHaveLength(2);
  });

  test("a checkpoint of another head: the missing tensor, the head and the saving class", () => {
    const read = () =>
      readTransformersHeadTensors(dir("sequence_classification"), [{ name: "predictions.dense.weight", shape: [8, 16] }], {
        task: "AlbertMaskedLM",
        expected: "AlbertForMaskedLM",
        actual: "AlbertForSequenceClassification",
      });
    expect(read).toThrow(PresetError);
    expect(read).toThrow(/no predictions\.dense\.weight.*AlbertMaskedLM.*AlbertForMaskedLM.*saved from AlbertForSequenceClassification/);
  });

  test("a tensor of another shape names both shapes", () => {
    expect(() =>
      readTransformersHeadTensors(dir("token_classification"), [{ name: "classifier.weight", shape: [3, 16] }], {
        task: "AlbertTokenClassifier",
        expected: "AlbertForTokenClassification",
        actual: "AlbertForTokenClassification",
      }),
    ).toThrow(/classifier\.weight has shape \[5,16\].*needs \[3,16\]/);
  });
});

describe("readPreset with allowMissingPooler", () => {
  test("a headed checkpoint without pooler reads, flagged, without pooled_dense", async () => {
    const contents = await readPreset(dir("masked_lm"), { allowMissingPooler: true });
    expect(contents.poolerMissing).toBe(true);
    expect(contents.weights.has("pooled_dense/kernel")).toBe(false);
    expect(contents.weights.get("token_embedding/embeddings")!.shape).toEqual([1000, 8]);
  });

  test("a checkpoint with a pooler is not flagged; without the option the pooler is required", async () => {
    const contents = await readPreset(dir("sequence_classification"), { allowMissingPooler: true });
    expect(contents.poolerMissing).toBeUndefined();
    expect(contents.weights.get("pooled_dense/kernel")!.shape).toEqual([16, 16]);
    await expect(readPreset(dir("question_answering"))).rejects.toThrow(/no pooler weights/);
  });
});
