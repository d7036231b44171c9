import { readFile } from "node:fs/promises";
import path from "node:path";
import { UsageError } from "../errors.js";
import { readAll, type Io } from "./streams.js";

/** The bytes of `--input FILE` (or `-`), or of stdin when neither TEXT arguments nor `--input`
 * are given; `undefined` when the command has TEXT arguments. `example` is the usage hint. */
export async function readInputBytes(
  texts: readonly string[],
  input: string | undefined,
  io: Io,
  example: string,
): Promise<{ bytes: Uint8Array; source: string } | undefined> {
  if (texts.length > 0 && input !== undefined) {
    throw new UsageError(
      "give TEXT arguments or --input, not both",
      "Put the texts in the --input file, or drop --input.",
    );
  }
  if (texts.length > 0) return undefined;
  if (input !== undefined && input !== "-") {
    try {
      return { bytes: await readFile(path.resolve(io.cwd, input)), source: input };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new UsageError(
        `--input ${input}: ${code === "ENOENT" ? "no such file" : (error as Error).message}`,
        `Paths are relative to the current folder, ${io.cwd}; \`--input -\` reads stdin.`,
      );
    }
  }
  if (input === undefined && io.stdin.isTTY === true) {
    throw new UsageError("no input: give TEXT arguments, --input FILE, or JSON lines on stdin", example);
  }
  return { bytes: await readAll(io.stdin), source: "stdin" };
}
