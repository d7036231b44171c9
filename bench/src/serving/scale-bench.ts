import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** A throwaway redis-server on a free loopback port (Redis picks none itself: try a few). */
async function redisServer(dir: string): Promise<{ url: string; stop: () => void }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const child = spawn("redis-server", ["--bind", "127.0.0.1", "--port", String(port), "--dir", dir, "--save", "", "--appendonly", "no"], { stdio: ["ignore", "pipe", "ignore"] });
    const ready = await new Promise<boolean>((resolve) => {
      let out = "";
      child.once("error", () => resolve(false));
      child.once("exit", () => resolve(false));
      child.stdout!.on("data", (d: Buffer) => (out += d.toString()).includes("Ready to accept connections") && resolve(true));
    });
    if (ready) return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill("SIGTERM") };
  }
  throw new Error("could not start redis-server (apt-get install -y redis-server)");
}

export interface ScaleRow {
  workers: number;
  seconds: number;
  rowsPerSecond: number;
  speedup: number;
}

function cli(root: string, args: string[]): { child: ChildProcess; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [path.join(root, "packages", "cli", "bin", "albert.js"), ...args], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  return { child, stderr: () => stderr, exited: new Promise((resolve) => child.once("close", resolve)) };
}

async function waitFor(process: ReturnType<typeof cli>, pattern: RegExp): Promise<void> {
  while (!pattern.test(process.stderr())) {
    if (process.child.exitCode !== null) throw new Error(`exited early: ${process.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The tiny model (testdata/tokenizer) across 1, 2 and 4 `albert worker` processes of one
 * thread each on a real redis-server: the time `albert encode --queue` reports from its start
 * to the last shard written, the workers up and warm (each has done a shard already).
 */
export async function scaleOutBenchmark(options: { root: string; preset: string; sentences: readonly string[]; workers: number[]; log: (line: string) => void }): Promise<ScaleRow[]> {
  const dir = mkdtempSync(path.join(tmpdir(), "albert-scale-bench-"));
  const redis = await redisServer(dir);
  const input = path.join(dir, "corpus.txt");
  writeFileSync(input, `${options.sentences.join("\n")}\n`);
  const rows: ScaleRow[] = [];
  try {
    for (const count of options.workers) {
      const queue = ["--queue", redis.url, "--queue-name", `scale-${count}-${Date.now()}`];
      const workers = Array.from({ length: count }, () => cli(options.root, ["worker", ...queue, "--preset", options.preset, "--threads", "1"]));
      for (const w of workers) await waitFor(w, /waiting for shards/);
      const encode = (file: string, out: string) =>
        cli(options.root, ["encode", "--preset", options.preset, "--input", file, "--output", path.join(dir, out), "--shard-size", "2000", "--batch-size", "64", ...queue]);
      // Warm-up: a shard per worker, so each has loaded its model before the timed run.
      const warm = path.join(dir, "warm.txt");
      writeFileSync(warm, `${options.sentences.slice(0, count * 2000).join("\n")}\n`);
      await encode(warm, `warm-${count}`).exited;
      options.log(`scale-out: ${count} worker(s), ${options.sentences.length} sentences`);
      const producer = encode(input, `out-${count}`);
      const code = await producer.exited;
      for (const w of workers) w.child.kill("SIGTERM");
      await Promise.all(workers.map((w) => w.exited));
      const match = /encoded in ([\d.]+) s/.exec(producer.stderr());
      if (code !== 0 || match === null) throw new Error(`albert encode --queue failed: ${producer.stderr()}`);
      const seconds = Number(match[1]);
      rows.push({ workers: count, seconds, rowsPerSecond: options.sentences.length / seconds, speedup: (rows[0]?.seconds ?? seconds) / seconds });
    }
  } finally {
    redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
