#!/usr/bin/env node
/**
 * `pnpm bench [-- options]`: runs the benchmark, prints the markdown report on stdout
 * (progress goes to stderr) and writes the JSON file.
 */
import { parseArgs, USAGE } from "./options.js";
import { formatReport } from "./report.js";
import { runBenchmark } from "./run-benchmark.js";

async function main(): Promise<void> {
  // `--serving`: the serving, bulk-encoding and scale-out measurements (src/serving), on their own.
  if (process.argv.includes("--serving")) {
    const { runServingBenchmark } = await import("./serving/run.js");
    await runServingBenchmark(process.argv.slice(2));
    return;
  }
  // `--browser`: albert_base in headless Chromium, ours on wasm and webgl against ONNX Runtime Web.
  if (process.argv.includes("--browser")) {
    const { runBrowserBenchmark } = await import("./browser/run.js");
    await runBrowserBenchmark(process.argv.slice(2));
    return;
  }
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const results = await runBenchmark(options);
  process.stdout.write(`${formatReport(results)}\n`);
  const ours = results.forward.filter((f) => f.ours);
  if (ours.length > 0 && ours.every((f) => f.status === "failed")) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
