import { createWriteStream, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { CliError } from "../errors.js";
import { writeText } from "./streams.js";

/** Where results go: stdout, or a file that appears only once it is complete. */
export interface OutputSink {
  write(text: string): Promise<void>;
  /** Finishes the output: a file is renamed into place. */
  close(): Promise<void>;
  /** Drops a partial file after a failure. */
  abort(): void;
}

export function stdoutSink(stdout: NodeJS.WritableStream): OutputSink {
  return {
    write: (text) => writeText(stdout, text),
    close: async () => {},
    abort: () => {},
  };
}

/**
 * A file written under a temporary name and renamed at the end, so a failed or interrupted
 * run never leaves a truncated results file that looks complete.
 */
export function fileSink(file: string): OutputSink {
  const target = path.resolve(file);
  const partial = `${target}.partial-${process.pid}`;
  const stream = createWriteStream(partial, { encoding: "utf8" });
  let failure: Error | undefined;
  stream.on("error", (error) => {
    failure = error;
  });
  const fail = (error: Error): never => {
    throw new CliError(
      `cannot write ${target}: ${error.message}`,
      "Check that its folder exists and is writable.",
      {
        cause: error,
      },
    );
  };
  return {
    async write(text) {
      if (failure) fail(failure);
      try {
        await writeText(stream, text);
      } catch (error) {
        fail(error as Error);
      }
    },
    async close() {
      await new Promise<void>((resolve, reject) =>
        stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
      );
      if (failure) fail(failure);
      renameSync(partial, target);
    },
    abort() {
      stream.destroy();
      rmSync(partial, { force: true });
    },
  };
}

/**
 * Runs `write` into `sink` with a progress bar, then finishes both: on success the bar stops and
 * the sink closes (a file appears); on failure the bar stops and a partial file is dropped.
 */
export async function writeOutput(
  sink: OutputSink,
  progress: { stop(): void },
  write: () => Promise<void>,
): Promise<void> {
  try {
    await write();
    progress.stop();
    await sink.close();
  } catch (error) {
    progress.stop();
    sink.abort();
    throw error;
  }
}
