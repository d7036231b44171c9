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

/** `--lowercase`'s help, the same in every command that reads text. */
export const LOWERCASE_HELP =
  "lowercase like HF's uncased ALBERT tokenizer (default: as the preset records, or HF's do_lower_case; on for the built-in *_uncased presets)";
