import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { packageInFolder, type NativePackage } from "./paths.js";

/**
 * Packages of the TF.js union that tfjs-node loads in Node: only each one's `main` (a
 * self-contained `*.node.js` bundle that requires the others by name) ever runs there.
 */
const TFJS_BUNDLES = [
  "tfjs",
  "tfjs-core",
  "tfjs-backend-cpu",
  "tfjs-backend-webgl",
  "tfjs-converter",
  "tfjs-data",
  "tfjs-layers",
];

/**
 * Dependencies nothing loads in Node: core-js serves only the union's browser polyfill entry,
 * `@types` only compilers.
 */
const UNUSED_IN_NODE = ["core-js", "@types"];

/** npm settings that would send the nested install elsewhere than its own folder. */
const PLACEMENT_SETTINGS = /^npm_config_(prefix|global|global_prefix|local_prefix|location|workspaces?|include_workspace_root|frozen_lockfile|dry_run|package_lock|package_lock_only|save.*|omit|include|production|only|ignore_scripts)$/i;

/** The environment for the nested npm: the caller's, less lifecycle variables and placement settings. */
function npmEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !PLACEMENT_SETTINGS.test(key) && !/^npm_(lifecycle|package)_/i.test(key) && key !== "npm_command",
    ),
  );
}

/** npm: the one on PATH, else the copy that ships with this Node. */
function npmCommand(): { command: string; prefix: string[] } {
  const bundled = path.join(path.dirname(process.execPath), "..", "lib", "node_modules", "npm", "bin", "npm-cli.js");
  const onPath = spawnSync(process.platform === "win32" ? "npm.cmd" : "npm", ["--version"], { encoding: "utf8" });
  if (onPath.status === 0) return { command: process.platform === "win32" ? "npm.cmd" : "npm", prefix: [] };
  return { command: process.execPath, prefix: [bundled] };
}

export type InstallResult = { ok: true } | { ok: false; reason: string };

/**
 * Installs `name@version` and its dependencies from the npm registry into `folder` (a small
 * private npm project) without running any install script: tfjs-node's would download
 * libtensorflow, which provisioning gets itself. Then prunes what Node never loads.
 */
export function installNativeFolder(folder: string, name: NativePackage, version: string): InstallResult {
  mkdirSync(folder, { recursive: true });
  writeFileSync(
    path.join(folder, "package.json"),
    JSON.stringify(
      {
        name: "albert-native-runtime",
        private: true,
        description: "Written by albert-provision (@albert/backends): native TensorFlow for TF.js, shared by every project on this machine",
        dependencies: { [name]: version },
      },
      null,
      2,
    ) + "\n",
  );
  const npm = npmCommand();
  const result = spawnSync(
    npm.command,
    [...npm.prefix, "install", "--ignore-scripts", "--no-audit", "--no-fund", "--omit=dev", "--loglevel=error"],
    { cwd: folder, encoding: "utf8", env: npmEnvironment() },
  );
  if (result.status !== 0 || !existsSync(path.join(packageInFolder(folder, name), "package.json"))) {
    const output = npmError(`${result.stderr ?? ""}\n${result.stdout ?? ""}`);
    return { ok: false, reason: `npm install ${name}@${version} failed: ${output || result.error?.message || `exit ${result.status}`}` };
  }
  pruneNativeFolder(folder);
  return { ok: true };
}

/** npm's error in a line: its code and message (`ECONNREFUSED: FetchError: request to ... failed`), without the stack. */
function npmError(output: string): string {
  const lines = output
    .split("\n")
    .filter((line) => line.startsWith("npm error "))
    .map((line) => line.slice("npm error ".length));
  const code = lines.find((line) => line.startsWith("code "))?.slice(5);
  const message = lines.find((line) => line.trim() !== "" && !/^(code|syscall|errno)\b|^\s/.test(line));
  const summary = [code, message].filter(Boolean).join(": ");
  return summary || output.trim().split("\n").slice(-4).join("\n");
}

/** Removes every file under `dir` whose name matches. */
function removeFiles(dir: string, match: (file: string) => boolean): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) removeFiles(full, match);
    else if (match(entry.name)) unlinkSync(full);
  }
}

/**
 * Keeps what Node loads: each TF.js bundle package shrinks to its manifest and `main` (the
 * browser bundles, ES module trees and source maps are about 270 of the folder's 300 MB),
 * and packages that never load in Node go. The load check after the build proves the rest.
 */
export function pruneNativeFolder(folder: string): void {
  const modules = path.join(folder, "node_modules");
  for (const bundle of TFJS_BUNDLES) {
    const dir = path.join(modules, "@tensorflow", bundle);
    const manifest = path.join(dir, "package.json");
    if (!existsSync(manifest)) continue;
    const main = (JSON.parse(readFileSync(manifest, "utf8")) as { main?: string }).main;
    if (main === undefined || !existsSync(path.join(dir, main)) || !statSync(path.join(dir, main)).isFile()) continue;
    const keep = new Set([path.join(dir, "package.json"), path.join(dir, main)]);
    pruneExcept(dir, keep);
  }
  for (const unused of UNUSED_IN_NODE) rmSync(path.join(modules, unused), { recursive: true, force: true });
  removeFiles(modules, (file) => file.endsWith(".map"));
}

/** Deletes everything under `dir` except the files in `keep` (and the folders leading to them). */
function pruneExcept(dir: string, keep: Set<string>): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (keep.has(full)) continue;
    if (entry.isDirectory() && [...keep].some((file) => file.startsWith(full + path.sep))) pruneExcept(full, keep);
    else rmSync(full, { recursive: true, force: true });
  }
}
