/** What went wrong, as a stable string that programs (and the HTTP status mapping) branch on. */
export type ServeErrorCode =
  /** An option or argument has the wrong type or value. */
  | "invalid_argument"
  /** An input is longer than the model's sequence length and the request said `truncate: false`. */
  | "input_too_long"
  /** The batching queue holds its maximum of waiting requests (HTTP 429). */
  | "queue_full"
  /** A request waited longer than its timeout (HTTP 503). */
  | "timeout"
  /** The service is shutting down and takes no new work (HTTP 503). */
  | "closing"
  /** The caller gave up (the client disconnected); nothing is sent back. */
  | "aborted"
  /** A corpus file cannot be read or holds a record that is not an input. */
  | "invalid_input"
  /** An output folder holds another run's files, or cannot be written. */
  | "output_conflict"
  /** A queued shard failed on every attempt. */
  | "job_failed";

/**
 * Every failure of `@albert/serve` that a caller can act on. The message names the argument,
 * the value and what is allowed; `code` says which kind of failure it is.
 */
export class ServeError extends Error {
  override readonly name = "ServeError";
  readonly code: ServeErrorCode;

  constructor(code: ServeErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/** A short rendering of a value for error messages. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "number" || typeof value === "boolean" || value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return typeof value;
}

/** `value` if it is an integer ≥ `min`, else a `ServeError` naming `name`. */
export function integerOption(value: unknown, name: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new ServeError("invalid_argument", `${name} must be an integer ≥ ${min}, got ${describeValue(value)}`);
  }
  return value;
}

/** `value` if it is a number ≥ `min`, else a `ServeError` naming `name`. */
export function numberOption(value: unknown, name: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min) {
    throw new ServeError("invalid_argument", `${name} must be a number ≥ ${min}, got ${describeValue(value)}`);
  }
  return value;
}
