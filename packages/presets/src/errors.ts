/** What went wrong, as a stable string that programs can branch on. */
export type PresetErrorCode =
  | "unknown_preset"
  | "not_found"
  | "missing_file"
  | "invalid_json"
  | "invalid_config"
  | "unsupported_format"
  | "corrupt_weights"
  | "weights_mismatch"
  | "unsupported_handle";

/**
 * Every failure of `@albert/presets` is a `PresetError`. The message names the file or
 * argument, the value found and what is allowed; `code` says which kind of failure it is.
 */
export class PresetError extends Error {
  override readonly name = "PresetError";
  readonly code: PresetErrorCode;
  /** The file or directory the error is about, when there is one. */
  readonly path: string | undefined;

  constructor(code: PresetErrorCode, message: string, options: { path?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = options.path;
  }
}
