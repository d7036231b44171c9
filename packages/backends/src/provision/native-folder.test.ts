/**
 * The folder `albert-provision` installs tfjs-node into (ALBERT_HOME/native): where models
 * look for it, what is pruned, and what a failed install leaves. The real install from the
 * npm registry is checked end to end by scripts/packed-install.mjs (CI's packed-install step).
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { fakeNativePackage, tempDir } from "../test-utils/fakes.js";
import { pruneNativeFolder } from "./native-folder.js";
import { defaultAlbertHome, locateNativePackage, nativeFolder, packageInFolder } from "./paths.js";
import { provisionNative } from "./provision.js";

const root = tempDir("native-folder");
const homeBefore = process.env["ALBERT_HOME"];
afterEach(() => {
  if (homeBefore === undefined) delete process.env["ALBERT_HOME"];
  else process.env["ALBERT_HOME"] = homeBefore;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every file under `dir`, relative, sorted. */
function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

function write(file: string, text = ""): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

describe("where models look for native TensorFlow", () => {
  it("the folder under ALBERT_HOME first, named for the package, version and platform", () => {
    const home = path.join(root, "home-with-native");
    process.env["ALBERT_HOME"] = home;
    const folder = nativeFolder("@tensorflow/tfjs-node");
    expect(folder).toBe(path.join(home, "native", `tfjs-node-4.22.0-${process.platform}-${process.arch}`));
    fakeNativePackage(folder, "@tensorflow/tfjs-node", "addon-missing");
    expect(locateNativePackage("@tensorflow/tfjs-node")).toMatchObject({
      dir: packageInFolder(folder, "@tensorflow/tfjs-node"),
      origin: "albert-home",
      version: "4.22.0",
    });
  });

  it("then the machine's default ~/.cache/albert, so a per-project ALBERT_HOME keeps it", () => {
    process.env["ALBERT_HOME"] = path.join(root, "empty-home");
    const location = locateNativePackage("@tensorflow/tfjs-node");
    // The workspace's install provisioned the default home.
    expect(location).toMatchObject({
      dir: packageInFolder(nativeFolder("@tensorflow/tfjs-node", defaultAlbertHome()), "@tensorflow/tfjs-node"),
      origin: "albert-home",
    });
  });
});

describe("pruneNativeFolder", () => {
  it("keeps each TF.js bundle package's manifest and main, and drops source maps and packages Node never loads", () => {
    const folder = path.join(root, "prune");
    const modules = path.join(folder, "node_modules");
    const core = path.join(modules, "@tensorflow", "tfjs-core");
    write(path.join(core, "package.json"), JSON.stringify({ main: "dist/tf-core.node.js" }));
    for (const file of ["dist/tf-core.node.js", "dist/tf-core.node.js.map", "dist/tf-core.min.js", "dist/ops/add.js", "src/index.ts", "README.md"]) {
      write(path.join(core, file), "x");
    }
    write(path.join(modules, "@tensorflow", "tfjs-node", "dist", "index.js"), "x");
    write(path.join(modules, "@tensorflow", "tfjs-node", "dist", "index.js.map"), "x");
    write(path.join(modules, "core-js", "index.js"), "x");
    write(path.join(modules, "@types", "node", "index.d.ts"), "x");
    write(path.join(modules, "long", "index.js"), "x");
    pruneNativeFolder(folder);
    expect(files(modules)).toEqual([
      path.join("@tensorflow", "tfjs-core", "dist", "tf-core.node.js"),
      path.join("@tensorflow", "tfjs-core", "package.json"),
      path.join("@tensorflow", "tfjs-node", "dist", "index.js"),
      path.join("long", "index.js"),
    ]);
  });
});

describe("provisioning into ALBERT_HOME", () => {
  it("says what npm said when it cannot reach its registry, and leaves no folder behind", async () => {
    const home = path.join(root, "home-offline");
    process.env["ALBERT_HOME"] = home;
    const env = { npm_config_registry: "http://127.0.0.1:9/", npm_config_fetch_retries: "0", npm_config_cache: path.join(root, "npm-cache") };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    try {
      const report = await provisionNative({ force: true, sources: [] });
      expect(report.ok).toBe(false);
      expect(report.message).toMatch(/^Could not provision @tensorflow\/tfjs-node: npm install @tensorflow\/tfjs-node@4\.22\.0 failed: .*(ECONNREFUSED|127\.0\.0\.1)/s);
      expect(report.message).toMatch(/npx albert-provision needs the npm registry/);
      expect(existsSync(path.join(home, "native")) ? readdirSync(path.join(home, "native")) : []).toEqual([]);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
