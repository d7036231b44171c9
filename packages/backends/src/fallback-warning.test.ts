/**
 * What a user without native TensorFlow sees: "auto" (chosen, or implicit on a model's first
 * call) takes WebAssembly before plain JS, agrees with diagnoseBackends(), and one warning on
 * stderr per process says why and what to run. Each case runs in a fresh Node process whose
 * ALBERT_HOME and HOME are empty folders, so no native TensorFlow is found there.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "./test-utils/fakes.js";

const root = tempDir("fallback-warning");
const home = path.join(root, "home");
mkdirSync(home, { recursive: true });
afterAll(() => rmSync(root, { recursive: true, force: true }));

const backends = pathToFileURL(
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../dist/index.js"),
).href;

interface Run {
  stderr: string;
  /** What the script printed as JSON on stdout. */
  result: Record<string, unknown>;
}

/** Runs `body` (an async function body with the package's exports in scope) in a fresh process. */
function run(name: string, body: string, env: Record<string, string> = {}): Run {
  const script = path.join(root, `${name}.mjs`);
  writeFileSync(
    script,
    `import * as b from ${JSON.stringify(backends)};\n` +
      `const result = await (async () => {\n${body}\n})();\n` +
      "process.stdout.write(JSON.stringify(result));\n",
  );
  const { ALBERT_QUIET: _quiet, ...inherited } = process.env;
  const child = spawnSync(process.execPath, [script], {
    encoding: "utf8",
    env: { ...inherited, ALBERT_HOME: home, HOME: home, ...env },
  });
  expect(child.status, child.stderr).toBe(0);
  return { stderr: child.stderr, result: JSON.parse(child.stdout) as Record<string, unknown> };
}

/** The warning blocks in a process's stderr (each starts with this line). */
const warnings = (stderr: string) => stderr.split("\n").filter((l) => l.startsWith("albert: native TensorFlow is unavailable"));

describe('"auto" without native TensorFlow', () => {
  it("picks WebAssembly, as diagnoseBackends says, and warns once per process with the reason and the fix", () => {
    const { stderr, result } = run(
      "auto-twice",
      `const before = b.diagnoseBackends();
       const first = await b.initBackend("auto");
       const second = await b.initBackend("auto");
       const sync = b.initBackendSync("auto");
       return { auto: before.auto, first: first.name, second: second.name, sync: sync.name, reason: first.fallbackReason };`,
    );
    expect(result).toMatchObject({ auto: "wasm", first: "wasm", second: "wasm", sync: "wasm" });
    expect(result["reason"]).toMatch(/^tensorflow: native TensorFlow is not set up on this machine \(no @tensorflow\/tfjs-node in .*\): run `npx albert-provision`$/);
    expect(warnings(stderr)).toEqual(["albert: native TensorFlow is unavailable, so models run on WebAssembly (several times slower)."]);
    expect(stderr).toContain("  why: native TensorFlow is not set up on this machine (no @tensorflow/tfjs-node in ");
    expect(stderr).toContain("  fix: run `npx albert-provision` once on this machine");
    expect(stderr).toContain('(ALBERT_QUIET=1 or initBackend("auto", { quiet: true }) hides this message)');
  });

  it("is silenced by ALBERT_QUIET=1", () => {
    const { stderr, result } = run("quiet-env", `return { name: (await b.initBackend("auto")).name };`, { ALBERT_QUIET: "1" });
    expect(result).toEqual({ name: "wasm" });
    expect(stderr).toBe("");
  });

  it('is silenced by initBackend("auto", { quiet: true })', () => {
    const { stderr, result } = run("quiet-option", `return { name: (await b.initBackend("auto", { quiet: true })).name };`);
    expect(result).toEqual({ name: "wasm" });
    expect(stderr).toBe("");
  });

  it("is not printed when WebAssembly or plain JS is asked for by name", () => {
    const { stderr, result } = run(
      "explicit",
      `const cpu = await b.initBackend("cpu"); const wasm = await b.initBackend("wasm"); return { cpu: cpu.name, wasm: wasm.name };`,
    );
    expect(result).toEqual({ cpu: "cpu", wasm: "wasm" });
    expect(stderr).toBe("");
  });
});

describe("a model's implicit first call without native TensorFlow", () => {
  it("asynchronous (ensureBackendAsync, what fromPreset uses): WebAssembly, what diagnoseBackends reports as auto", () => {
    const { stderr, result } = run(
      "implicit-async",
      `const report = b.diagnoseBackends();
       const info = await b.ensureBackendAsync();
       return { auto: report.auto, name: info.name, again: (await b.ensureBackendAsync()).name, sync: b.ensureBackend().name };`,
    );
    expect(result).toEqual({ auto: "wasm", name: "wasm", again: "wasm", sync: "wasm" });
    expect(warnings(stderr)).toHaveLength(1);
  });

  it("synchronous (ensureBackend, a model built with new AlbertBackbone): plain JS, as diagnoseBackends reports as autoSync, and the warning says how to get WebAssembly", () => {
    const { stderr, result } = run(
      "implicit-sync",
      `const report = b.diagnoseBackends();
       const info = b.ensureBackend();
       const later = await b.initBackend("auto");
       return { autoSync: report.autoSync, name: info.name, reason: info.fallbackReason, later: later.name,
                text: b.formatDiagnosis(report) };`,
    );
    expect(result).toMatchObject({ autoSync: "cpu", name: "cpu", later: "wasm" });
    expect(result["reason"]).toMatch(/; wasm: it initializes asynchronously and was not started: `await initBackend\(\)`/);
    expect(result["text"]).toContain("auto picks: wasm\n  (a model built with new AlbertBackbone before any backend is chosen runs on cpu");
    expect(result["text"]).toContain("  native TensorFlow: run `npx albert-provision` to set it up");
    // One warning for the process, from the first fallback: plain JS, and what to do about it.
    expect(warnings(stderr)).toEqual(["albert: native TensorFlow is unavailable, so models run on plain JavaScript (tens of times slower than WebAssembly)."]);
    expect(stderr).toContain("  meanwhile: `await initBackend()` (or `AlbertBackbone.fromPreset`) before building a model picks WebAssembly");
  });
});
