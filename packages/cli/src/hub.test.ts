import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHubServer, testdataPath, type HubServer } from "@albert/test-utils";
import { jsonLines, runCli, tempDir } from "./test-utils/run-cli.js";

/** Every file of a committed preset folder (top level and assets/), as the hub serves them. */
function presetFiles(dir: string): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(dir, rel))) {
      const file = rel === "" ? name : `${rel}/${name}`;
      if (statSync(path.join(dir, file)).isDirectory()) {
        if (rel !== "" || name === "assets") walk(file);
      } else {
        files[file] = readFileSync(path.join(dir, file));
      }
    }
  };
  walk("");
  return files;
}

const PRESET = testdataPath("tokenizer");
const TEXTS = ["hello world", "what is albert"];
let server: HubServer;
const tmp = tempDir("hub");

/** A fresh cache, home and hub configuration: nothing real is read, nothing leaves 127.0.0.1. */
function hubEnv(home: string): Record<string, string> {
  return {
    ALBERT_HOME: path.join(home, "albert"),
    HOME: home,
    XDG_CACHE_HOME: path.join(home, ".cache"),
    HF_HOME: path.join(home, "hf-home"),
    KAGGLEHUB_CACHE: path.join(home, "kagglehub"),
    HF_ENDPOINT: server.url,
    KAGGLE_API_ENDPOINT: server.url,
    ALBERT_OFFLINE: "0",
    // This HOME has no native TensorFlow (albert-provision puts it under ~/.cache/albert), so
    // models run on WebAssembly: keep the one-time warning about that off stderr.
    ALBERT_QUIET: "1",
  };
}

beforeAll(async () => {
  // The committed KerasHub preset served as an HF repository, and as albert-base-v2's stand-in.
  const files = presetFiles(PRESET);
  server = await startHubServer({
    hf: { "test-org/albert-tiny": { files }, "albert/albert-base-v2": { files } },
  });
});
afterAll(async () => {
  await server.close();
  tmp.cleanup();
});

describe("albert encode --preset hf://... through a local hub", () => {
  it("downloads once into ALBERT_HOME, encodes as the local preset does, then works offline", async () => {
    const env = hubEnv(path.join(tmp.dir, "a"));
    const [remote, local] = await Promise.all([
      runCli(["encode", "--preset", "hf://test-org/albert-tiny", ...TEXTS], { env }),
      // The same environment, so both run on the same backend and give the same floats.
      runCli(["encode", "--preset", PRESET, ...TEXTS], { env }),
    ]);
    expect(remote.stderr).toBe("");
    expect(remote.code).toBe(0);
    expect(local.code).toBe(0);
    expect(jsonLines(remote.stdout)).toEqual(jsonLines(local.stdout));

    // Small files by commit, large ones (weights, SentencePiece model) from the hub's CDN.
    const fetched = server.requests.filter((r) => r.method === "GET").map((r) => r.url);
    const sha256 = (file: string) =>
      createHash("sha256")
        .update(readFileSync(path.join(PRESET, file)))
        .digest("hex");
    expect(fetched).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\/test-org\/albert-tiny\/resolve\/[0-9a-f]{40}\/config\.json$/),
        expect.stringContaining(`/cdn/${sha256("model.weights.h5")}`),
        expect.stringContaining(`/cdn/${sha256("assets/tokenizer/vocabulary.spm")}`),
      ]),
    );
    const snapshots = path.join(
      env["ALBERT_HOME"]!,
      "hf",
      "models--test-org--albert-tiny",
      "snapshots",
    );
    expect(readdirSync(snapshots)).toHaveLength(1);

    // From the cache, with the network forbidden.
    const before = server.requests.length;
    const offline = await runCli(["encode", "--preset", "hf://test-org/albert-tiny", ...TEXTS], {
      env: { ...env, ALBERT_OFFLINE: "1" },
    });
    expect(offline.code).toBe(0);
    expect(jsonLines(offline.stdout)).toEqual(jsonLines(local.stdout));
    expect(server.requests.length).toBe(before);
  });

  it("a built-in name with --source hf, after which `albert presets` shows it cached", async () => {
    const env = hubEnv(path.join(tmp.dir, "b"));
    const r = await runCli(
      ["encode", "--preset", "albert_base_en_uncased", "--source", "hf", "--no-lowercase", "hello"],
      { env },
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)).toHaveLength(1);

    const presets = await runCli(["presets", "--json"], { env });
    const base = (
      JSON.parse(presets.stdout) as { presets: { name: string; cached: Record<string, string> }[] }
    ).presets.find((p) => p.name === "albert_base_en_uncased");
    expect(base?.cached).toEqual({ kaggle: "no", hf: "weights" });
    const table = await runCli(["presets"], { env });
    expect(table.stdout).toMatch(/^albert_base_en_uncased .* yes: hf$/m);
    expect(table.stdout).toMatch(/^albert_large_en_uncased .* no$/m);
  });

  it("a repository the hub does not have: one line, exit 1", async () => {
    const env = hubEnv(path.join(tmp.dir, "c"));
    const r = await runCli(["encode", "--preset", "hf://test-org/missing", "hi"], { env });
    expect(r.code).toBe(1);
    expect(r.stderrLines[0]).toMatch(/^albert: .*test-org\/missing/);
    expect(r.stderrLines.length).toBeLessThanOrEqual(2);
  });
});
