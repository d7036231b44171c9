import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  caught,
  makeTar,
  makeZip,
  startHubServer,
  testdataPath,
  type ArchiveEntry,
  type HubServer,
} from "@albert/test-utils";
import { PresetError } from "../errors.js";
import { readPreset } from "../read-preset.js";
import { resolvePreset } from "../resolve.js";
import { weightMapsIdentical } from "../test-utils/helpers.js";
import { FAST, fixtureFiles, useHubEnv } from "../test-utils/hub-env.js";

let server: HubServer;
/** A KerasHub preset with tokenizer assets, plus files a loader must not fetch. */
const PRESET = fixtureFiles(["tokenizer"], (f) => !f.startsWith("casefold/"));
const TINY = fixtureFiles(["keras", "tiny"]);
const entries = (files: Record<string, unknown>): ArchiveEntry[] =>
  Object.entries(files).map(([name, data]) => ({ name: `./${name}`, data: data as Buffer }));
const HANDLE = "kaggle://test/tiny-model/keras/tiny";

beforeAll(async () => {
  server = await startHubServer({
    kaggle: {
      "test/tiny-model/keras/tiny": {
        versions: {
          1: { files: PRESET },
          2: { files: TINY },
          3: { files: TINY, archive: makeTar(entries(TINY)) },
          4: { files: TINY, archive: makeZip(entries(TINY)) },
          5: {
            files: TINY,
            archive: makeTar([...entries(TINY), { name: "../../escape.txt", data: "gotcha" }]),
          },
        },
      },
      "test/gated-model/keras/tiny": {
        versions: { 1: { files: TINY } },
        requireAuthorization: "Bearer kaggle-token-1",
      },
    },
  });
});
afterAll(() => server.close());
const env = useHubEnv(() => server);

const calls = () =>
  server.requests.map((r) =>
    r.method === "POST"
      ? `${r.url.split("/").at(-1)}${r.body?.["path"] ? `(${String(r.body["path"])})` : ""}`
      : `GET ${r.url.replace(/\?.*$/, "")}`,
  );

const errorOf = (promise: Promise<unknown>) => caught(() => promise, PresetError);

