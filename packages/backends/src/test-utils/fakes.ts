/**
 * Stand-ins for installed native packages and for nvidia-smi, so failure paths can be tested
 * without touching the real tfjs-node that the whole workspace runs on.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { locateNativePackage, type NativePackage } from "../provision/paths.js";

/** A fresh temporary folder under the OS temp dir. */
export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `albert-${prefix}-`));
}

/**
 * How a fake native package fails, with the loader's real messages:
 * - `addon-missing`: no `tfjs_binding.node` (what an install whose script was skipped leaves);
 *   the entry point says so as tfjs-node's does.
 * - `runtime-missing`: the real, compiled addon without libtensorflow beside it (what a failed
 *   provisioning leaves): the dynamic loader cannot find `libtensorflow.so`.
 * - `not-elf`: an addon file that is not a shared library.
 */
export type FakeNativeState = "addon-missing" | "runtime-missing" | "not-elf";

/** Writes `<root>/node_modules/<name>` as a package whose entry point loads its addon. */
export function fakeNativePackage(
  root: string,
  name: NativePackage,
  state: FakeNativeState,
): string {
  const dir = path.join(root, "node_modules", ...name.split("/"));
  const addonDir = path.join(dir, "lib", "napi-v8");
  mkdirSync(addonDir, { recursive: true });
  writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({
      name,
      version: "4.22.0",
      main: "index.js",
      binary: {
        module_path: "./lib/napi-v{napi_build_version}",
        napi_versions: [3, 4, 5, 6, 7, 8],
      },
    }),
  );
  writeFileSync(
    path.join(dir, "index.js"),
    [
      'const path = require("path"), fs = require("fs");',
      'const addon = path.join(__dirname, "lib", "napi-v8", "tfjs_binding.node");',
      "if (!fs.existsSync(addon)) {",
      '  throw new Error("The Node.js native addon module (tfjs_binding.node) can not be found at path: " + addon);',
      "}",
      "require(addon);",
    ].join("\n"),
  );
  const addon = path.join(addonDir, "tfjs_binding.node");
  if (state === "not-elf") writeFileSync(addon, "not an ELF file");
  if (state === "runtime-missing") copyFileSync(realNativePackage().addonPath, addon);
  return dir;
}

/** The real, provisioned tfjs-node (what the workspace's install set up under ALBERT_HOME). */
export function realNativePackage(): NonNullable<ReturnType<typeof locateNativePackage>> {
  const real = locateNativePackage("@tensorflow/tfjs-node");
  if (real === undefined) throw new Error("the tests need native TensorFlow: run `npx albert-provision`");
  return real;
}

/**
 * A copy of the provisioned folder (hard links: instant, no disk) whose node_modules also
 * holds `@tensorflow/tfjs-node-gpu` as installed but never built: tfjs-node's own JavaScript
 * under the GPU package's name, without an addon. Loading it registers tfjs-node's kernels and
 * then fails as the real unbuilt GPU package does. Point `resolveNativePackagesFrom` at the
 * returned folder.
 */
export function nativeFolderWithUnbuiltGpu(root: string): string {
  const real = realNativePackage();
  const folder = path.join(root, "native-with-gpu");
  rmSync(folder, { recursive: true, force: true });
  const modules = path.resolve(real.dir, "..", "..");
  mkdirSync(folder, { recursive: true });
  const copy = spawnSync("cp", ["-al", modules, path.join(folder, "node_modules")], { encoding: "utf8" });
  if (copy.status !== 0) throw new Error(`cp -al failed: ${copy.stderr}`);
  const gpu = path.join(folder, "node_modules", "@tensorflow", "tfjs-node-gpu");
  // A real copy (not links): its manifest is rewritten below.
  cpSync(real.dir, gpu, {
    recursive: true,
    filter: (source) => !/[\\/](lib|deps|build[^\\/]*)$/.test(source),
  });
  const manifest = path.join(gpu, "package.json");
  const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { name: string };
  rmSync(manifest);
  writeFileSync(manifest, JSON.stringify({ ...pkg, name: "@tensorflow/tfjs-node-gpu" }, null, 2));
  return folder;
}

/** An executable `nvidia-smi` in `dir` that prints `output` and exits with `code`. */
export function fakeNvidiaSmi(dir: string, output: string, code = 0): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "nvidia-smi");
  writeFileSync(file, `#!/bin/sh\ncat <<'EOF'\n${output}\nEOF\nexit ${code}\n`);
  chmodSync(file, 0o755);
  return file;
}
