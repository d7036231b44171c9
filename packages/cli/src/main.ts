/**
 * The `albert` executable: runs the command line and exits with its code. `bin/albert.js`
 * imports this file; everything else is in `program.ts`, which other code can call.
 */
import { runCli } from "./program.js";
import { processIo } from "./io/streams.js";

// `pnpm albert ...` at the repository root runs this from the root; paths on the command line
// are the user's, relative to where pnpm was started (INIT_CWD).
if (process.env["npm_lifecycle_event"] === "albert" && process.env["INIT_CWD"]) {
  process.chdir(process.env["INIT_CWD"]);
}

// TensorFlow announces oneDNN on stderr when it loads, before any log setting applies, and a
// command line keeps stderr for its own one-line errors. @albert/backends turns oneDNN on
// for library users (about 15% faster at batch 8, no faster at batch 1); the command turns it
// off unless asked: `TF_ENABLE_ONEDNN_OPTS=1 albert encode ...` for large batches. The
// benchmark measures the library's own defaults, so it leaves the setting alone.
if (process.argv[2] !== "bench") process.env["TF_ENABLE_ONEDNN_OPTS"] ??= "0";

// `albert encode ... | head` closes stdout early: stop quietly, as Unix tools do.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

process.exitCode = await runCli(process.argv.slice(2), processIo());
