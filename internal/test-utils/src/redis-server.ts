import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

/** A Redis for tests: a URL, and how to stop it (a no-op for one the caller started). */
export interface TestRedis {
  url: string;
  stop(): Promise<void>;
}

/** The variable `.ci/run` sets to the Redis it started on a loopback port. */
export const TEST_REDIS_ENV = "ALBERT_TEST_REDIS_URL";

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function hasRedisServer(): boolean {
  return spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
}

/**
 * The real Redis the queue tests run against: the one `.ci/run` started (`ALBERT_TEST_REDIS_URL`),
 * else a `redis-server` (Debian's package) started here on a free loopback port without
 * persistence, stopped by `stop()`. Where neither exists it returns `undefined` after a loud
 * warning, so the tests can skip; under CI (`CI` set) that is an error instead: CI must run them.
 */
export async function startTestRedis(): Promise<TestRedis | undefined> {
  const given = process.env[TEST_REDIS_ENV];
  if (given !== undefined && given !== "") return { url: given, stop: async () => {} };
  if (!hasRedisServer()) {
    const message = `redis-server is not installed and ${TEST_REDIS_ENV} is not set: the queue tests cannot run (apt-get install -y redis-server)`;
    if (process.env["CI"]) throw new Error(message);
    console.warn(`\n*** SKIPPED: ${message} ***\n`);
    return undefined;
  }
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), "albert-redis-"));
  const child: ChildProcess = spawn(
    "redis-server",
    ["--bind", "127.0.0.1", "--port", String(port), "--dir", dir, "--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  await new Promise<void>((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`redis-server did not start in 10 s: ${output}`)), 10_000);
    child.stdout!.on("data", (d: Buffer) => {
      output += d.toString();
      if (output.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}: ${output}`));
    });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
        child.kill("SIGTERM");
      }),
  };
}
