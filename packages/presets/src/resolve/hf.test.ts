import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  caught,
  defaultCommit,
  startHubServer,
  testdataPath,
  type HubServer,
} from "@albert/test-utils";
import { PresetError } from "../errors.js";
import { readPreset } from "../read-preset.js";
import { resolvePreset } from "../resolve.js";
import { weightMapsIdentical } from "../test-utils/helpers.js";
import { FAST, fixtureFiles, useHubEnv } from "../test-utils/hub-env.js";

let server: HubServer;
const TINY = fixtureFiles(["hf", "tiny"]);
const PRETRAINING = fixtureFiles(["hf", "tiny_pretraining"]);
const KERAS_ON_HF = fixtureFiles(["tokenizer"], (f) => !f.startsWith("casefold/"));
const commit = defaultCommit("test/tiny");
const V1 = "1111111111111111111111111111111111111111";

beforeAll(async () => {
  server = await startHubServer({
    hf: {
      "test/tiny": { files: TINY, revisions: { v1: V1 } },
      "test/pretraining": { files: PRETRAINING },
      "test/keras-preset": { files: KERAS_ON_HF },
      "test/gated": { files: TINY, gatedToken: "hf_secret_token_123" },
      "test/pickle-only": {
        files: { "config.json": TINY["config.json"]!, "pytorch_model.bin": "pretend pickle" },
      },
      "test/evil-index": {
        files: {
          "config.json": TINY["config.json"]!,
          "model.safetensors.index.json": JSON.stringify({
            weight_map: { a: "../../../outside.safetensors" },
          }),
        },
      },
      "test/evil-redirect": { files: TINY, redirectBase: "http://example.com" },
    },
  });
});
afterAll(() => server.close());
const env = useHubEnv(() => server);

const reference = () => readPreset(testdataPath("keras", "tiny_from_hf"));
const requests = () => server.requests.map((r) => `${r.method} ${r.url.replace(/\?.*$/, "")}`);

const errorOf = (promise: Promise<unknown>) => caught(() => promise, PresetError);

