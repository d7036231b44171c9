import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { caught, readJson, startHubServer, testdataPath, type HubServer } from "@albert/test-utils";
import { PresetError } from "./errors.js";
import { readKerasVarGroups, type KerasVarGroup } from "./formats/keras-vars-h5.js";
import { resolvePreset } from "./resolve.js";
import { h5LayoutText, tempDir } from "./test-utils/helpers.js";
import { FAST, fixtureFiles, useHubEnv } from "./test-utils/hub-env.js";
import {
  TASK_EXTRAS_FILE,
  readTaskPreset,
  writeTaskPreset,
} from "./task-preset.js";

const classifier = testdataPath("tasks", "keras", "classifier");
const maskedLm = testdataPath("tasks", "keras", "masked_lm");
const finetuned = testdataPath("tasks", "keras", "finetune", "adamw_lr1e-3");

describe("readTaskPreset", () => {
  test("reads KerasHub's classifier task: task.json, and only the head's variables", async () => {
    const files = await readTaskPreset(classifier);
    expect(files?.task.class_name).toBe("AlbertTextClassifier");
    expect(files?.task.config["num_classes"]).toBe(3);
    // The optimizer's scalars and the empty dropout/preprocessor/task groups are left out.
    expect(files?.weights?.map((g) => [g.group, g.layerName, g.vars.map((v) => v.shape)])).toEqual([
      ["layers/dense", "logits", [[16, 3], [3]]],
    ]);
    expect(files?.extras).toBeUndefined();
  });

  test("reads the masked LM head's three groups and ignores the trained optimizer's 56 variables", async () => {
    const mlm = await readTaskPreset(maskedLm);
    expect(mlm?.weights?.map((g) => `${g.group}:${g.layerName}:${g.vars.length}`)).toEqual([
      "layers/masked_lm_head/_intermediate_dense:intermediate_dense:2",
      "layers/masked_lm_head/_intermediate_layer_norm:intermediate_layer_norm:2",
      "layers/masked_lm_head:mlm_head:1",
    ]);
    const trained = await readTaskPreset(finetuned);
    expect(trained?.weights?.map((g) => g.group)).toEqual(["layers/dense"]);
  });

  test("a backbone preset has no task files; loadWeights: false reads task.json only", async () => {
    expect(await readTaskPreset(testdataPath("keras", "tiny"))).toBeUndefined();
    const files = await readTaskPreset(classifier, { loadWeights: false });
    expect(files?.weights).toBeUndefined();
  });

  test("a task.json that is not a serialized task is a PresetError naming the file", async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "task.json"), JSON.stringify({ config: [] }));
    const error = await caught(() => readTaskPreset(dir));
    expect(error).toBeInstanceOf(PresetError);
    expect((error as PresetError).code).toBe("invalid_config");
    expect((error as PresetError).message).toContain("task.json");
  });
});

describe("writeTaskPreset", () => {
  test("writes task.weights.h5 in KerasHub's layout, optimizer state and empty groups included", async () => {
    const dir = tempDir();
    const [head] = (await readKerasVarGroups(path.join(finetuned, "task.weights.h5"))).filter(
      (g) => g.group === "layers/dense",
    );
    const optimizer = (await readKerasVarGroups(path.join(finetuned, "task.weights.h5"))).find(
      (g) => g.group === "optimizer",
    )!;
    expect(optimizer.vars[0]).toEqual({ shape: [], int64: 6n });
    const groups: KerasVarGroup[] = [
      head!,
      { group: "layers/dropout", layerName: "output_dropout", vars: [] },
      { ...optimizer, layerName: "adam_w" },
      { group: "", layerName: "albert_text_classifier", vars: [] },
    ];
    const task = readJson<Record<string, unknown>>(path.join(finetuned, "task.json"));
    const files = await writeTaskPreset(dir, { task: task as never, weights: groups });
    expect(files).toEqual(["task.json", "task.weights.h5"]);
    expect(await h5LayoutText(path.join(dir, "task.weights.h5"))).toBe(
      readFileSync(path.join(finetuned, "weights-layout.txt"), "utf8").trim(),
    );
    const back = await readKerasVarGroups(path.join(dir, "task.weights.h5"));
    expect(back).toEqual(groups.filter((g) => g.vars.length > 0));
  });

  test("labels go to albert_ts_task.json and come back; writing none removes the file", async () => {
    const dir = tempDir();
    for (const name of ["config.json", "model.weights.h5"]) copyFileSync(path.join(classifier, name), path.join(dir, name));
    const task = readJson<Record<string, unknown>>(path.join(classifier, "task.json"));
    const id2label = { "0": "negative", "1": "neutral", "2": "positive" };
    const files = await writeTaskPreset(dir, { task: task as never, weights: [], extras: { id2label } });
    expect(files).toContain(TASK_EXTRAS_FILE);
    expect((await readTaskPreset(dir))?.extras).toEqual({ id2label });
    await writeTaskPreset(dir, { task: task as never, weights: [] });
    expect(existsSync(path.join(dir, TASK_EXTRAS_FILE))).toBe(false);
  });

  test("albert_ts_task.json with unknown settings or non-string labels is refused", async () => {
    const dir = tempDir();
    copyFileSync(path.join(classifier, "task.json"), path.join(dir, "task.json"));
    writeFileSync(path.join(dir, TASK_EXTRAS_FILE), JSON.stringify({ config: { id2label: { "0": 1 } } }));
    expect(((await caught(() => readTaskPreset(dir))) as PresetError).message).toMatch(/id2label must map/);
    writeFileSync(path.join(dir, TASK_EXTRAS_FILE), JSON.stringify({ config: { labels: [] } }));
    expect(((await caught(() => readTaskPreset(dir))) as PresetError).message).toMatch(/unknown settings labels; allowed: id2label, masked_lm_head/);
  });
});

describe("task presets on a hub", () => {
  let server: HubServer;
  const files = {
    ...fixtureFiles(["tasks", "keras", "classifier"]),
    "albert_ts_task.json": JSON.stringify({ config: { id2label: { "0": "a", "1": "b", "2": "c" } } }),
  };
  beforeAll(async () => {
    server = await startHubServer({
      kaggle: { "test/classifier/keras/tiny": { versions: { 1: { files } } } },
      hf: { "test-org/classifier": { files } },
    });
  });
  afterAll(() => server.close());
  useHubEnv(() => server);

  test.each(["kaggle://test/classifier/keras/tiny/1", "hf://test-org/classifier"])(
    "%s: the task's files come down with the backbone's, and read as locally",
    async (handle) => {
      const dir = await resolvePreset(handle, FAST);
      const remote = await readTaskPreset(dir);
      const local = await readTaskPreset(classifier);
      expect(remote?.task).toEqual(local?.task);
      expect(remote?.weights).toEqual(local?.weights);
      expect(remote?.extras).toEqual({ id2label: { "0": "a", "1": "b", "2": "c" } });
    },
  );
});
