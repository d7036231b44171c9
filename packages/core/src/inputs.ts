import { tf } from "./tf.js";
import { AlbertInputError } from "./errors.js";

/** A [batch, seq] input: a TF.js tensor or nested arrays (booleans allowed for the mask). */
export type BatchInput = tf.Tensor | ArrayLike<ArrayLike<number | boolean>>;

/** The three inputs of `AlbertBackbone`, as KerasHub names them (camelCase). */
export interface AlbertInputs {
  /** Token ids, int32 [batch, seq], each in [0, vocabularySize). */
  tokenIds: BatchInput;
  /** Segment ids, int32 [batch, seq], each in [0, numSegments). */
  segmentIds: BatchInput;
  /** 1 (or true) for real tokens, 0 (or false) for padding, [batch, seq]. */
  paddingMask: BatchInput;
}

export interface InputLimits {
  vocabularySize: number;
  numSegments: number;
  maxSequenceLength: number;
}

/** Validated inputs as tensors the model owns (dispose them after use). */
export interface PreparedInputs {
  tokenIds: tf.Tensor2D;
  segmentIds: tf.Tensor2D;
  /** 1 for real tokens, 0 for padding, int32 [batch, seq]. */
  paddingMask: tf.Tensor2D;
  /** Added to attention logits: 0 for real keys, a huge negative number for padded ones,
   * shaped [batch, 1, 1, seq] to broadcast over heads and queries. */
  maskBias: tf.Tensor4D;
  batch: number;
  length: number;
}

/**
 * What KerasHub's attention puts in place of a masked logit (`-0.7 × max`), so padded keys get
 * probability 0 and a row with no real key at all gets uniform attention, exactly as there.
 */
export const MASKED_LOGIT = -0.7 * 3.4028234663852886e38;

const NAMES = ["tokenIds", "segmentIds", "paddingMask"] as const;
type InputName = (typeof NAMES)[number];

interface Grid {
  values: ArrayLike<number | boolean>;
  shape: [number, number];
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (value instanceof tf.Tensor) return `a ${value.dtype} tensor of shape [${value.shape}]`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  return typeof value === "object" ? (value.constructor?.name ?? "an object") : JSON.stringify(value);
}

function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || ArrayBuffer.isView(value);
}

/** Reads one input into flat values and a [batch, seq] shape, checking its structure. */
function toGrid(name: InputName, input: unknown): Grid {
  if (input === undefined || input === null) {
    throw new AlbertInputError("missing_input", name, `Missing input ${name}: pass a [batch, seq] tensor or nested array`);
  }
  if (input instanceof tf.Tensor) {
    if (input.isDisposed) throw new AlbertInputError("invalid_type", name, `${name} is a disposed tensor`);
    if (input.rank !== 2) {
      throw new AlbertInputError("invalid_shape", name, `${name} must have shape [batch, seq], got ${describe(input)}`);
    }
    if (input.dtype === "string" || input.dtype === "complex64") {
      throw new AlbertInputError("invalid_type", name, `${name} must be an int32, float32 or bool tensor, got ${input.dtype}`);
    }
    return { values: input.dataSync() as ArrayLike<number>, shape: input.shape as [number, number] };
  }
  if (!isArrayLike(input) || (input.length > 0 && !isArrayLike(input[0]))) {
    throw new AlbertInputError(
      "invalid_type",
      name,
      `${name} must be a [batch, seq] tensor or an array of rows (number[][]), got ${describe(input)}`,
    );
  }
  const rows = input as ArrayLike<ArrayLike<number | boolean>>;
  const batch = rows.length;
  const length = batch > 0 ? rows[0]!.length : 0;
  const values: (number | boolean)[] = new Array(batch * length);
  for (let b = 0; b < batch; b++) {
    const row = rows[b];
    if (!isArrayLike(row)) {
      throw new AlbertInputError("invalid_type", name, `${name}[${b}] must be an array of numbers, got ${describe(row)}`);
    }
    if (row.length !== length) {
      throw new AlbertInputError(
        "ragged_batch",
        name,
        `${name} is ragged: row 0 has ${length} values, row ${b} has ${row.length}; pad every row to one length and mark padding in paddingMask`,
      );
    }
    for (let s = 0; s < length; s++) values[b * length + s] = row[s] as number | boolean;
  }
  return { values, shape: [batch, length] };
}

