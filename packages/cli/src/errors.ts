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

const CONFIG_HINT =
  "The config does not describe an ALBERT model that can be built; compare it with a published " +
  "preset's: `albert inspect albert_base_en_uncased --no-weights`.";
const WEIGHTS_MISMATCH_HINT =
  "The weights do not fit config.json: they belong to another model. Keep each preset's files together.";
const TOKENIZER_FILES_HINT =
  "The preset's SentencePiece model is damaged or not ALBERT's: copy the preset's own " +
  "assets/tokenizer/vocabulary.spm (HF: spiece.model) again.";

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
      case "corrupt_weights":
        return "The file is damaged or incomplete (an interrupted copy or download?): copy or download the preset again; for a cached preset, delete its folder under ALBERT_HOME first.";
      case "invalid_json":
        return "Fix or replace the file: a preset's config.json is the JSON that KerasHub's save_to_preset or HF's save_pretrained writes.";
      case "invalid_config":
        return CONFIG_HINT;
      case "missing_file":
        return "A preset folder holds config.json and its weights (KerasHub: model.weights.h5; HF transformers: model.safetensors): copy the whole folder.";
      case "unsupported_format":
        return 'albert reads KerasHub AlbertBackbone presets and HF transformers ALBERT checkpoints (config.json with model_type "albert").';
      case "weights_mismatch":
        return WEIGHTS_MISMATCH_HINT;
      case "unsafe_path":
        return "A file name in the preset points outside its folder, so it was refused: get the preset from a source you trust.";
      default:
        return undefined;
    }
  }
  if (name === "AlbertConfigError") {
    if (code === "weights_mismatch") return WEIGHTS_MISMATCH_HINT;
    return code === "invalid_config" || code === "invalid_argument" || code === "unsupported_dtype"
      ? CONFIG_HINT
      : undefined;
  }
  if (name === "BackendError") {
    return code === "unknown_backend" || code === "invalid_option"
      ? "Backends: auto, tensorflow, tensorflow-gpu, wasm, cpu. Run `albert doctor` to see which work here."
      : "Run `albert doctor` to see which backends work here; `npx albert-provision` sets up native TensorFlow.";
  }
  if (name === "TokenizerError") {
    if (code === "missing_file")
      return "`albert encode` and `albert train` need a preset with a tokenizer: a KerasHub tokenizer.json with assets/tokenizer/vocabulary.spm, or an HF spiece.model (`albert convert` carries it across).";
    if (["invalid_model", "unsupported_model", "missing_special_token"].includes(code))
      return TOKENIZER_FILES_HINT;
    if (code === "invalid_preset")
      return "Fix or replace the tokenizer's file named above: a preset's tokenizer.json and preprocessor.json are what KerasHub's save_to_preset writes (HF: tokenizer_config.json).";
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
    (coded.name === "BackendError" && (code === "unknown_backend" || code === "invalid_option")) ||
    (coded.name === "ServeError" && code === "invalid_argument");
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
