/**
 * The transformers heads (testdata/tasks/hf/<head>, saved by transformers 5.17): each task class
 * loads the checkpoint of its `AlbertFor...` class and gives transformers' outputs within 1e-4
 * (expected.json, on inputs.json's ids); a checkpoint of another head or with a tensor missing is
 * a typed error naming both; saveToPreset writes a preset that reloads here with the same
 * outputs and labels.
 */
import { cpSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { copySafetensors, readJson, testdataPath } from "@albert/test-utils";
import { PresetError, readTaskPreset } from "@albert/presets";
import { AlbertTextClassifierPreprocessor } from "@albert/tokenizer";
import {
  AlbertConfigError,
  AlbertMaskedLM,
  AlbertMultipleChoice,
  AlbertQuestionAnswerer,
  AlbertTextClassifier,
  AlbertTokenClassifier,
  tf,
} from "../index.js";
import { caught, expectNoLeaks } from "../test-utils/index.js";
import { ENGINES, expectWithin, onEngine } from "./test-utils/task-fixtures.js";

const hfDir = (head: string) => testdataPath("tasks", "hf", head);

interface HfInputs {
  input_ids: number[][];
  token_type_ids: number[][];
  attention_mask: number[][];
}

function hfInputs(head: string) {
  const raw = readJson<HfInputs>(path.join(hfDir(head), "inputs.json"));
  return { tokenIds: raw.input_ids, segmentIds: raw.token_type_ids, paddingMask: raw.attention_mask };
}

function expected<T>(head: string): T {
  return readJson<T>(path.join(hfDir(head), "expected.json"));
}

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), "albert-hf-heads-"));
}

describe("HF task heads against transformers (expected.json, 1e-4)", () => {
  it.each(ENGINES)("AlbertMaskedLM from AlbertForMaskedLM: logits at every position ($engine)", async ({ graph }) => {
    await onEngine(graph, async () => {
      const mlm = await AlbertMaskedLM.fromPreset(hfDir("masked_lm"));
      expect([mlm.maskedLMHead.intermediateActivation, mlm.maskedLMHead.layerNormEpsilon]).toEqual(["gelu_approximate", 1e-12]);
      const logits = mlm.predict(hfInputs("masked_lm"));
      expect(logits.shape).toEqual([2, 7, 1000]);
      expectWithin(logits, expected<{ logits: number[][][] }>("masked_lm").logits, "hf/masked_lm logits");
      mlm.dispose();
    });
  });

  it.each(ENGINES)("AlbertTextClassifier from AlbertForSequenceClassification: logits and id2label ($engine)", async ({ graph }) => {
    await onEngine(graph, async () => {
      const clf = await AlbertTextClassifier.fromPreset(hfDir("sequence_classification"));
      expect(clf.numClasses).toBe(3);
      expect(clf.id2label).toEqual({ 0: "negative", 1: "neutral", 2: "positive" });
      expect(clf.preprocessor).toBeInstanceOf(AlbertTextClassifierPreprocessor);
      expect(clf.preprocessor!.sequenceLength).toBe(64);
      expectWithin(clf.predict(hfInputs("sequence_classification")), expected<{ logits: number[][] }>("sequence_classification").logits, "hf/sequence_classification logits");
      clf.dispose();
    });
  });

  it.each(ENGINES)("AlbertTokenClassifier from AlbertForTokenClassification ($engine)", async ({ graph }) => {
    await onEngine(graph, async () => {
      const ner = await AlbertTokenClassifier.fromPreset(hfDir("token_classification"));
      expect(ner.numClasses).toBe(5);
      expect(ner.id2label).toEqual({ 0: "O", 1: "B-PER", 2: "I-PER", 3: "B-LOC", 4: "I-LOC" });
      const logits = ner.predict(hfInputs("token_classification"));
      expect(logits.shape).toEqual([2, 25, 5]);
      expectWithin(logits, expected<{ logits: number[][][] }>("token_classification").logits, "hf/token_classification logits");
      ner.dispose();
    });
  });

  it.each(ENGINES)("AlbertQuestionAnswerer from AlbertForQuestionAnswering: start and end logits ($engine)", async ({ graph }) => {
    await onEngine(graph, async () => {
      const qa = await AlbertQuestionAnswerer.fromPreset(hfDir("question_answering"));
      const { startLogits, endLogits } = qa.predict(hfInputs("question_answering"), { batchSize: 1 });
      const want = expected<{ start_logits: number[][]; end_logits: number[][] }>("question_answering");
      expect(startLogits.shape).toEqual([2, 31]);
      expectWithin(startLogits, want.start_logits, "hf/question_answering start logits");
      expectWithin(endLogits, want.end_logits, "hf/question_answering end logits");
      qa.dispose();
    });
  });

  it.each(ENGINES)("AlbertMultipleChoice from AlbertForMultipleChoice: [B, C, S] -> [B, C] ($engine)", async ({ graph }) => {
    await onEngine(graph, async () => {
      const mc = await AlbertMultipleChoice.fromPreset(hfDir("multiple_choice"));
      const raw = readJson<{ input_ids: number[][][]; token_type_ids: number[][][]; attention_mask: number[][][] }>(path.join(hfDir("multiple_choice"), "inputs.json"));
      const logits = mc.predict({ tokenIds: raw.input_ids, segmentIds: raw.token_type_ids, paddingMask: raw.attention_mask });
      expect(logits.shape).toEqual([2, 3]);
      expectWithin(logits, expected<{ logits: number[][] }>("multiple_choice").logits, "hf/multiple_choice logits");
      mc.dispose();
    });
  });
});

