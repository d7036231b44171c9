import type { Command } from "commander";
import { writeText, type Io } from "../io/streams.js";
import { addPresetSourceOptions, type PresetSourceOptions } from "../preset-options.js";

export interface InspectOptions extends PresetSourceOptions {
  json: boolean;
  weights: boolean;
}

export function inspectCommand(program: Command, io: Io): Command {
  const command = program
    .command("inspect")
    .summary("show a preset's config, weights and parameter count")
    .description(
      "Shows a preset's format, config, parameter count, tokenizer, files, and every weight with its shape " +
        "and stored dtype. Downloads a remote preset into the cache first (--no-weights: config and tokenizer only; " +
        "for a built-in name, the bundled config without any download).",
    )
    .argument("<preset>", "built-in name, directory, hf://org/name or kaggle://...")
    .option("--json", "print JSON", false)
    .option("--no-weights", "do not read (or download) the weights: shapes come from the config");
  addPresetSourceOptions(command);
  command.addHelpText(
    "after",
    "\nExamples:\n  $ albert inspect ./my_preset\n  $ albert inspect albert_large_en_uncased --no-weights\n  $ albert inspect hf://albert/albert-base-v2 --json",
  );
  return command.action(async (handle: string, options: InspectOptions) => {
    // Loaded on use, so `--help` and usage errors stay instant.
    const { inspectPreset, formatInspectReport } = await import("../inspect/inspect-preset.js");
    const report = await inspectPreset(handle, options);
    await writeText(
      io.stdout,
      options.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatInspectReport(report)}\n`,
    );
  });
}
