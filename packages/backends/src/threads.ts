import { availableParallelism } from "node:os";
import { BackendError } from "./errors.js";

/**
 * Thread pools of native TensorFlow. TensorFlow creates both pools when the native library
 * loads (tfjs-node creates its eager context then) and reads these two environment variables
 * once, at that moment (tensorflow/core/common_runtime/local_device.cc and process_util.cc):
 * a count chosen later has no effect.
 */
export interface NativeThreadOptions {
  /**
   * Threads one operation (a matmul, a softmax) may use: `TF_NUM_INTRAOP_THREADS`.
   * Default: one per CPU this process may run on.
   */
  threads?: number;
  /** Operations that may run at once: `TF_NUM_INTEROP_THREADS`. Default: one per CPU. */
  interOpThreads?: number;
}

/** The thread counts a native library runs (or will run) with, and where they came from. */
export interface NativeThreads {
  intraOp: number;
  interOp: number;
  /** How `intraOp` was chosen, for reports. */
  note: string;
}

const INTRA = "TF_NUM_INTRAOP_THREADS";
const INTER = "TF_NUM_INTEROP_THREADS";

/** TensorFlow's reading of the variable: an integer, else 0 (meaning "default"). */
function fromEnvironment(value: string | undefined): number {
  if (value === undefined || !/^\s*[+-]?\d+\s*$/.test(value)) return 0;
  const n = Number(value);
  return Number.isSafeInteger(n) && Math.abs(n) < 2 ** 31 ? n : 0;
}

/**
 * The counts TensorFlow picks from the environment: the variables when set to a positive
 * integer, else port::MaxParallelism(), the CPUs this process may be scheduled on (which
 * is what `os.availableParallelism()` counts too).
 */
export function threadsFromEnvironment(
  env: Record<string, string | undefined> = process.env,
): NativeThreads {
  const cpus = availableParallelism();
  const intra = fromEnvironment(env[INTRA]);
  const inter = fromEnvironment(env[INTER]);
  return {
    intraOp: intra > 0 ? intra : cpus,
    interOp: inter > 0 ? inter : cpus,
    note:
      intra > 0
        ? `${INTRA}=${intra}`
        : `TensorFlow's default: one per CPU this process may use (${cpus}); set { threads } or ${INTRA} to change`,
  };
}

function validate(value: number | undefined, option: string): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= 1 && value < 2 ** 31)) {
    throw new BackendError(
      "invalid_option",
      `${option} must be a positive integer, got ${String(value)}`,
    );
  }
}

/**
 * Puts the requested counts where TensorFlow will read them, before its library loads. Once
 * it has loaded (`loaded` is what it runs with), asking for other counts is an error that
 * says so; asking for the counts already in effect is fine.
 */
export function applyNativeThreads(
  options: NativeThreadOptions,
  loaded: NativeThreads | undefined,
): void {
  validate(options.threads, "threads");
  validate(options.interOpThreads, "interOpThreads");
  if (loaded !== undefined) {
    const conflicts = [
      options.threads !== undefined && options.threads !== loaded.intraOp
        ? `threads: ${options.threads} (it runs with ${loaded.intraOp})`
        : undefined,
      options.interOpThreads !== undefined && options.interOpThreads !== loaded.interOp
        ? `interOpThreads: ${options.interOpThreads} (it runs with ${loaded.interOp})`
        : undefined,
    ].filter((c) => c !== undefined);
    if (conflicts.length > 0) {
      throw new BackendError(
        "too_late",
        `Native TensorFlow has already loaded in this process, so its thread pools are fixed: cannot apply ` +
          `${conflicts.join(", ")}. Pass the counts to the first initBackend call, before any model runs and ` +
          `before listBackends() or diagnoseBackends(), or set ${INTRA}/${INTER} in the environment.`,
      );
    }
    return;
  }
  if (options.threads !== undefined) process.env[INTRA] = String(options.threads);
  if (options.interOpThreads !== undefined) process.env[INTER] = String(options.interOpThreads);
}
