import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { defaultCommit, startHubServer, type HubServer } from "@albert/test-utils";
import { tempDir } from "../test-utils/helpers.js";
import { fixtureFiles } from "../test-utils/hub-env.js";

/** The built package: child processes run it as users would (`pnpm build` runs first). */
const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../dist/index.js");

let server: HubServer;
beforeAll(async () => {
  server = await startHubServer({
    hf: { "test/tiny": { files: fixtureFiles(["hf", "tiny"]) } },
    kaggle: {
      "test/tiny-model/keras/tiny": { versions: { 1: { files: fixtureFiles(["keras", "tiny"]) } } },
    },
  });
});
afterAll(() => server.close());

function runChild(
  script: string,
  handle: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, handle], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("close", (code) => resolve({ code, out, err }));
  });
}

describe("several processes loading the same cold preset", () => {
  test.each([
    ["hf://test/tiny", (url: string) => url.startsWith("/cdn/")],
    [
      "kaggle://test/tiny-model/keras/tiny/1",
      (url: string) => url.includes("/gcs/") && url.includes("model.weights.h5"),
    ],
  ])(
    "%s: downloaded once, and every process succeeds",
    async (handle, isWeights) => {
      if (!existsSync(DIST))
        throw new Error(`${DIST} is missing: run \`pnpm --filter @albert/presets build\` first`);
      const script = path.join(tempDir(), "load.mjs");
      writeFileSync(
        script,
        [
          `import { readPreset, resolvePreset } from ${JSON.stringify(pathToFileURL(DIST).href)};`,
          "const dir = await resolvePreset(process.argv[2], { retryDelayMs: 5, progressBar: false });",
          "const { weights } = await readPreset(dir);",
          "process.stdout.write(JSON.stringify({ dir, weights: weights.size }));",
        ].join("\n"),
      );
      const home = tempDir("albert-shared-cache-");
      const env = {
        PATH: process.env["PATH"],
        HOME: tempDir("albert-home-"),
        ALBERT_HOME: home,
        HF_HUB_CACHE: path.join(home, "no-hf-cache"),
        HF_ENDPOINT: server.url,
        KAGGLE_API_ENDPOINT: server.url,
      };
      server.requests.length = 0;
      // Slow the first weights download down so that the processes surely overlap.
      server.faults.push({
        match: (r) => r.method === "GET" && isWeights(r.url),
        kind: "stall",
        afterBytes: 100,
        ms: 600,
      });
      const results = await Promise.all([1, 2, 3].map(() => runChild(script, handle, env)));
      for (const r of results) expect(r.code, r.err).toBe(0);
      const parsed = results.map((r) => JSON.parse(r.out) as { dir: string; weights: number });
      expect(new Set(parsed.map((p) => p.dir)).size).toBe(1);
      expect(parsed.every((p) => p.weights === 25)).toBe(true);
      expect(server.requests.filter((r) => r.method === "GET" && isWeights(r.url))).toHaveLength(1);
      const configGets = server.requests.filter(
        (r) => r.method === "GET" && r.url.includes("config.json"),
      );
      expect(configGets).toHaveLength(1);
      if (handle.startsWith("hf://")) expect(parsed[0]!.dir).toContain(defaultCommit("test/tiny"));
    },
    30_000,
  );
});
