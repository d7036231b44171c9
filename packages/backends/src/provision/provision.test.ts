import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { locateNativePackage } from "./paths.js";
import { parseSources, provisionNative } from "./provision.js";

const root = mkdtempSync(path.join(tmpdir(), "albert-provision-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A stand-in for an installed tfjs-node: its manifest, and optionally an addon file. */
function fakeNativePackage(name: string, addon?: string): string {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({
      name: "@tensorflow/tfjs-node",
      version: "4.22.0",
      main: "index.js",
      binary: { module_path: "./lib/napi-v{napi_build_version}", napi_versions: [3, 4, 5, 6, 7, 8] },
    }),
  );
  // What tfjs-node's entry point does: load the addon next to it.
  writeFileSync(path.join(dir, "index.js"), 'require("./lib/napi-v8/tfjs_binding.node");');
  if (addon !== undefined) {
    mkdirSync(path.join(dir, "lib", "napi-v8"), { recursive: true });
    writeFileSync(path.join(dir, "lib", "napi-v8", "tfjs_binding.node"), addon);
  }
  return dir;
}

describe("provisionNative", () => {
  it("finds the addon path node-pre-gyp builds for this Node (highest N-API version both support)", () => {
    const location = locateNativePackage("@tensorflow/tfjs-node", fakeNativePackage("paths"))!;
    expect(location.addonPath).toMatch(/lib\/napi-v8\/tfjs_binding\.node$/);
    expect(location.libDir).toMatch(/deps\/lib$/);
  });

  it("fails with what to do when no source can provide the runtime", async () => {
    const previous = process.env["ALBERT_LIBTENSORFLOW"];
    process.env["ALBERT_LIBTENSORFLOW"] = path.join(root, "no-such-runtime");
    try {
      const report = await provisionNative({ packageDir: fakeNativePackage("nothing"), sources: ["directory"] });
      expect(report.ok).toBe(false);
      expect(report.failures).toEqual([
        { source: "directory", reason: expect.stringMatching(/must hold lib\/ and include\/tensorflow\/c\/c_api\.h/) },
      ]);
      expect(report.message).toMatch(/pip install tensorflow-cpu/);
      expect(report.message).toMatch(/ALBERT_LIBTENSORFLOW/);
    } finally {
      if (previous === undefined) delete process.env["ALBERT_LIBTENSORFLOW"];
      else process.env["ALBERT_LIBTENSORFLOW"] = previous;
    }
  });

  it("does not trust an addon that fails to load, and says why", async () => {
    const logs: string[] = [];
    const report = await provisionNative({
      packageDir: fakeNativePackage("broken", "not an ELF file"),
      sources: [],
      log: (line) => logs.push(line),
    });
    expect(report.ok).toBe(false);
    expect(logs.join("\n")).toMatch(/the existing addon does not load \(.*(invalid ELF header|file too short).*\)/);
  });

  it("reports a package that is not installed", async () => {
    const report = await provisionNative({ packageDir: path.join(root, "absent") });
    expect(report).toMatchObject({ ok: false, message: expect.stringMatching(/not installed/) });
  });

  it("parses source lists and refuses unknown sources", () => {
    expect(parseSources("python, pip")).toEqual(["python", "pip"]);
    expect(() => parseSources("conda")).toThrow(/unknown provisioning source 'conda'; allowed: directory, download, python, pip/);
  });
});

describe("albert-provision command", () => {
  const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../dist/provision/cli.js");

  it("reports the runtime the install set up, as JSON, and exits 0", () => {
    const result = spawnSync(process.execPath, [cli, "--json"], { encoding: "utf8" });
    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ ok: true, alreadyProvisioned: true });
    console.log(`native runtime: ${report.message}`);
  });

  it("explains itself with --help and refuses unknown options", () => {
    expect(spawnSync(process.execPath, [cli, "--help"], { encoding: "utf8" }).stdout).toMatch(/Usage: albert-provision/);
    const bad = spawnSync(process.execPath, [cli, "--frobnicate"], { encoding: "utf8" });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/albert-provision: Unknown option '--frobnicate'/);
  });
});
