/**
 * The harness side of the process protocol: every case runs in its own fresh process (so
 * its peak RSS is its own) and reports on one `BENCH_RESULT <json>` line, the last on stdout.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const RESULT_PREFIX = "BENCH_RESULT ";

/** The bench package's folder (this file is in src/ or dist/, one level down). */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export interface ChildOutcome {
  /** The parsed result line, when the process printed one. */
  result?: Record<string, unknown>;
  /** Why no usable result came back (exit status, signal, timeout, missing line). */
  error?: string;
  exitCode: number | null;
  wallMs: number;
  stdout: string;
  stderr: string;
}

export interface ChildOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  cwd?: string;
}

/** The last `BENCH_RESULT` line of `stdout`, parsed. */
export function parseResultLine(stdout: string): Record<string, unknown> | undefined {
  const lines = stdout.split("\n");
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    if (line.startsWith(RESULT_PREFIX))
      return JSON.parse(line.slice(RESULT_PREFIX.length)) as Record<string, unknown>;
  }
  return undefined;
}

/**
 * Whether a case's process gave a usable result: `unavailable` when the worker said why it
 * could not run, `failed` when no result came back (or it lacks `requiredKey`, the case's main
 * figure), else ok.
 */
export function caseStatus(
  outcome: ChildOutcome,
  requiredKey?: string,
): { status: "ok" | "unavailable" | "failed"; reason?: string } {
  const r = outcome.result ?? {};
  if (typeof r["unavailable"] === "string")
    return { status: "unavailable", reason: r["unavailable"] };
  if (outcome.error !== undefined) return { status: "failed", reason: outcome.error };
  if (requiredKey !== undefined && typeof r[requiredKey] !== "number") {
    return { status: "failed", reason: "no timing in the result" };
  }
  return { status: "ok" };
}

function tail(text: string, lines = 8): string {
  return text.trim().split("\n").slice(-lines).join("\n");
}

export function runChild(
  command: string,
  args: string[],
  options: ChildOptions = {},
): Promise<ChildOutcome> {
  const start = performance.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? PACKAGE_ROOT,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
      if (stderr.length > 1_000_000) stderr = stderr.slice(-500_000);
    });
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill("SIGKILL");
          }, options.timeoutMs);
    let settled = false;
    const finish = (exitCode: number | null, spawnError?: Error) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      const wallMs = performance.now() - start;
      let result: Record<string, unknown> | undefined;
      let error: string | undefined;
      try {
        result = parseResultLine(stdout);
      } catch (parseError) {
        error = `unreadable result line: ${(parseError as Error).message}`;
      }
      if (spawnError) error = `could not start ${command}: ${spawnError.message}`;
      else if (timedOut) error = `timed out after ${Math.round((options.timeoutMs ?? 0) / 1000)} s`;
      else if (result === undefined && error === undefined)
        error = `exited with ${exitCode} without a result; stderr: ${tail(stderr) || "(empty)"}`;
      else if (result !== undefined && typeof result["failed"] === "string") {
        error = String(result["failed"]);
      }
      resolve({
        ...(result ? { result } : {}),
        ...(error ? { error } : {}),
        exitCode,
        wallMs,
        stdout,
        stderr,
      });
    };
    child.on("error", (spawnError) => finish(null, spawnError));
    child.on("close", (code) => finish(code));
  });
}

/** Runs a compiled worker (dist/workers/NAME.js) with its JSON arguments. */
export function runWorker(
  name: string,
  args: unknown,
  options: ChildOptions = {},
): Promise<ChildOutcome> {
  const file = path.join(PACKAGE_ROOT, "dist", "workers", `${name}.js`);
  if (!existsSync(file)) {
    return Promise.resolve({
      error: `${file} is missing: build @albert/bench first (pnpm --filter @albert/bench build)`,
      exitCode: null,
      wallMs: 0,
      stdout: "",
      stderr: "",
    });
  }
  return runChild(process.execPath, [file, JSON.stringify(args)], options);
}
