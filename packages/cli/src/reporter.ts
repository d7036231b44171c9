/**
 * Messages beside the results, always on stderr so stdout stays machine-readable: `note` for
 * what the user should know, `debug` for what `--verbose` (or `ALBERT_DEBUG=1`) asks to see.
 */
export interface Reporter {
  readonly verbose: boolean;
  note(message: string): void;
  debug(message: string): void;
}

export function createReporter(stderr: NodeJS.WritableStream, verbose: boolean): Reporter {
  return {
    verbose,
    note: (message) => void stderr.write(`albert: ${message}\n`),
    debug: (message) => {
      if (verbose) stderr.write(`albert: ${message}\n`);
    },
  };
}