function checkValues(
  name: InputName,
  grid: Grid,
  allowed: string,
  ok: (v: number | boolean) => boolean,
  isRange = true,
): void {
  const [, length] = grid.shape;
  for (let i = 0; i < grid.values.length; i++) {
    const v = grid.values[i]!;
    if (!ok(v)) {
      const where = `${name}[${Math.floor(i / length)}][${i % length}]`;
      // An integer outside an id range is out of range; anything else is not an id at all.
      const code = isRange && typeof v === "number" && Number.isInteger(v) ? "out_of_range" : "invalid_value";
      const shown = typeof v === "string" ? JSON.stringify(v) : String(v);
      throw new AlbertInputError(code, name, `${where} = ${shown} is not allowed: ${allowed}`);
    }
  }
}

/**
 * Checks the three inputs (presence, structure, matching shapes, length, every value's range)
 * and converts them to tensors. Nothing is allocated until every check has passed, so a bad
 * input leaks nothing.
 */
export function prepareInputs(inputs: AlbertInputs, limits: InputLimits): PreparedInputs {
  if (typeof inputs !== "object" || inputs === null) {
    throw new AlbertInputError(
      "missing_input",
      "inputs",
      `Expected { tokenIds, segmentIds, paddingMask }, got ${describe(inputs)}`,
    );
  }
  const grids = Object.fromEntries(NAMES.map((n) => [n, toGrid(n, inputs[n])])) as Record<InputName, Grid>;
  const [batch, length] = grids.tokenIds.shape;
  for (const name of NAMES) {
    const [b, s] = grids[name].shape;
    if (b === 0 || s === 0) {
      throw new AlbertInputError("empty_sequence", name, `${name} is empty (shape [${b}, ${s}]); every row needs at least one token`);
    }
    if (b !== batch || s !== length) {
      throw new AlbertInputError(
        "shape_mismatch",
        name,
        `${name} has shape [${b}, ${s}] but tokenIds has [${batch}, ${length}]; the three inputs must have one shape`,
      );
    }
  }
  if (length > limits.maxSequenceLength) {
    throw new AlbertInputError(
      "sequence_too_long",
      "tokenIds",
      `Sequence length ${length} exceeds maxSequenceLength ${limits.maxSequenceLength}: allowed lengths 1..${limits.maxSequenceLength}`,
    );
  }
  const isIndexBelow = (limit: number) => (v: number | boolean) =>
    typeof v === "number" && Number.isInteger(v) && v >= 0 && v < limit;
  checkValues(
    "tokenIds",
    grids.tokenIds,
    `integers in [0, ${limits.vocabularySize}) (vocabularySize ${limits.vocabularySize})`,
    isIndexBelow(limits.vocabularySize),
  );
  checkValues(
    "segmentIds",
    grids.segmentIds,
    `integers in [0, ${limits.numSegments}) (numSegments ${limits.numSegments})`,
    isIndexBelow(limits.numSegments),
  );
  checkValues(
    "paddingMask",
    grids.paddingMask,
    "0 or 1 (or false/true)",
    (v) => v === 0 || v === 1 || v === true || v === false,
    false,
  );

  const bias = new Float32Array(batch * length);
  const mask = new Int32Array(batch * length);
  for (let i = 0; i < bias.length; i++) {
    const real = grids.paddingMask.values[i] === 1 || grids.paddingMask.values[i] === true;
    mask[i] = real ? 1 : 0;
    bias[i] = real ? 0 : MASKED_LOGIT;
  }
  return {
    tokenIds: tf.tensor2d(Int32Array.from(grids.tokenIds.values as ArrayLike<number>), [batch, length], "int32"),
    segmentIds: tf.tensor2d(Int32Array.from(grids.segmentIds.values as ArrayLike<number>), [batch, length], "int32"),
    paddingMask: tf.tensor2d(mask, [batch, length], "int32"),
    maskBias: tf.tensor4d(bias, [batch, 1, 1, length]),
    batch,
    length,
  };
}
