import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import path from "node:path";

const require = createRequire(import.meta.url);
let testRoot: string | undefined;

/**
 * @internal Tests look native packages up in `dir/node_modules` only (no provisioned folders,
 * no resolving from this package) instead; `undefined` restores the normal search.
 */
export function resolveNativePackagesFrom(dir: string | undefined): void {
  testRoot = dir;
}

/** Where albert caches things when `ALBERT_HOME` is not set: `~/.cache/albert`. */
export function defaultAlbertHome(): string {
  return path.join(homedir(), ".cache", "albert");
}

/** The root of everything albert caches (`ALBERT_HOME`, default `~/.cache/albert`). */
export function albertHome(): string {
  return process.env["ALBERT_HOME"] ?? defaultAlbertHome();
}

/** The two native TF.js packages we know how to provision. */
export type NativePackage = "@tensorflow/tfjs-node" | "@tensorflow/tfjs-node-gpu";

export interface NativePackageLocation {
  name: NativePackage;
  dir: string;
  version: string;
  /**
   * `albert-home`: set up by `albert-provision` under `ALBERT_HOME/native`; `node_modules`:
   * installed some other way (the project's own dependency, or a folder named explicitly).
   */
  origin: "albert-home" | "node_modules";
  /** Where tfjs-node loads its addon from (`lib/napi-v8/tfjs_binding.node`). */
  addonPath: string;
  /** Where the addon's rpath looks for libtensorflow (`deps/lib`). */
  libDir: string;
  includeDir: string;
}

// === Provisioned folders ===

/** The version of `@tensorflow/tfjs-core` this package depends on, from its manifest. */
export function ownDependencyVersion(name: string): string {
  const own = require("../../package.json") as { dependencies?: Record<string, string> };
  return own.dependencies?.[name] ?? "latest";
}

/**
 * The tfjs-node (and tfjs-node-gpu) version that goes with our tfjs-core: TF.js releases all
 * its packages in lockstep, and tfjs-node must register its kernels with the same tfjs-core.
 */
export function nativePackageVersion(): string {
  return ownDependencyVersion("@tensorflow/tfjs-core");
}

/**
 * The folder `albert-provision` installs a native package into: one per package, version and
 * platform (`ALBERT_HOME/native/tfjs-node-4.22.0-linux-x64`), shared by every project on the
 * machine. It holds a small npm project (`package.json`, `node_modules/`) whose package has
 * its addon built against the provisioned TensorFlow.
 */
export function nativeFolder(name: NativePackage, home: string = albertHome()): string {
  const base = name.split("/")[1] ?? name;
  return path.join(home, "native", `${base}-${nativePackageVersion()}-${process.platform}-${process.arch}`);
}

/** The package itself inside a provisioned folder. */
export function packageInFolder(folder: string, name: NativePackage): string {
  return path.join(folder, "node_modules", ...name.split("/"));
}

/**
 * Provisioned folders to look in, in order: under `ALBERT_HOME`, then under the default
 * `~/.cache/albert` (so a per-project `ALBERT_HOME` for presets keeps the machine's TensorFlow).
 */
export function nativeFolders(name: NativePackage): string[] {
  return [...new Set([nativeFolder(name), nativeFolder(name, defaultAlbertHome())])];
}

// === Locating a package ===

function readLocation(manifest: string, name: NativePackage, origin: NativePackageLocation["origin"]): NativePackageLocation {
  const dir = path.dirname(manifest);
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
    origin,
    addonPath: path.join(dir, modulePath, "tfjs_binding.node"),
    libDir: path.join(dir, "deps", "lib"),
    includeDir: path.join(dir, "deps", "include"),
  };
}

/** The manifest of `name` as this package resolves it (a project's own install), if any. */
function resolvedManifest(name: NativePackage): string | undefined {
  try {
    return require.resolve(`${name}/package.json`);
  } catch {
    return undefined;
  }
}

/**
 * Finds a native TF.js package: the one `albert-provision` set up (`nativeFolders`), else one
 * installed where Node resolves it from here; or the one in `dir`, when given. `undefined`
 * when there is none.
 */
export function locateNativePackage(name: NativePackage, dir?: string): NativePackageLocation | undefined {
  if (dir !== undefined || testRoot !== undefined) {
    const manifest = path.join(dir ?? path.join(testRoot!, "node_modules", name), "package.json");
    return existsSync(manifest) ? readLocation(manifest, name, "node_modules") : undefined;
  }
  for (const folder of nativeFolders(name)) {
    const manifest = path.join(packageInFolder(folder, name), "package.json");
    if (existsSync(manifest)) return readLocation(manifest, name, "albert-home");
  }
  const manifest = resolvedManifest(name);
  return manifest === undefined ? undefined : readLocation(manifest, name, "node_modules");
}

/** Where provisioning records what it set up, beside the package's `deps/`. */
export function provisionRecordPath(location: NativePackageLocation): string {
  return path.join(location.dir, "deps", "albert-provision.json");
}

export function exists(p: string): boolean {
  return existsSync(p);
}
