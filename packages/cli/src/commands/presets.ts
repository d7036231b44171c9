import type { Command } from "commander";
import type { Io } from "../io/streams.js";

export function presetsCommand(program: Command, io: Io): Command {
  return program
    .command("presets")
    .summary("list the published presets")
    .description(
      "The four published ALBERT presets: parameters, download size (float32 weights), layers, " +
        "hidden size, heads, the Kaggle (KerasHub) and HF handles, and whether they are in the cache " +
        "(ALBERT_HOME). Makes no network request.",
    )
    .option("--json", "print JSON instead of a table", false)
    .addHelpText("after", "\nExample:\n  $ albert presets --json | jq '.presets[].name'")
    .action(async (options: { json: boolean }) => {
      // Loaded on use, so `--help` and usage errors stay instant.
      const { runPresets } = await import("../presets/list-presets.js");
      await runPresets(options, io);
    });
}
