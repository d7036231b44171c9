/**
 * The one message a process gets when models cannot run on native TensorFlow: without it, a
 * model silently runs many times slower (albert_base at 1x128 in the README's benchmark: 1.6 s
 * on WebAssembly and about 59 s in plain JavaScript, against 0.22 s natively).
 */

/** Process-wide, so two copies of this package still warn once. */
const WARNED = Symbol.for("@albert/backends.fallbackWarned");

/** What `"auto"` settled for instead of native TensorFlow. */
export interface NativeFallback {
  /** `wasm` or `cpu`. */
  backend: string;
  /** Why native TensorFlow is unavailable (the loader's reason). */
  reason: string;
  /** The plain JS fallback was taken although WebAssembly exists: a synchronous first call. */
  wasmNeedsAwait?: boolean;
}

/** `ALBERT_QUIET=1` (or `true`, `yes`) silences the warning. */
export function quietFromEnvironment(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^(1|true|yes)$/i.test(env["ALBERT_QUIET"] ?? "");
}

/** The warning's text: what runs, why, and what to do (one line per point). */
export function fallbackWarning(fallback: NativeFallback): string {
  const where =
    fallback.backend === "wasm"
      ? "WebAssembly (several times slower)"
      : "plain JavaScript (tens of times slower than WebAssembly)";
  const lines = [
    `albert: native TensorFlow is unavailable, so models run on ${where}.`,
    `  why: ${fallback.reason}`,
    "  fix: run `npx albert-provision` once on this machine (`albert doctor` shows what is set up)",
  ];
  if (fallback.wasmNeedsAwait) {
    lines.push(
      '  meanwhile: `await initBackend()` (or `AlbertBackbone.fromPreset`) before building a model picks WebAssembly',
    );
  }
  lines.push('  (ALBERT_QUIET=1 or initBackend("auto", { quiet: true }) hides this message)');
  return lines.join("\n");
}

/** Prints the warning on stderr, once per process, unless asked to be quiet. */
export function warnNativeFallback(fallback: NativeFallback, quiet = false): void {
  const global = globalThis as { [WARNED]?: boolean };
  if (quiet || quietFromEnvironment() || global[WARNED]) return;
  global[WARNED] = true;
  process.stderr.write(`${fallbackWarning(fallback)}\n`);
}
