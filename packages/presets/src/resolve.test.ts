import { writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startHubServer, testdataPath, type HubServer } from "@albert/test-utils";
import { PresetError } from "./errors.js";
import { readPreset } from "./read-preset.js";
import { listPresets } from "./registry.js";
import { resolvePreset } from "./resolve.js";
import { tempDir } from "./test-utils/helpers.js";
import { FAST, fixtureFiles, useHubEnv } from "./test-utils/hub-env.js";

let server: HubServer;
const PRESET = fixtureFiles(["tokenizer"], (f) => !f.startsWith("casefold/"));
const HF_TINY = fixtureFiles(["hf", "tiny"]);

beforeAll(async () => {
  server = await startHubServer({
    kaggle: { "keras/albert/keras/albert_base_en_uncased": { versions: { 5: { files: PRESET } } } },
    hf: {
      "albert/albert-large-v2": { files: HF_TINY },
      "albert/albert-base-v2": { files: HF_TINY },
    },
  });
});
afterAll(() => server.close());
useHubEnv(() => server);

const calls = () =>
  server.requests.map((r) =>
    r.method === "POST"
      ? `POST ${r.url}${r.body?.["path"] ? ` path=${String(r.body["path"])}` : ""}`
      : `${r.method} ${r.url.replace(/\?.*$/, "")}`,
  );

describe("built-in preset names", () => {
  test('resolvePreset("albert_base_en_uncased") makes exactly the expected Kaggle requests', async () => {
    const dir = await resolvePreset("albert_base_en_uncased", FAST);
    const rpc = "POST /v1/models.ModelApiService";
    const gcs = (f: string) => `GET /gcs/keras/albert/keras/albert_base_en_uncased/5/${f}`;
    expect(calls()).toEqual([
      `${rpc}/ListModelInstanceVersionFiles`,
      `${rpc}/DownloadModelInstanceVersion path=config.json`,
      gcs("config.json"),
      `${rpc}/DownloadModelInstanceVersion path=metadata.json`,
      gcs("metadata.json"),
      `${rpc}/DownloadModelInstanceVersion path=tokenizer.json`,
      gcs("tokenizer.json"),
      `${rpc}/DownloadModelInstanceVersion path=preprocessor.json`,
      gcs("preprocessor.json"),
      `${rpc}/DownloadModelInstanceVersion path=assets/tokenizer/vocabulary.spm`,
      gcs("assets/tokenizer/vocabulary.spm"),
      `${rpc}/DownloadModelInstanceVersion path=model.weights.h5`,
      gcs("model.weights.h5"),
    ]);
    expect(server.requests[0]!.body).toEqual({
      ownerSlug: "keras",
      modelSlug: "albert",
      framework: "MODEL_FRAMEWORK_KERAS",
      instanceSlug: "albert_base_en_uncased",
      versionNumber: 5,
      pageSize: 25,
    });
    expect(
      dir.endsWith(path.join("kaggle", "keras", "albert", "keras", "albert_base_en_uncased", "5")),
    ).toBe(true);
    expect((await readPreset(dir)).format).toBe("keras");
  });

  test('source: "hf" goes to the HF checkpoint first', async () => {
    const dir = await resolvePreset("albert_base_en_uncased", { ...FAST, source: "hf" });
    expect(calls()[0]).toBe("HEAD /albert/albert-base-v2/resolve/main/config.json");
    expect((await readPreset(dir)).format).toBe("transformers");
  });

  test("falls back to the other hub when the first fails", async () => {
    // albert_large_en_uncased is not on this Kaggle: the HF checkpoint is used.
    const dir = await resolvePreset("albert_large_en_uncased", FAST);
    expect(calls()[0]).toBe("POST /v1/models.ModelApiService/ListModelInstanceVersionFiles");
    expect(calls()[1]).toBe("HEAD /albert/albert-large-v2/resolve/main/config.json");
    expect((await readPreset(dir)).format).toBe("transformers");
  });

  test("when both hubs fail, the error names both", async () => {
    const error = (await resolvePreset("albert_extra_large_en_uncased", FAST).catch(
      (e: unknown) => e,
    )) as PresetError;
    expect(error).toBeInstanceOf(PresetError);
    expect(error.message).toMatch(
      /Cannot load preset 'albert_extra_large_en_uncased' from kaggle:\/\/keras\/albert\/keras\/albert_extra_large_en_uncased\/3 \(.*not found on Kaggle.*\) nor from hf:\/\/albert\/albert-xlarge-v2 \(.*not found.*\)/,
    );
  });

  test("offline: a cached built-in loads, others say they are not cached", async () => {
    const dir = await resolvePreset("albert_base_en_uncased", FAST);
    process.env["ALBERT_OFFLINE"] = "1";
    server.requests.length = 0;
    expect(await resolvePreset("albert_base_en_uncased", FAST)).toBe(dir);
    const error = (await resolvePreset("albert_large_en_uncased", FAST).catch(
      (e: unknown) => e,
    )) as PresetError;
    expect(error.code).toBe("offline");
    expect(error.message).toMatch(/not in the cache/);
    expect(server.requests).toEqual([]);
  });

  test("every registry preset has both handles in the expected forms", () => {
    for (const p of listPresets()) {
      expect(p.kaggleHandle).toMatch(new RegExp(`^kaggle://keras/albert/keras/${p.name}/\\d+$`));
      expect(p.hfHandle).toMatch(/^hf:\/\/albert\/albert-(base|large|xlarge|xxlarge)-v2$/);
    }
  });
});

describe("local directories and other handles", () => {
  test("relative, absolute, ~ and file:// paths resolve to the absolute folder", async () => {
    const dir = testdataPath("keras", "tiny");
    expect(await resolvePreset(dir)).toBe(dir);
    expect(await resolvePreset(path.relative(process.cwd(), dir))).toBe(dir);
    expect(await resolvePreset(pathToFileURL(dir).href)).toBe(dir);
    process.env["HOME"] = path.dirname(dir);
    expect(await resolvePreset("~/tiny")).toBe(dir);
  });

  test("errors name the handle and what is allowed", async () => {
    const missing = path.join(tempDir(), "nope");
    await expect(resolvePreset(missing)).rejects.toMatchObject({
      code: "not_found",
      message: expect.stringContaining(missing),
    });
    const file = path.join(tempDir(), "file.json");
    writeFileSync(file, "{}");
    await expect(resolvePreset(file)).rejects.toThrow(/is a file; a preset is a directory/);
    await expect(resolvePreset("albert_tiny_nonexistent")).rejects.toMatchObject({
      code: "unknown_preset",
      message: expect.stringMatching(
        /Built-in presets: albert_base_en_uncased, .*or pass a local directory/,
      ),
    });
    await expect(resolvePreset("s3://bucket/x")).rejects.toMatchObject({
      code: "unsupported_handle",
    });
    await expect(resolvePreset("")).rejects.toMatchObject({ code: "unknown_preset" });
    await expect(resolvePreset("hf://a/b", { source: "gcs" as never })).rejects.toMatchObject({
      code: "unsupported_handle",
    });
    await expect(resolvePreset("hf://a/b", { timeoutMs: -1 })).rejects.toThrow(/timeoutMs=-1/);
  });
});
