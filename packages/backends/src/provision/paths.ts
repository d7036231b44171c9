import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import path from "node:path";

const require = createRequire(import.meta.url);
let testRoot: string | undefined;

/**
 * @internal Tests look native packages up in `dir/node_modules` only (no walking up, no
 * global folders) instead of resolving them from this package; `undefined` restores that.
 */
export function resolveNativePackagesFrom(dir: string | undefined): void {
  testRoot = dir;
}

/** The root of everything albert caches (`ALBERT_HOME`, default `~/.cache/albert`). */
export function albertHome(): string {
  return process.env["ALBERT_HOME"] ?? path.join(homedir(), ".cache", "albert");
}

/** The two native TF.js packages we know how to provision. */
export type NativePackage = "@tensorflow/tfjs-node" | "@tensorflow/tfjs-node-gpu";

export interface NativePackageLocation {
  name: NativePackage;
  dir: string;
  version: string;
  /** Where tfjs-node loads its addon from (`lib/napi-v8/tfjs_binding.node`). */
  addonPath: string;
  /** Where the addon's rpath looks for libtensorflow (`deps/lib`). */
  libDir: string;
  includeDir: string;
}

/**
 * Finds an installed native TF.js package (or the one in `dir`, when given), or `undefined`
 * when it is not installed.
 */
export function locateNativePackage(name: NativePackage, dir?: string): NativePackageLocation | undefined {
  let manifest: string;
  try {
    manifest =
      dir !== undefined
        ? path.join(dir, "package.json")
        : testRoot !== undefined
          ? path.join(testRoot, "node_modules", name, "package.json")
          : require.resolve(`${name}/package.json`);
    if (!existsSync(manifest)) return undefined;
  } catch {
    return undefined;
  }
  dir = path.dirname(manifest);
  const pkg = JSON.parse(readFileSync(manifest, "utf8")) as {
    version: string;
    binary: { module_path: string; napi_versions?: number[] };
  };
  // node-pre-gyp builds for (and tfjs-node loads) the highest N-API version both support.
  const napi = Number(process.versions.napi ?? "8");
  const build = Math.max(...(pkg.binary.napi_versions ?? [napi]).filter((v) => v <= napi));
  const modulePath = pkg.binary.module_path.replace("{napi_build_version}", String(build));
  return {
    name,
    dir,
    version: pkg.version,
    addonPath: path.join(dir, modulePath, "tfjs_binding.node"),
    libDir: path.join(dir, "deps", "lib"),
    includeDir: path.join(dir, "deps", "include"),
  };
}

/** Where provisioning records what it set up, beside the package's `deps/`. */
export function provisionRecordPath(location: NativePackageLocation): string {
  return path.join(location.dir, "deps", "albert-provision.json");
}

export function exists(p: string): boolean {
  return existsSync(p);
}

/** The version of a package that @albert/backends depends on (optionally), from its manifest. */
export function ownDependencyVersion(name: string): string {
  const own = require("../../package.json") as {
    dependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
  };
  return own.optionalDependencies?.[name] ?? own.dependencies?.[name] ?? "latest";
}
