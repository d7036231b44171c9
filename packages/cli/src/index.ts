/**
 * `@albert/cli`: the `albert` command. Installing the package gives the executable; this module
 * lets programs run the same command line in-process.
 *
 * ```ts
 * import { runCli } from "@albert/cli";
 * const exitCode = await runCli(["presets", "--json"]);
 * ```
 */
export { createProgram, runCli } from "./program.js";
export { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, CliError, UsageError } from "./errors.js";
export { processIo, type Io } from "./io/streams.js";
export { formatFloat32 } from "./io/float32.js";
export { parseJsonLine, type EncodeInput } from "./io/jsonl.js";
