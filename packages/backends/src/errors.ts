/**
 * - `unknown_backend`: a name `initBackend` does not know.
 * - `unavailable`: the backend cannot run here; the message says why and what to do.
 * - `init_failed`: TF.js could not switch to a backend that looked available.
 * - `too_late`: a setting that only counts before a library loads (native threads, the wasm
 *   folder) was asked for after it loaded.
 * - `invalid_option`: an option out of range.
 */
export type BackendErrorCode = "unknown_backend" | "unavailable" | "init_failed" | "too_late" | "invalid_option";

/** A backend that cannot be used: the message says which one, why, and what to do. */
export class BackendError extends Error {
  override readonly name = "BackendError";
  readonly code: BackendErrorCode;

  constructor(code: BackendErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}
