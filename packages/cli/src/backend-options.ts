import { Option, type Command } from "commander";
import type { BackendName } from "@albert/backends";
import { positiveInteger } from "./parse.js";

/**
 * `@albert/backends`' BACKEND_NAMES, spelled out so that defining the command line does not
 * load TF.js (`--help` and usage errors stay instant); a test checks the two lists agree.
 */
export const BACKEND_CHOICES: readonly BackendName[] = [
  "auto",
  "tensorflow",
  "tensorflow-gpu",
  "wasm",
  "cpu",
];

export interface BackendOptions {
  backend?: BackendName;
  threads?: number;
}

export function addBackendOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        "-b, --backend <name>",
        "TF.js backend (default: auto, the fastest that works here)",
      ).choices([...BACKEND_CHOICES]),
    )
    .addOption(
      new Option("--threads <n>", "native TensorFlow threads per operation").argParser(
        positiveInteger,
      ),
    );
}