describe("kaggle:// through the Kaggle models API", () => {
  test("lists the version's files, then downloads each needed file through its signed URL", async () => {
    const dir = await resolvePreset(`${HANDLE}/1`, FAST);
    expect(dir).toBe(path.join(env.home, "kaggle", "test", "tiny-model", "keras", "tiny", "1"));
    const gcs = (f: string) => `GET /gcs/test/tiny-model/keras/tiny/1/${f}`;
    expect(calls()).toEqual([
      "ListModelInstanceVersionFiles",
      "DownloadModelInstanceVersion(config.json)",
      gcs("config.json"),
      "DownloadModelInstanceVersion(metadata.json)",
      gcs("metadata.json"),
      "DownloadModelInstanceVersion(tokenizer.json)",
      gcs("tokenizer.json"),
      "DownloadModelInstanceVersion(preprocessor.json)",
      gcs("preprocessor.json"),
      "DownloadModelInstanceVersion(assets/tokenizer/vocabulary.spm)",
      gcs("assets/tokenizer/vocabulary.spm"),
      "DownloadModelInstanceVersion(model.weights.h5)",
      gcs("model.weights.h5"),
    ]);
    expect(server.requests[0]!.body).toEqual({
      ownerSlug: "test",
      modelSlug: "tiny-model",
      framework: "MODEL_FRAMEWORK_KERAS",
      instanceSlug: "tiny",
      versionNumber: 1,
      pageSize: 25,
    });
    expect(server.requests[1]!.body).toMatchObject({ versionNumber: 1, path: "config.json" });
    const read = await readPreset(dir);
    expect(
      weightMapsIdentical(read.weights, (await readPreset(testdataPath("tokenizer"))).weights),
    ).toBe(true);
    expect(existsSync(path.join(dir, "tokenizer_cases.json"))).toBe(false);

    // Cached: no request at all, as kagglehub does for a versioned handle.
    server.requests.length = 0;
    expect(await resolvePreset(`${HANDLE}/1`, FAST)).toBe(dir);
    expect(server.requests).toEqual([]);
  });

  test("unversioned: latest version from GetModelInstance, and offline the newest cached one", async () => {
    server.kaggle["test/latest/keras/tiny"] = {
      versions: { 1: { files: TINY }, 2: { files: TINY } },
    };
    const dir = await resolvePreset("kaggle://test/latest/keras/tiny", FAST);
    expect(path.basename(dir)).toBe("2");
    expect(calls()[0]).toBe("GetModelInstance");
    expect(server.requests[0]!.body).toEqual({
      ownerSlug: "test",
      modelSlug: "latest",
      framework: "MODEL_FRAMEWORK_KERAS",
      instanceSlug: "tiny",
    });
    server.requests.length = 0;
    process.env["ALBERT_OFFLINE"] = "1";
    expect(await resolvePreset("kaggle://test/latest/keras/tiny", FAST)).toBe(dir);
    expect(server.requests).toEqual([]);
  });

  test.each([
    [3, "tar.gz"],
    [4, "zip"],
  ])(
    "more than a page of files: version %i comes as one %s archive, extracted safely",
    async (version) => {
      const dir = await resolvePreset(`${HANDLE}/${version}`, FAST);
      expect(calls()).toEqual([
        "ListModelInstanceVersionFiles",
        "DownloadModelInstanceVersion",
        `GET /gcs/test/tiny-model/keras/tiny/${version}/archive.tar.gz`,
      ]);
      expect(readdirSync(dir).sort()).toEqual([
        ".albert-complete.json",
        "config.json",
        "metadata.json",
        "model.weights.h5",
      ]);
      expect(
        weightMapsIdentical(
          (await readPreset(dir)).weights,
          (await readPreset(testdataPath("keras", "tiny"))).weights,
        ),
      ).toBe(true);
      const variation = path.dirname(dir);
      expect(
        readdirSync(variation).filter((f) => f.includes("archive") || f.includes("staging")),
      ).toEqual([]);
    },
  );

  test("an archive with an entry escaping its folder is refused and nothing is written outside", async () => {
    const error = await errorOf(resolvePreset(`${HANDLE}/5`, FAST));
    expect(error.code).toBe("unsafe_path");
    expect(error.message).toMatch(/"\.\.\/\.\.\/escape\.txt" is unsafe/);
    const kaggleRoot = path.join(env.home, "kaggle");
    const all = readdirSync(env.home, { recursive: true }).map(String);
    expect(all.some((f) => f.includes("escape"))).toBe(false);
    expect(
      existsSync(
        path.join(kaggleRoot, "test", "tiny-model", "keras", "tiny", "5", ".albert-complete.json"),
      ),
    ).toBe(false);
  });

  test("the MD5 in x-goog-hash is checked", async () => {
    const isWeights = (r: { url: string }) =>
      r.url.includes("/gcs/") && r.url.includes("model.weights.h5");
    server.faults.push({ match: isWeights, kind: "corrupt" });
    const dir = await resolvePreset(`${HANDLE}/2`, FAST);
    expect(server.requests.filter(isWeights)).toHaveLength(2);
    expect((await readPreset(dir)).weights.size).toBe(25);
  });

  test("a reset download resumes with Range on the signed URL", async () => {
    const isWeights = (r: { url: string }) =>
      r.url.includes("/gcs/") && r.url.includes("model.weights.h5");
    server.faults.push({ match: isWeights, kind: "reset", afterBytes: 4096 });
    await resolvePreset(`${HANDLE}/2`, FAST);
    expect(server.requests.filter(isWeights).map((r) => r.range)).toEqual([
      undefined,
      "bytes=4096-",
    ]);
  });

  test("RPC failures: 500 is retried; unknown models and versions are not found", async () => {
    server.faults.push({
      match: (r) => r.url.endsWith("ListModelInstanceVersionFiles"),
      kind: "status",
      status: 500,
    });
    await resolvePreset(`${HANDLE}/2`, FAST);
    expect(calls().filter((c) => c === "ListModelInstanceVersionFiles")).toHaveLength(2);
    const missing = await errorOf(resolvePreset("kaggle://test/nope/keras/tiny/1", FAST));
    expect(missing.code).toBe("not_found");
    expect(missing.message).toMatch(
      /kaggle:\/\/test\/nope\/keras\/tiny\/1 was not found on Kaggle \(Kaggle says: Model .* not found\)/,
    );
    const version = await errorOf(resolvePreset(`${HANDLE}/99`, FAST));
    expect(version.code).toBe("not_found");
  });

  test("credentials: none for public models; KAGGLE_API_TOKEN as Bearer, only to the API host", async () => {
    const refused = await errorOf(resolvePreset("kaggle://test/gated-model/keras/tiny/1", FAST));
    expect(refused.code).toBe("access_denied");
    expect(refused.message).toMatch(
      /accept them at https:\/\/www\.kaggle\.com\/models\/test\/gated-model/,
    );
    expect(refused.message).toMatch(/\(none were found\)/);
    expect(server.requests.every((r) => r.authorization === undefined)).toBe(true);

    process.env["KAGGLE_API_TOKEN"] = "kaggle-token-1";
    server.requests.length = 0;
    await resolvePreset("kaggle://test/gated-model/keras/tiny/1", FAST);
    const rpcs = server.requests.filter((r) => r.method === "POST");
    expect(rpcs.every((r) => r.authorization === "Bearer kaggle-token-1")).toBe(true);
  });

  test("credentials: KAGGLE_USERNAME/KAGGLE_KEY and ~/.kaggle/kaggle.json as HTTP Basic", async () => {
    process.env["KAGGLE_USERNAME"] = "alice";
    process.env["KAGGLE_KEY"] = "k3y";
    await resolvePreset(`${HANDLE}/2`, FAST);
    const basic = `Basic ${Buffer.from("alice:k3y").toString("base64")}`;
    expect(
      server.requests.filter((r) => r.method === "POST").every((r) => r.authorization === basic),
    ).toBe(true);

    delete process.env["KAGGLE_USERNAME"];
    delete process.env["KAGGLE_KEY"];
    mkdirSync(path.join(env.userHome, ".kaggle"), { recursive: true });
    writeFileSync(
      path.join(env.userHome, ".kaggle", "kaggle.json"),
      JSON.stringify({ username: "bob", key: "s3cret" }),
    );
    server.requests.length = 0;
    await resolvePreset(`${HANDLE}/1`, FAST);
    const bob = `Basic ${Buffer.from("bob:s3cret").toString("base64")}`;
    expect(
      server.requests.filter((r) => r.method === "POST").every((r) => r.authorization === bob),
    ).toBe(true);
    // The signed storage URL is another path on the same test host here; credentials go there
    // only because it is the same origin (a real storage host is another origin).
  });

  test("reuses kagglehub's cache when it holds the complete version", async () => {
    const variation = path.join(
      env.home,
      "..",
      "kagglehub",
      "models",
      "test",
      "tiny-model",
      "keras",
      "tiny",
    );
    const dir = path.join(variation, "2");
    mkdirSync(dir, { recursive: true });
    for (const [name, data] of Object.entries(TINY)) writeFileSync(path.join(dir, name), data);
    writeFileSync(path.join(variation, "2.complete"), "");
    expect(await resolvePreset(`${HANDLE}/2`, FAST)).toBe(dir);
    expect(server.requests).toEqual([]);
  });

  test("offline and not cached", async () => {
    process.env["ALBERT_OFFLINE"] = "1";
    const error = await errorOf(resolvePreset(`${HANDLE}/2`, FAST));
    expect(error.code).toBe("offline");
    expect(error.message).toMatch(
      /kaggle:\/\/test\/tiny-model\/keras\/tiny\/2 is not in the cache/,
    );
    expect(server.requests).toEqual([]);
  });

  test("plain http endpoints other than loopback are refused", async () => {
    process.env["KAGGLE_API_ENDPOINT"] = "http://kaggle.example";
    const error = await errorOf(resolvePreset(`${HANDLE}/2`, FAST));
    expect(error.code).toBe("invalid_handle");
  });
});