describe("hf:// through the hub's resolve URLs", () => {
  test("downloads what a checkpoint needs, once, and it reads like KerasHub's conversion", async () => {
    const dir = await resolvePreset("hf://test/tiny", FAST);
    expect(dir).toBe(path.join(env.home, "hf", "models--test--tiny", "snapshots", commit));
    const sha = createHash("sha256")
      .update(TINY["model.safetensors"] as Buffer)
      .digest("hex");
    expect(requests()).toEqual([
      "HEAD /test/tiny/resolve/main/config.json",
      `GET /test/tiny/resolve/${commit}/config.json`,
      `HEAD /test/tiny/resolve/${commit}/spiece.model`,
      `HEAD /test/tiny/resolve/${commit}/tokenizer_config.json`,
      `HEAD /test/tiny/resolve/${commit}/tokenizer.json`,
      `HEAD /test/tiny/resolve/${commit}/special_tokens_map.json`,
      `HEAD /test/tiny/resolve/${commit}/model.safetensors.index.json`,
      `HEAD /test/tiny/resolve/${commit}/model.safetensors`,
      `GET /cdn/${sha}`,
    ]);
    expect(server.requests.every((r) => r.authorization === undefined)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual([
      ".albert-complete.json",
      "config.json",
      "model.safetensors",
    ]);
    const read = await readPreset(dir);
    expect(read.format).toBe("transformers");
    expect(weightMapsIdentical(read.weights, (await reference()).weights)).toBe(true);
    expect(
      readFileSync(path.join(env.home, "hf", "models--test--tiny", "refs", "main"), "utf8"),
    ).toBe(commit);

    // Loading again online asks only which commit `main` is.
    server.requests.length = 0;
    expect(await resolvePreset("hf://test/tiny", FAST)).toBe(dir);
    expect(requests()).toEqual(["HEAD /test/tiny/resolve/main/config.json"]);

    // Offline: no request at all, both with ALBERT_OFFLINE and HF_HUB_OFFLINE.
    server.requests.length = 0;
    process.env["ALBERT_OFFLINE"] = "1";
    expect(await resolvePreset("hf://test/tiny", FAST)).toBe(dir);
    delete process.env["ALBERT_OFFLINE"];
    process.env["HF_HUB_OFFLINE"] = "true";
    expect(await resolvePreset("hf://test/tiny", FAST)).toBe(dir);
    expect(server.requests).toEqual([]);

    // A commit hash as revision needs no network either.
    delete process.env["HF_HUB_OFFLINE"];
    expect(await resolvePreset(`hf://test/tiny@${commit}`, FAST)).toBe(dir);
    expect(server.requests).toEqual([]);
  });

  test("offline and not cached: fails saying so, without any request", async () => {
    process.env["ALBERT_OFFLINE"] = "1";
    const error = await errorOf(resolvePreset("hf://test/tiny", FAST));
    expect(error.code).toBe("offline");
    expect(error.message).toMatch(/hf:\/\/test\/tiny is not in the cache .* offline mode is on/);
    expect(server.requests).toEqual([]);
  });

  test("the AlbertForPreTraining layout (albert. prefix, heads) converts the same", async () => {
    const dir = await resolvePreset("hf://test/pretraining", FAST);
    expect(weightMapsIdentical((await readPreset(dir)).weights, (await reference()).weights)).toBe(
      true,
    );
  });

  test("revisions: from the handle or the option, each its own folder", async () => {
    const dir = await resolvePreset("hf://test/tiny@v1", FAST);
    expect(path.basename(dir)).toBe(V1);
    expect(requests()[0]).toBe("HEAD /test/tiny/resolve/v1/config.json");
    expect(await resolvePreset("hf://test/tiny", { ...FAST, revision: "v1" })).toBe(dir);
    const error = await errorOf(resolvePreset("hf://test/tiny@nope", FAST));
    expect(error.code).toBe("not_found");
    expect(error.message).toMatch(/revision 'nope' does not exist/);
  });

  test("a KerasHub preset hosted on the hub: its config, weights and tokenizer assets, nothing else", async () => {
    const dir = await resolvePreset("hf://test/keras-preset", FAST);
    const files = readdirSync(dir, { recursive: true }).map(String).sort();
    expect(files).toEqual([
      ".albert-complete.json",
      "assets",
      "assets/tokenizer",
      "assets/tokenizer/vocabulary.spm",
      "config.json",
      "metadata.json",
      "model.weights.h5",
      "preprocessor.json",
      "tokenizer.json",
    ]);
    const read = await readPreset(dir);
    expect(read.format).toBe("keras");
    expect(
      weightMapsIdentical(read.weights, (await readPreset(testdataPath("tokenizer"))).weights),
    ).toBe(true);
  });

  test("a sharded safetensors checkpoint: the index, then each shard", async () => {
    const bytes = PRETRAINING["model.safetensors"] as Buffer;
    const n = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString()) as Record<
      string,
      { data_offsets: number[] }
    >;
    const names = Object.keys(header).filter((k) => k !== "__metadata__");
    // One shard holding everything, named as transformers names shards.
    server.hf["test/sharded"] = {
      files: {
        "config.json": PRETRAINING["config.json"]!,
        "model.safetensors.index.json": JSON.stringify({
          metadata: { total_size: bytes.length },
          weight_map: Object.fromEntries(names.map((k) => [k, "model-00001-of-00001.safetensors"])),
        }),
        "model-00001-of-00001.safetensors": bytes,
      },
    };
    const dir = await resolvePreset("hf://test/sharded", FAST);
    expect(
      requests()
        .filter((r) => r.startsWith("HEAD"))
        .map((r) => r.split("/").at(-1)),
    ).toEqual([
      "config.json",
      "spiece.model",
      "tokenizer_config.json",
      "tokenizer.json",
      "special_tokens_map.json",
      "model.safetensors.index.json",
      "model-00001-of-00001.safetensors",
    ]);
    expect(weightMapsIdentical((await readPreset(dir)).weights, (await reference()).weights)).toBe(
      true,
    );
  });

  test("loadWeights: false fetches config and tokenizer files; a later load adds the weights", async () => {
    const dir = await resolvePreset("hf://test/keras-preset", { ...FAST, loadWeights: false });
    expect(existsSync(path.join(dir, "model.weights.h5"))).toBe(false);
    expect(existsSync(path.join(dir, "assets/tokenizer/vocabulary.spm"))).toBe(true);
    server.requests.length = 0;
    expect(await resolvePreset("hf://test/keras-preset", FAST)).toBe(dir);
    expect(requests().filter((r) => r.startsWith("GET"))).toEqual([
      expect.stringMatching(/^GET \/cdn\//), // only model.weights.h5
    ]);
  });

  test("a repository with only pytorch_model.bin is refused without downloading the pickle", async () => {
    const error = await errorOf(resolvePreset("hf://test/pickle-only", FAST));
    expect(error.code).toBe("unsupported_format");
    expect(error.message).toMatch(/pytorch_model.bin is a PyTorch pickle/);
    expect(requests().some((r) => r.startsWith("GET") && r.includes("pytorch_model.bin"))).toBe(
      false,
    );
  });

  test("gated repositories: a clear refusal without token; with HF_TOKEN it loads, and the token stays home", async () => {
    const refused = await errorOf(resolvePreset("hf://test/gated", FAST));
    expect(refused.code).toBe("access_denied");
    expect(refused.message).toMatch(
      /gated repository: accept its conditions at http:\/\/127\.0\.0\.1:\d+\/test\/gated/,
    );
    expect(refused.message).toMatch(/set HF_TOKEN/);

    process.env["HF_TOKEN"] = "hf_wrong_token_456";
    const wrong = await errorOf(resolvePreset("hf://test/gated", FAST));
    expect(wrong.message).toMatch(/the token in use has no access/);
    expect(wrong.message).not.toContain("hf_wrong_token_456");

    process.env["HF_TOKEN"] = "hf_secret_token_123";
    server.requests.length = 0;
    const dir = await resolvePreset("hf://test/gated", FAST);
    expect(existsSync(path.join(dir, "model.safetensors"))).toBe(true);
    const hub = server.requests.filter((r) => r.url.startsWith("/test/gated/"));
    expect(hub.every((r) => r.authorization === "Bearer hf_secret_token_123")).toBe(true);
  });

  test("the token is not sent to a storage host on another origin", async () => {
    const cdn = await startHubServer({ hf: { "test/gated": { files: TINY } } });
    try {
      server.hf["test/gated-cdn"] = {
        files: TINY,
        gatedToken: "hf_secret_token_123",
        redirectBase: cdn.url,
      };
      process.env["HF_TOKEN"] = "hf_secret_token_123";
      const dir = await resolvePreset("hf://test/gated-cdn", FAST);
      expect(existsSync(path.join(dir, "model.safetensors"))).toBe(true);
      expect(cdn.requests.map((r) => r.url.replace(/\?.*$/, ""))).toEqual([
        expect.stringMatching(/^\/cdn\//),
      ]);
      expect(cdn.requests[0]!.authorization).toBeUndefined();
    } finally {
      await cdn.close();
    }
  });

  test("a repository that does not exist", async () => {
    const error = await errorOf(resolvePreset("hf://test/nope", FAST));
    expect(error.code).toBe("not_found");
    expect(error.message).toMatch(
      /hf:\/\/test\/nope was not found on http:\/\/127\.0\.0\.1:\d+: check the name/,
    );
  });

  test("reuses huggingface_hub's cache when it already holds the files", async () => {
    const repo = path.join(env.hfHubCache, "models--test--tiny");
    const snapshot = path.join(repo, "snapshots", commit);
    mkdirSync(path.join(repo, "blobs"), { recursive: true });
    mkdirSync(snapshot, { recursive: true });
    mkdirSync(path.join(repo, "refs"), { recursive: true });
    writeFileSync(path.join(repo, "refs", "main"), commit);
    for (const [name, data] of Object.entries(TINY)) {
      if (name !== "config.json" && name !== "model.safetensors") continue;
      const blob = path.join(repo, "blobs", createHash("sha256").update(data).digest("hex"));
      writeFileSync(blob, data);
      symlinkSync(path.relative(snapshot, blob), path.join(snapshot, name));
    }
    // Online: one HEAD tells the commit, which huggingface_hub's cache has.
    expect(await resolvePreset("hf://test/tiny", FAST)).toBe(snapshot);
    expect(requests()).toEqual(["HEAD /test/tiny/resolve/main/config.json"]);
    // Offline: straight from its refs/main.
    server.requests.length = 0;
    process.env["HF_HUB_OFFLINE"] = "1";
    expect(await resolvePreset("hf://test/tiny", FAST)).toBe(snapshot);
    expect(server.requests).toEqual([]);
    expect((await readPreset(snapshot)).format).toBe("transformers");
  });

  test("when the hub cannot be reached, the cached copy is used", async () => {
    const dir = await resolvePreset("hf://test/tiny", FAST);
    process.env["HF_ENDPOINT"] = "http://127.0.0.1:9"; // nothing listens on the discard port
    expect(await resolvePreset("hf://test/tiny", { ...FAST, retries: 0 })).toBe(dir);
    const error = await errorOf(resolvePreset("hf://test/pretraining", { ...FAST, retries: 1 }));
    expect(error.code).toBe("download_failed");
    expect(error.message).toMatch(
      /Cannot reach http:\/\/127\.0\.0\.1:9 for hf:\/\/test\/pretraining/,
    );
  });
});

describe("hf:// security", () => {
  test("handles with URL tricks are refused before any request", async () => {
    for (const handle of [
      "hf://../x",
      "hf://a/b/../../c",
      "hf://a/b?x=y",
      "hf://a/b@x?y",
      "hf://a/b@../main",
      "hf://a@b@c",
    ]) {
      const error = await errorOf(resolvePreset(handle, FAST));
      expect(error.code).toBe("invalid_handle");
    }
    expect(server.requests).toEqual([]);
  });

  test("plain http only for loopback endpoints", async () => {
    process.env["HF_ENDPOINT"] = "http://example.com";
    const error = await errorOf(resolvePreset("hf://test/tiny", FAST));
    expect(error.code).toBe("invalid_handle");
    expect(error.message).toMatch(/only https URLs are used \(plain http only for localhost\)/);
  });

  test("a redirect to a plain-http host is not followed", async () => {
    const error = await errorOf(resolvePreset("hf://test/evil-redirect", FAST));
    expect(error.message).toMatch(/refusing http:\/\/example\.com\/cdn\//);
    expect(error.message).not.toMatch(/signature/);
  });

  test("an index naming shards outside the folder is refused before fetching them", async () => {
    const error = await errorOf(resolvePreset("hf://test/evil-index", FAST));
    expect(error.code).toBe("unsafe_path");
    expect(requests().some((r) => r.includes("outside"))).toBe(false);
  });
});
