import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Command } from "commander";
import { CliError, UsageError } from "../errors.js";
import { writeText, type Io } from "../io/streams.js";

/** What the command uses of `@albert/bench` (its public API), typed here so that the CLI
 * neither depends on the private package nor needs it to build. */
interface BenchModule {
  parseArgs(argv: readonly string[]): Record<string, unknown> & { help?: boolean };
  runBenchmark(
    options: Record<string, unknown>,
  ): Promise<{ forward: { ours: boolean; status: string }[] }>;
  formatReport(results: unknown): string;
  USAGE: string;
}

/**
 * The harness lives in the repository (`bench/`, private: it installs Python peers and writes
 * results there), so it is found by package name when installed, else in the checkout this
 * CLI was built in.
 */
async function loadBench(): Promise<BenchModule | undefined> {
  const byName = "@albert/bench";
  try {
    return (await import(byName)) as BenchModule;
  } catch {
    // Not installed as a package: try the monorepo checkout.
  }
  const inRepo = new URL("../../../../bench/dist/index.js", import.meta.url);
  if (!existsSync(fileURLToPath(inRepo))) return undefined;
  return (await import(pathToFileURL(fileURLToPath(inRepo)).href)) as BenchModule;
}

const NOT_AVAILABLE_HINT =
  "The benchmark harness is the repository's bench/ package: in a checkout of albert-ts run `pnpm install`, " +
  "then `pnpm albert bench` or `pnpm bench`.";

export function benchCommand(program: Command, io: Io): Command {
  return program
    .command("bench")
    .summary("run the benchmark (albert_base on every backend, next to its peers)")
    .description(
      "Runs @albert/bench: albert_base forward passes on each TF.js backend, beside ONNX Runtime, HF " +
        "transformers on PyTorch and KerasHub where they install, plus load time, tokenizer throughput and " +
        "the machine's matmul ceiling; prints a markdown report and writes JSON. Options are the harness's: " +
        "`albert bench --help` lists them.",
    )
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument("[options...]", "benchmark options (see `albert bench --help`)")
    .action(async (args: string[]) => {
      const bench = await loadBench();
      const wantsHelp = args.includes("--help") || args.includes("-h");
      if (bench === undefined) {
        if (wantsHelp) {
          await writeText(
            io.stdout,
            `Usage: albert bench [options]\n\nThe benchmark harness is not installed here.\n${NOT_AVAILABLE_HINT}\n`,
          );
          return;
        }
        throw new CliError(
          "the benchmark harness (@albert/bench) is not available in this installation",
          NOT_AVAILABLE_HINT,
        );
      }
      let options: ReturnType<BenchModule["parseArgs"]>;
      try {
        options = bench.parseArgs(args);
      } catch (error) {
        const [first] = (error as Error).message.split("\n");
        throw new UsageError(first ?? String(error), "Run `albert bench --help` for the options.");
      }
      if (options.help) {
        const usage = bench.USAGE.split("\n").slice(1).join("\n");
        await writeText(io.stdout, `Usage: albert bench [options]\n${usage}\n`);
        return;
      }
      const results = await bench.runBenchmark(options);
      await writeText(io.stdout, `${bench.formatReport(results)}\n`);
      const ours = results.forward.filter((f) => f.ours);
      if (ours.length > 0 && ours.every((f) => f.status === "failed")) {
        throw new CliError("every albert-ts case failed; see the report above");
      }
    });
}
