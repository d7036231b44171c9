/**
 * `pnpm bench -- --browser`: albert_base in headless Chromium at 1x128 and 8x128, ours on the
 * wasm and webgl backends against ONNX Runtime Web (wasm, the engine transformers.js uses) on
 * the ONNX export of the same weights, in one run. Each case runs in a fresh page (its own
 * browser context); the machine's load is recorded with the numbers. Prints a markdown report
 * and writes bench/results/browser.json.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { findChromium, launchChromium } from "@albert/browser-example/chromium";
import { startStaticServer } from "@albert/browser-example/static-server";
import { bundleForBrowsers, tfjsWasmDir } from "@albert/browser-example/bundle";
import { shapeLabel, type Shape } from "../cases.js";
import { DEFAULT_CACHE_DIR } from "../options.js";
import { PACKAGE_ROOT } from "../child-process.js";
import type { PageCase, PageResult } from "./bench-page.js";

const require = createRequire(import.meta.url);

interface BrowserRow extends Partial<PageResult> {
  id: string;
  batch: number;
  seq: number;
  status: "ok" | "unavailable" | "failed";
  reason?: string;
  warmups: number;
  runs: number;
  /** 1-minute load average before and after the case. */
  load: [number, number];
}

interface Plan {
  id: string;
  run: "ours" | "ort";
  backend?: "wasm" | "webgl";
  /** Warm-ups and timed runs by batch size. */
  iterations: (shape: Shape) => { warmups: number; runs: number };
}

const PLANS: Plan[] = [
  { id: "albert-ts/wasm", run: "ours", backend: "wasm", iterations: (s) => (s.batch === 1 ? { warmups: 2, runs: 10 } : { warmups: 1, runs: 5 }) },
  { id: "onnxruntime-web/wasm", run: "ort", iterations: (s) => (s.batch === 1 ? { warmups: 2, runs: 10 } : { warmups: 1, runs: 5 }) },
  // WebGL here is SwiftShader (no GPU): seconds per call at 1x128, minutes at 8x128.
  { id: "albert-ts/webgl", run: "ours", backend: "webgl", iterations: (s) => (s.batch === 1 ? { warmups: 1, runs: 3 } : { warmups: 1, runs: 1 }) },
];

const SHAPES: Shape[] = [
  { batch: 1, seq: 128 },
  { batch: 8, seq: 128 },
];

/** onnxruntime-web's prebuilt modules and .wasm files (its package exports no package.json). */
function ortDist(): string {
  let dir = path.dirname(require.resolve("onnxruntime-web"));
  while (path.basename(dir) !== "dist") dir = path.dirname(dir);
  return dir;
}

