import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The committed launcher, as `pnpm albert` and installed packages run it. */
export const LAUNCHER = fileURLToPath(new URL("../../bin/albert.js", import.meta.url));
const BUILT_MAIN = fileURLToPath(new URL("../../dist/main.js", import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stderr split into lines, without the trailing empty one. */
  stderrLines: string[];
}

export interface RunOptions {
  /** Written to stdin, which is then closed (stdin is closed empty when absent). */
  stdin?: string | Buffer;
  /** Added to a clean environment: no hub endpoints or offline flags from the caller. */
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
}

/** The test process' environment minus what would send the CLI to a hub, plus `extra`. */
function cliEnv(extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of [
    "HF_ENDPOINT",
    "KAGGLE_API_ENDPOINT",
    "ALBERT_DEBUG",
    "HF_TOKEN",
    "INIT_CWD",
  ]) {
    delete env[key];
  }
  delete env["npm_lifecycle_event"];
  Object.assign(env, { ALBERT_OFFLINE: "1", FORCE_COLOR: "0" }, extra ?? {});
  return env;
}

/**
 * Runs `node bin/albert.js ...args` as a real subprocess (the built CLI: `pnpm build` first)
 * and collects its exit code and output. The environment is the test process's minus the
 * variables that would send it to a hub, plus `env`: tests never reach the internet.
 */
export function runCli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  if (!existsSync(BUILT_MAIN)) {
    throw new Error(`${BUILT_MAIN} is missing: build first (pnpm --filter @albert/cli run build)`);
  }
  const env = cliEnv(options.env);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LAUNCHER, ...args], {
      cwd: options.cwd ?? process.cwd(),
      env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      const stderrLines = stderr.split("\n");
      if (stderrLines.at(-1) === "") stderrLines.pop();
      resolve({ code, stdout, stderr, stderrLines });
    });
    child.stdin.end(options.stdin ?? "");
  });
}

/** JSON lines of stdout, parsed. */
export function jsonLines<T = Record<string, unknown>>(stdout: string): T[] {
  return stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as T);
}

/** A temporary folder removed by the returned cleanup. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), `albert-cli-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The one-line error contract: `albert: ...`, then at most a `hint: ...` line, no stack. */
export function expectOneLineError(stderrLines: string[]): { message: string; hint?: string } {
  const [first, second, ...rest] = stderrLines;
  if (first === undefined || !first.startsWith("albert: ")) {
    throw new Error(`expected "albert: <message>" on stderr, got ${JSON.stringify(stderrLines)}`);
  }
  if (rest.length > 0 || (second !== undefined && !second.startsWith("hint: "))) {
    throw new Error(`expected one error line and a hint, got ${JSON.stringify(stderrLines)}`);
  }
  return { message: first.slice("albert: ".length), ...(second ? { hint: second.slice(6) } : {}) };
}

/** A CLI process left running (a service, a worker): its output so far, and its exit. */
export interface CliProcess {
  child: ChildProcess;
  stderr(): string;
  stdout(): string;
  /** Resolves with the exit code (null when killed by a signal) once the process ends. */
  exited: Promise<number | null>;
  /** Resolves once stderr holds a match for `pattern`, with the match. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

const started = new Set<ChildProcess>();

/** SIGKILLs every process `startCli` started that is still running (for `afterEach`, so a
 * failed test leaves no service or worker behind). */
export function killStartedClis(): void {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  started.clear();
}

/** Starts `node bin/albert.js ...args` (the built CLI) without waiting for it to end; see
 * `killStartedClis`. */
export function startCli(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): CliProcess {
  if (!existsSync(BUILT_MAIN)) {
    throw new Error(`${BUILT_MAIN} is missing: build first (pnpm --filter @albert/cli run build)`);
  }
  const child = spawn(process.execPath, [LAUNCHER, ...args], { cwd: options.cwd ?? process.cwd(), env: cliEnv(options.env), stdio: ["ignore", "pipe", "pipe"] });
  started.add(child);
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  return {
    child,
    stderr: () => stderr,
    stdout: () => stdout,
    exited,
    async waitForStderr(pattern, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(stderr);
        if (match !== null) return match;
        if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
          throw new Error(`no ${pattern} on stderr (${child.exitCode !== null ? `exited ${child.exitCode}` : "timed out"}): ${stderr}`);
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };
}