describe("HF task heads from text (the checkpoint's tokenizer.json)", () => {
  it("the classifier and the multiple-choice model pack the fixture texts as transformers did", async () => {
    await expectNoLeaks(async () => {
      const clf = await AlbertTextClassifier.fromPreset(hfDir("sequence_classification"));
      const texts = ["the program is distributed in the hope that it will be useful.", "This License applies to any program.", "no warranty"];
      const want = expected<{ logits: number[][] }>("sequence_classification").logits;
      // transformers pads the batch to its longest row (21); the preprocessor pads to 64.
      expectWithin(clf.predict(texts), want.slice(0, 3), "hf/sequence_classification from text");
      expectWithin(
        clf.predict({ first: ["is this free software?"], second: ["yes, it is distributed under the gnu license."] }),
        want.slice(3),
        "hf/sequence_classification pair from text",
      );
      clf.dispose();
      const mc = await AlbertMultipleChoice.fromPreset(hfDir("multiple_choice"));
      const logits = mc.predict({
        prompts: ["the license applies to", "you may copy"],
        choices: [
          ["any program.", "no program at all.", "only cats."],
          ["verbatim copies", "nothing", "the license [MASK]"],
        ],
      });
      expectWithin(logits, expected<{ logits: number[][] }>("multiple_choice").logits, "hf/multiple_choice from text");
      mc.dispose();
    });
  });
});

