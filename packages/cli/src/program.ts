import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { benchCommand } from "./commands/bench.js";
import { convertCommand } from "./commands/convert.js";
import { doctorCommand } from "./commands/doctor.js";
import { encodeCommand } from "./commands/encode.js";
import { inspectCommand } from "./commands/inspect.js";
import { classifyCommand, fillMaskCommand, nerCommand, qaCommand } from "./commands/pipelines.js";
import { presetsCommand } from "./commands/presets.js";
import { serveCommand } from "./commands/serve.js";
import { trainCommand } from "./commands/train.js";
import { workerCommand } from "./commands/worker.js";
import { describeError, EXIT_OK, EXIT_USAGE, oneLine } from "./errors.js";
import { processIo, type Io } from "./io/streams.js";
import { createReporter } from "./reporter.js";

const VERSION = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;

const COMMANDS = ["encode", "presets", "inspect", "convert", "doctor", "bench", "train", "classify", "fill-mask", "ner", "qa", "serve", "worker"];

/** `--verbose` anywhere on the line, or `ALBERT_DEBUG=1`: stack traces and progress details. */
function isVerbose(argv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  return (
    argv.includes("--verbose") ||
    ["1", "true", "yes", "on"].includes((env["ALBERT_DEBUG"] ?? "").toLowerCase())
  );
}

export function createProgram(io: Io, verbose: boolean): Command {
  const reporter = createReporter(io.stderr, verbose);
  const program = new Command("albert")
    .description(
      "ALBERT on TensorFlow.js: embed texts, fine-tune classifiers, list, inspect and convert presets, check backends, benchmark.",
    )
    .version(VERSION, "-V, --version", "print the version")
    .option(
      "--verbose",
      "explain what happens and print stack traces on errors (also ALBERT_DEBUG=1)",
    )
    .helpCommand("help [command]", "show help for a command")
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
      // Parser errors get the same one-line form as every other error; the hint comes after.
      outputError: (text, write) => write(`albert: ${oneLine(text.replace(/^error: /, ""))}\n`),
    })
    .exitOverride()
    .addHelpText(
      "after",
      "\nExit codes: 0 success, 1 failure, 2 usage error. Results go to stdout, messages to stderr.\n" +
        'Example: albert encode --preset albert_base_en_uncased "The quick brown fox."',
    );
  // `program.command(...)` gives each subcommand the settings above (output, exit override).
  encodeCommand(program, io, reporter);
  trainCommand(program, io, reporter);
  classifyCommand(program, io, reporter);
  fillMaskCommand(program, io, reporter);
  nerCommand(program, io, reporter);
  qaCommand(program, io, reporter);
  serveCommand(program, io, reporter);
  workerCommand(program, io, reporter);
  presetsCommand(program, io);
  inspectCommand(program, io);
  convertCommand(program, io, reporter);
  doctorCommand(program, io);
  benchCommand(program, io);
  return program;
}

/** The hint after a usage error that has no better one: where the command's usage is. */
function usageHint(argv: readonly string[]): string {
  const command = argv.find((a) => COMMANDS.includes(a));
  return `run \`albert ${command === undefined ? "" : `${command} `}--help\` for usage`;
}

/**
 * Runs the command line (`argv` without `node` and the script) and returns the exit code:
 * 0 ok, 1 a failure while running, 2 a usage error. Results go to stdout; errors to stderr as
 * one `albert: <message>` line and a `hint:` line, with the stack only when verbose.
 */
export async function runCli(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const verbose = isVerbose(argv, io.env);
  const program = createProgram(io, verbose);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version") {
        return EXIT_OK;
      }
      // `albert help <command>` (exit code 0), or `albert` alone: the help, on stderr, as for
      // a usage error.
      if (error.code === "commander.help") return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
      io.stderr.write(`hint: ${usageHint(argv)}\n`);
      return EXIT_USAGE;
    }
    const report = describeError(error);
    // Every usage error says where to look, even when its own advice is missing.
    const hint = report.hint ?? (report.exitCode === EXIT_USAGE ? usageHint(argv) : undefined);
    io.stderr.write(`albert: ${report.message}\n`);
    if (hint !== undefined) io.stderr.write(`hint: ${hint}\n`);
    if (verbose && error instanceof Error && error.stack !== undefined)
      io.stderr.write(`${error.stack}\n`);
    return report.exitCode;
  }
}
