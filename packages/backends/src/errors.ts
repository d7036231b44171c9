export type BackendErrorCode = "unknown_backend" | "unavailable" | "init_failed";

/** A backend that cannot be used: the message says which one, why, and what to do. */
export class BackendError extends Error {
  override readonly name = "BackendError";
  readonly code: BackendErrorCode;

  constructor(code: BackendErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}
