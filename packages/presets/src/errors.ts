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
  | "unsupported_handle"
  /** A `kaggle://` or `hf://` handle, revision or file name that is not allowed. */
  | "invalid_handle"
  /** An archive entry, index entry or file name that would leave its folder. */
  | "unsafe_path"
  /** Offline (`ALBERT_OFFLINE`, `HF_HUB_OFFLINE`) and the preset is not in the cache. */
  | "offline"
  /** The hub refused access: a gated model whose terms were not accepted, or a private one. */
  | "access_denied"
  /** Network failure, timeout or server error, after every retry. */
  | "download_failed"
  /** A downloaded file whose size or hash differs from what the server announced. */
  | "integrity_error"
  /** Writing a preset or the cache failed (permissions, disk full, an existing file). */
  | "write_failed";

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