describe("HF checkpoints of another head, or with a tensor missing", () => {
  it("a checkpoint of another class names both classes", async () => {
    await expectNoLeaks(async () => {
      const cases: [() => Promise<unknown>, RegExp][] = [
        [() => AlbertMaskedLM.fromPreset(hfDir("sequence_classification")), /AlbertForSequenceClassification checkpoint.*not AlbertForMaskedLM or AlbertForPreTraining.*AlbertMaskedLM/],
        [() => AlbertTokenClassifier.fromPreset(hfDir("multiple_choice")), /AlbertForMultipleChoice checkpoint.*not AlbertForTokenClassification.*AlbertTokenClassifier/],
        [() => AlbertQuestionAnswerer.fromPreset(hfDir("token_classification")), /AlbertForTokenClassification checkpoint.*not AlbertForQuestionAnswering/],
        [() => AlbertMultipleChoice.fromPreset(hfDir("sequence_classification")), /AlbertForSequenceClassification checkpoint.*not AlbertForMultipleChoice/],
        // Built without a pooler: a head that reads the pooled output cannot use it.
        [() => AlbertTextClassifier.fromPreset(hfDir("masked_lm"), { numClasses: 2 }), /AlbertForMaskedLM checkpoint without pooler.*AlbertTextClassifier reads the pooled output/],
      ];
      for (const [load, message] of cases) {
        const error = await caught(load, AlbertConfigError);
        expect(error.code).toBe("weights_mismatch");
        expect(error.message).toMatch(message);
      }
    });
  });

  it("a missing head tensor names the tensor, the task and the checkpoint's class", async () => {
    const dir = tempDir();
    cpSync(hfDir("question_answering"), dir, { recursive: true });
    copySafetensors(path.join(hfDir("question_answering"), "model.safetensors"), path.join(dir, "model.safetensors"), (n) => n !== "qa_outputs.bias");
    await expectNoLeaks(async () => {
      const error = await caught(() => AlbertQuestionAnswerer.fromPreset(dir), PresetError);
      expect(error.code).toBe("weights_mismatch");
      expect(error.message).toMatch(/has no qa_outputs\.bias, which AlbertQuestionAnswerer reads from an AlbertForQuestionAnswering checkpoint; it was saved from AlbertForQuestionAnswering/);
    });
  });

  it("a new head on an HF checkpoint as KerasHub builds one: numClasses given, or a backbone alone", async () => {
    await expectNoLeaks(async () => {
      const clf = await AlbertTextClassifier.fromPreset(hfDir("multiple_choice"), { numClasses: 4 });
      expect([clf.numClasses, clf.id2label]).toEqual([4, undefined]);
      clf.dispose();
      const error = await caught(() => AlbertTokenClassifier.fromPreset(testdataPath("hf", "tiny")), AlbertConfigError);
      expect(error.message).toMatch(/pass numClasses to build a new head/);
      const ner = await AlbertTokenClassifier.fromPreset(testdataPath("hf", "tiny"), { numClasses: 3, preprocessor: null });
      expect(ner.numClasses).toBe(3);
      ner.dispose();
    });
  });
});

describe("saveToPreset of the heads reloads with the same outputs", () => {
  const heads = [
    { name: "token_classification", load: (d: string) => AlbertTokenClassifier.fromPreset(d) },
    { name: "question_answering", load: (d: string) => AlbertQuestionAnswerer.fromPreset(d) },
    { name: "multiple_choice", load: (d: string) => AlbertMultipleChoice.fromPreset(d) },
    { name: "sequence_classification", load: (d: string) => AlbertTextClassifier.fromPreset(d) },
    { name: "masked_lm", load: (d: string) => AlbertMaskedLM.fromPreset(d) },
  ] as const;

  it.each(heads)("hf/$name -> our preset -> the same outputs and labels", async ({ name, load }) => {
    await expectNoLeaks(async () => {
      const model = await load(hfDir(name));
      const dir = tempDir();
      await model.saveToPreset(dir);
      const files = readdirSync(dir).sort();
      expect(files).toEqual(expect.arrayContaining(["config.json", "model.weights.h5", "task.json", "task.weights.h5", "preprocessor.json", "tokenizer.json"]));
      const task = (await readTaskPreset(dir))!.task;
      expect(task.class_name).toBe(model.constructor.name);
      const reloaded = await load(dir);
      const run = (m: typeof model) => {
        const out = name === "multiple_choice"
          ? (m as AlbertMultipleChoice).predict({ prompts: ["the license applies to"], choices: [["any program.", "only cats."]] })
          : name === "question_answering"
            ? (m as AlbertQuestionAnswerer).predict(hfInputs(name)).startLogits
            : name === "masked_lm"
              ? (m as AlbertMaskedLM).predict(hfInputs(name))
              : (m as AlbertTextClassifier).predict(hfInputs(name));
        const values = out.dataSync().slice();
        tf.dispose(out);
        return values;
      };
      if (name === "question_answering") {
        // predict returns both; free the end logits of each run.
        const a = (model as AlbertQuestionAnswerer).predict(hfInputs(name));
        const b = (reloaded as AlbertQuestionAnswerer).predict(hfInputs(name));
        expect(b.endLogits.dataSync()).toEqual(a.endLogits.dataSync());
        expect(b.startLogits.dataSync()).toEqual(a.startLogits.dataSync());
        tf.dispose([a.startLogits, a.endLogits, b.startLogits, b.endLogits]);
      } else {
        expect(run(reloaded)).toEqual(run(model));
      }
      if ("id2label" in model) expect((reloaded as AlbertTokenClassifier).id2label).toEqual(model.id2label);
      model.dispose();
      reloaded.dispose();
    });
  });
});
