/**
 * A model's first call when nobody chose a backend, on a machine without native TensorFlow:
 * `fromPreset` (asynchronous) gets what `diagnoseBackends()` reports as `auto` (WebAssembly),
 * `new AlbertBackbone` (synchronous) what it reports as `autoSync` (plain JS, with a warning
 * saying how to get WebAssembly). Each runs in a fresh process whose ALBERT_HOME and HOME are
 * empty, so no native TensorFlow is found.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { kerasFixture } from "./test-utils/index.js";

const root = mkdtempSync(path.join(tmpdir(), "albert-core-implicit-"));
const home = path.join(root, "home");
mkdirSync(home, { recursive: true });
afterAll(() => rmSync(root, { recursive: true, force: true }));

const core = pathToFileURL(path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../dist/index.js")).href;
const backends = import.meta.resolve("@albert/backends");

/** Runs `body` with `core` and `backends` in scope in a fresh process; returns its JSON and stderr. */
function run(name: string, body: string): { result: Record<string, unknown>; stderr: string } {
  const script = path.join(root, `${name}.mjs`);
  writeFileSync(
    script,
    `import * as core from ${JSON.stringify(core)};\nimport * as backends from ${JSON.stringify(backends)};\n` +
      `const result = await (async () => {\n${body}\n})();\nprocess.stdout.write(JSON.stringify(result));\n`,
  );
  const { ALBERT_QUIET: _quiet, ...env } = process.env;
  const child = spawnSync(process.execPath, [script], { encoding: "utf8", env: { ...env, ALBERT_HOME: home, HOME: home } });
  expect(child.status, child.stderr).toBe(0);
  return { result: JSON.parse(child.stdout) as Record<string, unknown>, stderr: child.stderr };
}

const tiny = JSON.stringify(kerasFixture("tiny").dir);
const warnings = (stderr: string) => stderr.split("\n").filter((l) => l.startsWith("albert: native TensorFlow is unavailable"));

describe("the backend a model picks by itself without native TensorFlow", () => {
  it("fromPreset: WebAssembly, which diagnoseBackends reports as auto, with one warning", () => {
    const { result, stderr } = run(
      "from-preset",
      `const auto = backends.diagnoseBackends().auto;
       const model = await core.AlbertBackbone.fromPreset(${tiny});
       const out = model.predict({ tokenIds: [[2, 5, 3]], segmentIds: [[0, 0, 0]], paddingMask: [[1, 1, 1]] });
       const shape = out.sequenceOutput.shape;
       core.tf.dispose([out.sequenceOutput, out.pooledOutput]);
       return { auto, name: backends.currentBackend()?.name, tfjs: core.tf.getBackend(), shape };`,
    );
    expect(result).toMatchObject({ auto: "wasm", name: "wasm", tfjs: "wasm" });
    expect(warnings(stderr)).toEqual(["albert: native TensorFlow is unavailable, so models run on WebAssembly (several times slower)."]);
    expect(stderr).toContain("fix: run `npx albert-provision`");
  });

  it("new AlbertBackbone: plain JS, which diagnoseBackends reports as autoSync, and the warning says how to get WebAssembly", () => {
    const { result, stderr } = run(
      "constructor",
      `const autoSync = backends.diagnoseBackends().autoSync;
       const config = JSON.parse((await import("node:fs")).readFileSync(${tiny} + "/config.json", "utf8"));
       const model = core.AlbertBackbone.fromConfig(config);
       return { autoSync, name: backends.currentBackend()?.name, params: model.countParams() > 0 };`,
    );
    expect(result).toEqual({ autoSync: "cpu", name: "cpu", params: true });
    expect(warnings(stderr)).toEqual(["albert: native TensorFlow is unavailable, so models run on plain JavaScript (tens of times slower than WebAssembly)."]);
    expect(stderr).toContain("meanwhile: `await initBackend()` (or `AlbertBackbone.fromPreset`) before building a model picks WebAssembly");
  });
});