async function buildPage(siteDir: string): Promise<void> {
  mkdirSync(siteDir, { recursive: true });
  await bundleForBrowsers([path.join(PACKAGE_ROOT, "src/browser/bench-page.ts")], siteDir, { external: ["/ort/*"] });
  writeFileSync(
    path.join(siteDir, "index.html"),
    '<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="bench-page.js"></script></head><body></body></html>',
  );
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** One row from a case's rounds: the timed runs of all rounds pooled (median, min), the
 * median first call and load time, the runs counted over all rounds; failed if any round was. */
function pooled(rounds: BrowserRow[]): BrowserRow {
  const failed = rounds.find((r) => r.status !== "ok");
  const first = rounds[0]!;
  const load: [number, number] = [first.load[0], rounds.at(-1)!.load[1]];
  if (failed !== undefined || rounds.length === 1) return { ...(failed ?? first), load };
  const times = rounds.flatMap((r) => r.timesMs ?? []);
  return {
    ...first,
    timesMs: times,
    medianMs: median(times),
    minMs: Math.min(...times),
    firstCallMs: median(rounds.map((r) => r.firstCallMs!)),
    loadMs: median(rounds.map((r) => r.loadMs!)),
    warmups: first.warmups * rounds.length,
    runs: times.length,
    load,
  };
}

function table(rows: BrowserRow[]): string {
  const ort = (r: BrowserRow) => rows.find((o) => o.id === "onnxruntime-web/wasm" && o.batch === r.batch && o.seq === r.seq);
  const lines = [
    "| implementation | case | median ms | min ms | first call ms | load ms | threads | vs ORT Web | max abs diff vs torch | load avg (before/after) |",
    "|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of rows) {
    if (r.status !== "ok") {
      lines.push(`| ${r.id} | ${r.batch}x${r.seq} | ${r.status}: ${r.reason ?? ""} | | | | | | | ${r.load.map((l) => l.toFixed(2)).join(" / ")} |`);
      continue;
    }
    const peer = ort(r);
    const ratio = peer?.status === "ok" && r.id !== peer.id ? `${(r.medianMs! / peer.medianMs!).toFixed(2)}x` : "";
    const parity = r.parity === undefined ? "" : r.parity.sequence.toExponential(1);
    lines.push(
      `| ${r.id} | ${r.batch}x${r.seq} | ${r.medianMs!.toFixed(1)} | ${r.minMs!.toFixed(1)} | ${r.firstCallMs!.toFixed(0)} | ${r.loadMs!.toFixed(0)} | ${r.threads} | ${ratio} | ${parity} | ${r.load.map((l) => l.toFixed(2)).join(" / ")} |`,
    );
  }
  return lines.join("\n");
}

export async function runBrowserBenchmark(argv: readonly string[] = []): Promise<void> {
  const cacheIndex = argv.indexOf("--cache");
  const cacheDir = cacheIndex >= 0 ? path.resolve(argv[cacheIndex + 1]!) : DEFAULT_CACHE_DIR;
  const hfDir = path.join(cacheDir, "albert_base", "hf");
  const chromium = findChromium();
  const missing =
    chromium === undefined
      ? "no Chromium (apt-get install chromium, or set CHROMIUM_PATH)"
      : !existsSync(path.join(hfDir, "model.onnx"))
        ? `no shared albert_base weights with their ONNX export in ${hfDir}: \`pnpm bench\` writes them (with torch) on its first run`
        : undefined;
  // `--backends wasm,webgl`: which of ours run (ONNX Runtime Web always does).
  const backendsIndex = argv.indexOf("--backends");
  const wanted = backendsIndex >= 0 ? (argv[backendsIndex + 1] ?? "").split(",") : ["wasm", "webgl"];
  const plans = PLANS.filter((p) => p.backend === undefined || wanted.includes(p.backend));
  // `--rounds N`: every case N times, pooled (default 1).
  const roundsIndex = argv.indexOf("--rounds");
  const rounds = roundsIndex >= 0 ? Math.max(1, Math.floor(Number(argv[roundsIndex + 1])) || 1) : 1;
  const rows: BrowserRow[] = [];
  const started = { load: os.loadavg(), at: new Date().toISOString() };
  if (missing !== undefined) {
    for (const shape of SHAPES) for (const plan of plans) rows.push({ id: plan.id, ...shape, status: "unavailable", reason: missing, warmups: 0, runs: 0, load: [0, 0] });
  } else {
    const siteDir = path.join(cacheDir, "browser-site");
    await buildPage(siteDir);
    const server = await startStaticServer({
      roots: { "/": siteDir, "/model/": hfDir, "/wasm/": tfjsWasmDir(), "/ort/": ortDist() },
    });
    const browser = await launchChromium(chromium!);
    try {
      for (const shape of SHAPES) {
        const byPlan = new Map<string, BrowserRow[]>(plans.map((p) => [p.id, []]));
        // Each round runs every implementation once, in the opposite order to the round
        // before, so a drift of the machine's load favours no one.
        for (let round = 0; round < rounds; round++) {
          for (const plan of round % 2 === 0 ? plans : [...plans].reverse()) {
            const c: PageCase = { ...shape, ...plan.iterations(shape) };
            const before = os.loadavg()[0]!;
            process.stderr.write(`browser bench: ${plan.id} ${shapeLabel(shape)}, round ${round + 1}/${rounds} (load ${before.toFixed(2)})\n`);
            const page = await browser.newPage();
            try {
              await page.goto(`${server.origin}/`);
              await page.waitForFunction(() => "bench" in globalThis);
              const result = await page.evaluate(
                ({ plan, c }) => {
                  const bench = (globalThis as unknown as { bench: { runOurs: (b: string, c: PageCase) => Promise<PageResult>; runOrt: (c: PageCase) => Promise<PageResult> } }).bench;
                  return plan.run === "ours" ? bench.runOurs(plan.backend!, c) : bench.runOrt(c);
                },
                { plan: { run: plan.run, backend: plan.backend }, c },
              );
              byPlan.get(plan.id)!.push({ id: plan.id, ...shape, status: "ok", warmups: c.warmups, runs: c.runs, ...result, load: [before, os.loadavg()[0]!] });
            } catch (error) {
              byPlan.get(plan.id)!.push({ id: plan.id, ...shape, status: "failed", reason: (error as Error).message.split("\n")[0]!, warmups: c.warmups, runs: c.runs, load: [before, os.loadavg()[0]!] });
            } finally {
              await page.close();
            }
          }
        }
        for (const plan of plans) rows.push(pooled(byPlan.get(plan.id)!));
      }
    } finally {
      await browser.close();
      await server.close();
    }
  }
  const results = {
    startedAt: started.at,
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? "unknown", loadAvgStart: started.load, loadAvgEnd: os.loadavg() },
    chromium: chromium ?? null,
    rounds,
    rows,
  };
  const out = path.join(PACKAGE_ROOT, "results", "browser.json");
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  const loads = (l: number[]) => l.map((v) => v.toFixed(2)).join(", ");
  process.stdout.write(
    [
      "# albert-ts in headless Chromium",
      "",
      "albert_base (random HF weights shared with `pnpm bench`; ONNX Runtime Web runs their ONNX export), all-ones mask, " +
        "segment 0. Ours: `AlbertBackbone.fromPreset` of the HF folder, then per call `predict` and both outputs read back " +
        "(`await data()`); ORT Web 1.30 on wasm, default options (`session.run`). Each case in a fresh page, not cross-origin " +
        "isolated (one thread each). WebGL is SwiftShader (no GPU)." +
        (rounds > 1 ? ` ${rounds} rounds, every implementation once per round in alternating order; the timed runs of all rounds pooled.` : ""),
      "",
      `Machine: ${results.machine.cpus} x ${results.machine.cpuModel}; load average (1, 5, 15 min) at start ${loads(started.load)}, at end ${loads(os.loadavg())}.`,
      "",
      table(rows),
      "",
    ].join("\n"),
  );
}
