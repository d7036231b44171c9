import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "./child-process.js";
import { formatReport } from "./report.js";
import type { BenchmarkResults } from "./results.js";
import { runBenchmark } from "./run-benchmark.js";

// The harness runs its cases from dist/workers: build them (incremental, quick when fresh).
beforeAll(() => {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-b", "tsconfig.build.json"], {
    cwd: PACKAGE_ROOT,
    stdio: "inherit",
  });
}, 120_000);

describe("runBenchmark --quick on a tiny model (the harness, not a measurement)", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "albert-bench-test-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let results: BenchmarkResults;

  beforeAll(async () => {
    results = await runBenchmark({
      quick: true,
      model: "albert_tiny",
      shapes: [
        { batch: 1, seq: 8 },
        { batch: 2, seq: 16 },
      ],
      backends: ["cpu"],
      fitShapes: [{ batch: 2, seq: 8 }],
      peers: [],
      tokenizer: false,
      cacheDir: path.join(dir, "cache"),
      jsonPath: path.join(dir, "latest.json"),
      log: () => {},
    });
  }, 120_000);

  it("runs every case in its own process and times it", () => {
    expect(results.forward.map((f) => [f.id, f.batch, f.seq, f.status])).toEqual([
      ["albert-ts/cpu", 1, 8, "ok"],
      ["albert-ts/cpu", 2, 16, "ok"],
    ]);
    for (const f of results.forward) {
      expect(f.timesMs).toHaveLength(2);
      expect(f.medianMs).toBeGreaterThan(0);
      expect(f.firstCallMs).toBeGreaterThan(0);
      expect(f.peakRssMB).toBeGreaterThan(10);
      expect(f.leakedTensors).toBe(0);
    }
    expect(new Set(results.forward.map((f) => f.wallMs)).size).toBe(2);
  });

  it("fine-tunes a classifier on the preset it wrote (fit), in a fresh process, and times each step", () => {
    expect(results.fit?.map((f) => [f.id, f.batch, f.seq, f.status])).toEqual([
      ["albert-ts/cpu", 2, 8, "ok"],
    ]);
    const fit = results.fit![0]!;
    expect(fit.stepTimesMs).toHaveLength(2);
    expect(fit.firstStepMs).toBeGreaterThan(0);
    expect(fit.samplesPerSecond).toBeCloseTo(2 / (fit.medianStepMs! / 1000), 6);
    expect(fit.optimizer).toBe("Adam(1e-5)");
    expect(Number.isFinite(fit.lastLoss)).toBe(true);
    expect(fit.peakRssMB).toBeGreaterThan(10);
    expect(fit.leakedTensors).toBe(0);
  });

  it("measures loading the preset it wrote with writePreset, in a fresh process", () => {
    expect(results.weights.source).toBe("random");
    expect(existsSync(path.join(results.weights.kerasPresetDir!, "model.weights.h5"))).toBe(true);
    const ours = results.load.find((l) => l.ours)!;
    expect(ours.status).toBe("ok");
    expect(ours.loadMs).toBeGreaterThan(0);
    expect(ours.importMs).toBeGreaterThan(0);
  });

  it("writes the JSON file and a markdown report", () => {
    const json = JSON.parse(
      readFileSync(path.join(dir, "latest.json"), "utf8"),
    ) as BenchmarkResults;
    expect(json.forward).toHaveLength(2);
    expect(json.machine.cores).toBeGreaterThan(0);
    expect(json.references.forward.length).toBeGreaterThan(0);
    const report = formatReport(results);
    expect(report).toContain("| 1x8 | **albert-ts/cpu** |");
    expect(report).toContain("## Loading a preset from a local folder");
    expect(report).toContain("| 2x8 | **albert-ts/cpu** | 1+2 |");
  });
});
