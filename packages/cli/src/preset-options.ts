import { isBuiltinUncasedHandle } from "@albert/presets";
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
 * Whether a handle names one of the built-in `*_uncased` presets (by name or Kaggle handle):
 * @albert/presets' rule, applied to the handle the user typed, because the resolved cache folder
 * no longer says it. A folder's name never counts; the tokenizer reads the casing its preset
 * records.
 */
export function handleNamesUncased(handle: string): boolean {
  return isBuiltinUncasedHandle(handle);
}
