/** What went wrong, as a stable string that programs can branch on. */
export type TokenizerErrorCode =
  /** An argument has the wrong type or value (for example non-string text). */
  | "invalid_argument"
  /** The SentencePiece model file is corrupt, truncated, or not a model file at all. */
  | "invalid_model"
  /** The model is valid but uses a feature this package does not implement. */
  | "unsupported_model"
  /** The model lacks a piece that ALBERT needs (`[CLS]`, `[SEP]`, `<pad>`, `[MASK]`). */
  | "missing_special_token"
  /** A token id is outside `[0, vocabularySize)`. */
  | "invalid_id"
  /** A preset directory lacks the file the tokenizer needs, or holds an unreadable one. */
  | "missing_file"
  | "invalid_preset"
  /** `fromPreset` was called where files cannot be read (a browser). */
  | "unsupported_environment";

/**
 * Every failure of `@albert/tokenizer` is a `TokenizerError`. The message names the argument,
 * the value found and what is allowed; `code` says which kind of failure it is.
 */
export class TokenizerError extends Error {
  override readonly name = "TokenizerError";
  readonly code: TokenizerErrorCode;

  constructor(code: TokenizerErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/** A short, safe rendering of a value for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "string") {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") {
    return String(value);
  }
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (value instanceof Uint8Array) return `a Uint8Array of ${value.length} bytes`;
  if (typeof value === "function") return "a function";
  const ctor = (value as { constructor?: { name?: string } }).constructor?.name;
  return ctor && ctor !== "Object" ? `a ${ctor}` : "an object";
}
