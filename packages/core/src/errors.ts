export type AlbertConfigErrorCode =
  | "invalid_argument"
  | "unsupported_dtype"
  | "invalid_config"
  | "weights_mismatch"
  | "model_disposed";

/** A model that cannot be built as asked: the message names the argument, value and range. */
export class AlbertConfigError extends Error {
  override readonly name = "AlbertConfigError";
  readonly code: AlbertConfigErrorCode;
  /** The constructor argument or config field at fault, when there is one. */
  readonly argument: string | undefined;

  constructor(code: AlbertConfigErrorCode, message: string, argument?: string) {
    super(message);
    this.code = code;
    this.argument = argument;
  }
}

export type AlbertInputErrorCode =
  | "missing_input"
  | "invalid_type"
  | "invalid_shape"
  | "ragged_batch"
  | "empty_sequence"
  | "shape_mismatch"
  | "sequence_too_long"
  | "invalid_value"
  | "out_of_range";

/** Inputs a model cannot take: the message names the input, the value and what is allowed. */
export class AlbertInputError extends Error {
  override readonly name = "AlbertInputError";
  readonly code: AlbertInputErrorCode;
  /** The input at fault (`tokenIds`, `segmentIds`, `paddingMask`, or the options). */
  readonly argument: string;

  constructor(code: AlbertInputErrorCode, argument: string, message: string) {
    super(message);
    this.code = code;
    this.argument = argument;
  }
}
