import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  linkSync,
  copyFileSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { NativePackageLocation } from "./paths.js";
import { OFFICIAL_LIBTENSORFLOW_VERSION, type TensorFlowRuntime } from "./runtime-sources.js";

/** Hard link when the cache shares the file system (instant, no extra disk), else copy. */
function linkOrCopy(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

function symlinkIfAbsent(target: string, link: string): void {
  if (!existsSync(link)) symlinkSync(target, link);
}

/**
 * Puts a runtime where the addon's rpath (`$ORIGIN/../../deps/lib`) finds it, under the names
 * the binding links (`-ltensorflow`, `-ltensorflow_framework`) and their SONAMEs. Only new files
 * are created: under pnpm the package's own files are hard links into the store.
 */
export function stageRuntime(runtime: TensorFlowRuntime, location: NativePackageLocation): void {
  const deps = path.dirname(location.libDir);
  rmSync(deps, { recursive: true, force: true });
  mkdirSync(location.libDir, { recursive: true });
  const lib = path.join(runtime.root, "lib");
  for (const file of readdirSync(lib)) {
    const from = path.join(lib, file);
    const to = path.join(location.libDir, file);
    if (lstatSync(from).isSymbolicLink()) symlinkSync(readlinkSync(from), to);
    else linkOrCopy(from, to);
  }
  symlinkIfAbsent(runtime.mainLibrary, path.join(location.libDir, "libtensorflow.so"));
  symlinkIfAbsent(runtime.frameworkLibrary, path.join(location.libDir, "libtensorflow_framework.so"));
  // tfjs-node's own install script skips its download when this file exists.
  symlinkIfAbsent(
    runtime.mainLibrary,
    path.join(location.libDir, `libtensorflow.so.${OFFICIAL_LIBTENSORFLOW_VERSION}`),
  );
  cpSync(path.join(runtime.root, "include"), location.includeDir, { recursive: true });
}

/** Node's own headers, so node-gyp does not try to download them. */
function nodeHeadersDir(): string | undefined {
  const candidates = [path.resolve(path.dirname(process.execPath), ".."), "/usr", "/usr/local"];
  return candidates.find((dir) => existsSync(path.join(dir, "include", "node", "node_api.h")));
}

/** Compiles the binding against the staged headers and libraries (node-pre-gyp, ~10 s). */
export function buildAddon(location: NativePackageLocation): { ok: true } | { ok: false; log: string } {
  const require = createRequire(path.join(location.dir, "package.json"));
  let nodePreGyp: string;
  try {
    nodePreGyp = require.resolve("@mapbox/node-pre-gyp/bin/node-pre-gyp");
  } catch {
    return { ok: false, log: `@mapbox/node-pre-gyp is not installed beside ${location.dir}` };
  }
  rmSync(path.dirname(location.addonPath), { recursive: true, force: true });
  const headers = nodeHeadersDir();
  const result = spawnSync(process.execPath, [nodePreGyp, "install", "--build-from-source"], {
    cwd: location.dir,
    encoding: "utf8",
    env: { ...process.env, ...(headers === undefined ? {} : { npm_config_nodedir: headers }) },
  });
  if (result.status === 0 && existsSync(location.addonPath)) return { ok: true };
  return { ok: false, log: `${result.stdout}\n${result.stderr}\n${result.error?.message ?? ""}`.trim() };
}

export interface LoadCheck {
  ok: boolean;
  /** TensorFlow's version as the loaded C library reports it. */
  tensorflowVersion?: string;
  /** Whether TensorFlow runs operations on a GPU (the CUDA build, where it finds one). */
  gpu?: boolean;
  error?: string;
  /** TensorFlow's own lines about GPU libraries it could not open (CUDA build only). */
  gpuLog?: string[];
}

const LOAD_CHECK_SCRIPT = `
const tf = require(process.argv[1]);
const a = tf.tensor2d([[1, 2], [3, 4]]);
const v = Array.from(tf.matMul(a, a).dataSync());
if (tf.getBackend() !== "tensorflow" || v.join() !== "7,10,15,22") throw new Error("wrong result " + v);
const backend = tf.backend();
process.stdout.write(JSON.stringify({ tf: backend.binding.TF_Version, gpu: backend.isUsingGpuDevice === true }));
`;

/** Loads the addon in a child process (a broken native library must not crash this one). */
export function checkAddonLoads(location: NativePackageLocation): LoadCheck {
  const gpuBuild = location.name === "@tensorflow/tfjs-node-gpu";
  const result = spawnSync(process.execPath, ["-e", LOAD_CHECK_SCRIPT, location.dir], {
    encoding: "utf8",
    // The CUDA build says which GPU libraries it could not open only at log level 0.
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: gpuBuild ? "0" : "2", TF_FORCE_GPU_ALLOW_GROWTH: "true" },
  });
  if (result.status === 0) {
    try {
      const { tf, gpu } = JSON.parse(result.stdout) as { tf: string; gpu: boolean };
      const gpuLog = `${result.stderr}`
        .split("\n")
        .filter((l) => /Could not (load|find|open)|Cannot dlopen|cuInit|CUDA_ERROR|cudnn|no GPU/i.test(l))
        .slice(0, 5);
      return { ok: true, tensorflowVersion: tf, gpu, ...(gpuBuild ? { gpuLog } : {}) };
    } catch {
      /* fall through */
    }
  }
  const lines = `${result.stderr}`.split("\n").filter((l) => /Error|error|cannot|undefined symbol/.test(l));
  return { ok: false, error: (lines.slice(0, 3).join(" | ") || result.error?.message || "load failed").trim() };
}
