import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { BackendError } from "./errors.js";

const require = createRequire(import.meta.url);

const WASM_PACKAGE = "@tensorflow/tfjs-backend-wasm";
const SIMD_FILE = "tfjs-backend-wasm-simd.wasm";
const PLAIN_FILE = "tfjs-backend-wasm.wasm";

/** Why threads stay at one: tfjs-backend-wasm turns its multithreaded build off in Node. */
export const WASM_THREADS_NOTE =
  "tfjs-backend-wasm disables its multithreaded build in Node (tensorflow/tfjs#3830), so XNNPACK runs on one thread";

/** Where the wasm backend's binaries are, and which one TF.js will load. */
export interface WasmFiles {
  ok: boolean;
  /** The folder (the installed package's `dist/`, or the `wasmPath` asked for). */
  dir: string;
  /** Whether this engine runs WebAssembly SIMD, so TF.js loads the SIMD build. */
  simd: boolean;
  /** The binary TF.js will load. */
  file: string;
  packageVersion?: string;
  /** Why it cannot run, when `ok` is false. */
  reason?: string;
}

/** The installed tfjs-backend-wasm: its version and its `dist/` folder, where the .wasm files are. */
function wasmPackage(): { dir: string; version: string } | undefined {
  try {
    const manifest = require.resolve(`${WASM_PACKAGE}/package.json`);
    const { version } = JSON.parse(readFileSync(manifest, "utf8")) as { version: string };
    return { dir: path.join(path.dirname(manifest), "dist"), version };
  } catch {
    return undefined;
  }
}

/** Node's WebAssembly global (absent from the ES2022 lib typings). */
const { WebAssembly } = globalThis as unknown as {
  WebAssembly: { validate(bytes: Uint8Array): boolean };
};

/** WebAssembly.validate on a binary: it is readable, and this engine has what it needs (SIMD). */
function validates(file: string): boolean {
  try {
    return WebAssembly.validate(readFileSync(file));
  } catch {
    return false;
  }
}

/**
 * Finds the .wasm files without configuration: under pnpm (or any layout) the package's own
 * `dist/` folder, resolved from here. Checks the binary TF.js would load, so that a missing
 * file is reported instead of aborting inside Emscripten (which cannot be retried).
 */
export function locateWasmFiles(wasmPath?: string): WasmFiles {
  const pkg = wasmPackage();
  const dir = path.resolve(wasmPath ?? pkg?.dir ?? ".");
  const version = pkg === undefined ? {} : { packageVersion: pkg.version };
  if (pkg === undefined) {
    return { ok: false, dir, simd: false, file: "", reason: `${WASM_PACKAGE} is not installed` };
  }
  const simdFile = path.join(dir, SIMD_FILE);
  const plainFile = path.join(dir, PLAIN_FILE);
  if (!existsSync(simdFile) && !existsSync(plainFile)) {
    return {
      ok: false,
      dir,
      simd: false,
      file: simdFile,
      ...version,
      reason:
        `the WebAssembly binaries are not in ${dir} (${SIMD_FILE} and ${PLAIN_FILE} are missing)` +
        (wasmPath === undefined
          ? `; reinstall ${WASM_PACKAGE}`
          : "; point wasmPath at a folder holding them"),
    };
  }
  if (validates(simdFile)) return { ok: true, dir, simd: true, file: simdFile, ...version };
  if (validates(plainFile)) return { ok: true, dir, simd: false, file: plainFile, ...version };
  return {
    ok: false,
    dir,
    simd: false,
    file: plainFile,
    ...version,
    reason: `${existsSync(plainFile) ? plainFile : simdFile} is not a WebAssembly module this engine accepts`,
  };
}

interface WasmState {
  /** The folder TF.js was pointed at (set once init starts). */
  dir?: string;
  ready?: boolean;
  simd?: boolean;
  /** "@tensorflow/tfjs-backend-wasm 4.22.0 (SIMD)", once it runs. */
  version?: string;
  /** Set when initialization failed: tfjs-backend-wasm cannot retry in the same process. */
  failure?: string;
}

const state: WasmState = {};

/** What happened to the wasm backend in this process so far. */
export function wasmState(): Readonly<WasmState> {
  return state;
}

/**
 * Emscripten's Node glue installs process-wide `uncaughtException` and `unhandledRejection`
 * handlers that rethrow; they would change how the host program handles errors. Remove the
 * ones that appeared while `fn` ran.
 */
async function withoutNewProcessHandlers<T>(fn: () => Promise<T>): Promise<T> {
  const exceptions = new Set(process.listeners("uncaughtException"));
  const rejections = new Set(process.listeners("unhandledRejection"));
  try {
    return await fn();
  } finally {
    for (const listener of process.listeners("uncaughtException")) {
      if (!exceptions.has(listener)) process.removeListener("uncaughtException", listener);
    }
    for (const listener of process.listeners("unhandledRejection")) {
      if (!rejections.has(listener)) process.removeListener("unhandledRejection", listener);
    }
  }
}

/** The wasm backend's report: version, SIMD, one thread. */
export interface WasmReady {
  version: string;
  simd: boolean;
}

/**
 * Initializes TF.js' WebAssembly backend (once per process) and switches to it. The package is
 * imported only here: registered early, it would become TF.js' default before anyone chose.
 */
export async function activateWasm(wasmPath?: string): Promise<WasmReady> {
  if (state.failure !== undefined) {
    throw new BackendError(
      "unavailable",
      `${state.failure} (tfjs-backend-wasm cannot initialize twice in one process)`,
    );
  }
  if (state.ready && wasmPath !== undefined && path.resolve(wasmPath) !== state.dir) {
    throw new BackendError(
      "too_late",
      `The wasm backend already runs from ${state.dir}; wasmPath only counts before its first initialization`,
    );
  }
  const files = locateWasmFiles(wasmPath ?? state.dir);
  if (!files.ok)
    throw new BackendError("unavailable", files.reason ?? "the wasm backend is unavailable");
  if (!state.ready) {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    wasm.setWasmPaths(files.dir + path.sep);
    state.dir = files.dir;
    const ok = await withoutNewProcessHandlers(() => tf.setBackend("wasm"));
    if (!ok) {
      state.failure = `the WebAssembly backend failed to initialize from ${files.dir}`;
      throw new BackendError("init_failed", `${state.failure}; TF.js printed the cause above`);
    }
    state.ready = true;
    // The flag TF.js itself used to pick the binary.
    state.simd = (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) === true;
  }
  state.version ??= `${WASM_PACKAGE} ${files.packageVersion ?? "unknown"} (${state.simd ? "SIMD" : "no SIMD"})`;
  if (!(await tf.setBackend("wasm")))
    throw new BackendError("init_failed", "TF.js could not switch to the wasm backend");
  return { version: state.version, simd: state.simd === true };
}

/**
 * Switches to the wasm backend synchronously, which works once it has initialized in this
 * process (TF.js then switches at once); `undefined` before that.
 */
export function reuseWasm(): WasmReady | undefined {
  if (state.ready !== true || state.version === undefined) return undefined;
  void tf.setBackend("wasm");
  return tf.getBackend() === "wasm" ? { version: state.version, simd: state.simd === true } : undefined;
}
