/**
 * tfjs-node provisioned under ALBERT_HOME has its own tfjs-core on disk; it must register its
 * backend with ours, with one copy of each TF.js module in the process.
 */
import { mkdirSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, describe, expect, it, vi } from "vitest";
import { initBackend } from "./index.js";
import { loadedNative } from "./native.js";
import { shareTfjsWith } from "./shared-tfjs.js";
import { tempDir } from "./test-utils/fakes.js";

const require = createRequire(import.meta.url);
const root = tempDir("shared-tfjs");
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A package folder that depends on a tfjs-core of `version` installed beside it. */
function treeWithCore(name: string, version: string): string {
  const modules = path.join(root, name, "node_modules");
  const core = path.join(modules, "@tensorflow", "tfjs-core");
  mkdirSync(core, { recursive: true });
  writeFileSync(path.join(core, "package.json"), JSON.stringify({ name: "@tensorflow/tfjs-core", version, main: "dist/index.js" }));
  mkdirSync(path.join(core, "dist"));
  writeFileSync(path.join(core, "dist", "index.js"), 'module.exports = { secondCopy: true };');
  const pkg = path.join(modules, "consumer");
  mkdirSync(pkg, { recursive: true });
  writeFileSync(path.join(pkg, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0" }));
  return pkg;
}

/** Every tfjs-core file loaded as a module of its own (not an alias of ours), but the fakes above. */
function separateCoreModules(): string[] {
  const ours = require.cache[require.resolve("@tensorflow/tfjs-core")];
  return Object.keys(require.cache).filter(
    (file) =>
      /[\\/]@tensorflow[\\/]tfjs-core[\\/]/.test(file) &&
      require.cache[file] !== ours &&
      !file.startsWith(realpathSync(root)),
  );
}

describe("shareTfjsWith", () => {
  it("points a tree's tfjs-core of the same version at ours, so its code never runs", () => {
    const pkg = treeWithCore("same", tf.version_core);
    const aliased = shareTfjsWith(pkg);
    expect(aliased).toEqual([path.join(realpathSync(root), "same", "node_modules", "@tensorflow", "tfjs-core", "dist", "index.js")]);
    const theirs = createRequire(path.join(pkg, "package.json"))("@tensorflow/tfjs-core") as typeof tf;
    expect(theirs.version_core).toBe(tf.version_core);
    expect(theirs.engine()).toBe(tf.engine());
  });

  it("leaves a different version alone", () => {
    const pkg = treeWithCore("other", "4.0.0");
    expect(shareTfjsWith(pkg)).toEqual([]);
    expect(createRequire(path.join(pkg, "package.json"))("@tensorflow/tfjs-core")).toEqual({ secondCopy: true });
  });
});

describe("native TensorFlow from ALBERT_HOME", () => {
  it("registers with our tfjs-core: one copy of it, no kernel registered twice", async () => {
    const warn = vi.spyOn(console, "warn");
    const info = await initBackend("tensorflow");
    const duplicates = warn.mock.calls.filter((call) => /already registered/.test(String(call[0])));
    warn.mockRestore();
    expect(info.name).toBe("tensorflow");
    const location = loadedNative()?.location;
    expect(location?.origin).toBe("albert-home");
    // Its tree has a tfjs-core of its own on disk, which resolves to our module.
    const theirs = createRequire(path.join(realpathSync(location!.dir), "package.json")).resolve("@tensorflow/tfjs-core");
    expect(theirs).not.toBe(require.resolve("@tensorflow/tfjs-core"));
    expect(require.cache[theirs]).toBe(require.cache[require.resolve("@tensorflow/tfjs-core")]);
    expect(separateCoreModules()).toEqual([]);
    expect(duplicates).toEqual([]);
    expect(tf.getBackend()).toBe("tensorflow");
    expect(Array.from(tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).dataSync()))).toEqual([11]);
  });
});
