import { Option, type Command } from "commander";

/** The hub options every command that loads a preset shares. */
export interface PresetSourceOptions {
  source?: "kaggle" | "hf";
  revision?: string;
  progress: boolean;
}

export function addPresetSourceOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        "--source <hub>",
        "for built-in names: the hub tried first (the other is the fallback)",
      ).choices(["kaggle", "hf"]),
    )
    .option(
      "--revision <rev>",
      "for hf:// handles: a branch, tag or commit (also hf://org/name@rev)",
    )
    .option("--no-progress", "no progress bars (they are drawn only on a terminal anyway)");
}

/**
 * Whether a handle names an uncased preset (`albert_base_en_uncased`, `.../albert_base_en_uncased/5`):
 * the tokenizer package's rule, applied to the handle the user typed, because the resolved
 * cache folder of an hf:// handle (`snapshots/<commit>`) no longer says it.
 */
export function handleNamesUncased(handle: string): boolean {
  return handle
    .split(/[\\/:@]+/)
    .filter((segment) => segment.length > 0)
    .slice(-2)
    .some((segment) => segment.endsWith("_uncased"));
}
