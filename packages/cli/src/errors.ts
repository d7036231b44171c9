/**
 * How the command reports failures: one line `albert: <message>` on stderr, an optional
 * `hint: ...` line, and an exit code that tells scripts what kind of failure it was.
 */

/** Exit codes: 0 success, 1 a failure while running, 2 a command line that cannot run. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/**
 * A command line that is wrong in a way the argument parser cannot see (no input, a value out
 * of the model's range, an existing destination): exit code 2, like the parser's own errors.
 */
export class UsageError extends Error {
  override readonly name = "UsageError";
  readonly hint: string | undefined;

  constructor(message: string, hint?: string) {
    super(message);
    this.hint = hint;
  }
}

/** A failure while running, with advice on what to do (exit code 1). */
export class CliError extends Error {
  override readonly name = "CliError";
  readonly hint: string | undefined;

  constructor(message: string, hint?: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.hint = hint;
  }
}

/** The parts of the libraries' typed errors the command looks at (`name` and `code`, not
 * `instanceof`, so a second copy of a package in node_modules is still recognized). */
interface CodedError {
  name: string;
  code?: unknown;
  message: string;
}

function asCoded(error: unknown): CodedError | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const e = error as Partial<CodedError>;
  return typeof e.name === "string" && typeof e.message === "string"
    ? (e as CodedError)
    : undefined;
}

const PRESET_HANDLE_HINT =
  "Run `albert presets` for the built-in names, or give a preset directory, hf://org/name[@revision] " +
  "or kaggle://owner/model/framework/variation[/version].";

/** Preset error codes that mean the handle itself is wrong (a usage error, exit 2). */
const PRESET_USAGE_CODES = new Set(["unknown_preset", "invalid_handle", "unsupported_handle"]);

/** Advice for the libraries' error codes, where there is something useful to say. */
function libraryHint(name: string, code: string): string | undefined {
  if (name === "PresetError") {
    switch (code) {
      case "unknown_preset":
      case "invalid_handle":
      case "unsupported_handle":
      case "not_found":
        return PRESET_HANDLE_HINT;
      case "offline":
        return "Unset ALBERT_OFFLINE / HF_HUB_OFFLINE, or load the preset once with network access (it is cached under ALBERT_HOME).";
      case "download_failed":
        return "Check the network and HF_ENDPOINT / KAGGLE_API_ENDPOINT, try --source hf or --source kaggle, or use a local preset directory.";
      case "access_denied":
        return "Accept the model's terms on the hub and set HF_TOKEN, or KAGGLE_API_TOKEN / KAGGLE_USERNAME and KAGGLE_KEY.";
      case "integrity_error":
        return "Run the command again; a file that fails twice is refused. Delete its folder under ALBERT_HOME to start over.";
      case "write_failed":
        return "Check that the destination is writable and has free space.";
      default:
        return undefined;
    }
  }
  if (name === "BackendError") {
    return code === "unknown_backend" || code === "invalid_option"
      ? "Backends: auto, tensorflow, tensorflow-gpu, wasm, cpu. Run `albert doctor` to see which work here."
      : "Run `albert doctor` to see which backends work here; `npx albert-provision` sets up native TensorFlow.";
  }
  if (name === "TokenizerError" && code === "missing_file") {
    return "`albert encode` needs a preset with a tokenizer: a KerasHub tokenizer.json with assets/tokenizer/vocabulary.spm, or an HF spiece.model (`albert convert` carries it across).";
  }
  return undefined;
}

/** What the command prints and returns for an error. */
export interface ErrorReport {
  message: string;
  hint: string | undefined;
  exitCode: number;
}

/** Turns any thrown value into one message line, a hint and an exit code. */
export function describeError(error: unknown): ErrorReport {
  if (error instanceof UsageError) {
    return { message: oneLine(error.message), hint: error.hint, exitCode: EXIT_USAGE };
  }
  if (error instanceof CliError) {
    return { message: oneLine(error.message), hint: error.hint, exitCode: EXIT_FAILURE };
  }
  const coded = asCoded(error);
  if (coded === undefined) {
    return { message: oneLine(String(error)), hint: undefined, exitCode: EXIT_FAILURE };
  }
  const code = typeof coded.code === "string" ? coded.code : "";
  const usage =
    (coded.name === "PresetError" && PRESET_USAGE_CODES.has(code)) ||
    (coded.name === "BackendError" && (code === "unknown_backend" || code === "invalid_option"));
  return {
    message: oneLine(coded.message),
    hint: libraryHint(coded.name, code),
    exitCode: usage ? EXIT_USAGE : EXIT_FAILURE,
  };
}

/** Library messages sometimes span lines (lists of reasons); the contract is one line. */
export function oneLine(message: string): string {
  return message
    .replace(/\s*\n\s*/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}
