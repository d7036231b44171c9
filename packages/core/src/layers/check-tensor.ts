import { AlbertInputError } from "../errors.js";
import { tf } from "../tf.js";

/** What a layer method accepts for one tensor argument. */
export interface TensorSpec {
  /** `Layer.method`, for the message: `token_embedding.reverse`. */
  where: string;
  /** The argument's name: `x`, `ids`, `maskBias`. */
  argument: string;
  /** Allowed ranks: exactly this one, or `[min, max]`. */
  rank?: number | [number, number];
  /** Required size of the last axis, and what it is called (`embeddingDim 128`). */
  lastDim?: { size: number; name: string };
  /** "float": float32; "int": int32 (ids). */
  kind: "float" | "int";
  /** What the argument should look like, in words, for the message. */
  expected: string;
}

function describeTensor(x: unknown): string {
  if (x instanceof tf.Tensor) return `a ${x.dtype} tensor of shape [${x.shape.join(", ")}]`;
  if (x === null || x === undefined) return String(x);
  if (Array.isArray(x)) return `an array of length ${x.length} (pass a tf.Tensor)`;
  return typeof x === "object" ? (x.constructor?.name ?? "an object") : `${typeof x} ${JSON.stringify(x)}`;
}

/**
 * Checks a tensor argument of a public layer method before TensorFlow sees it, so a wrong
 * shape or dtype is an `AlbertInputError` naming the method, the argument and what it takes,
 * not a TensorFlow status from deep inside a reshape.
 */
export function checkTensor(x: unknown, spec: TensorSpec): asserts x is tf.Tensor {
  const fail = (code: "invalid_type" | "invalid_shape", why: string): never => {
    throw new AlbertInputError(
      code,
      spec.argument,
      `${spec.where}: ${spec.argument} must be ${spec.expected}, got ${describeTensor(x)}${why ? ` (${why})` : ""}`,
    );
  };
  if (!(x instanceof tf.Tensor)) return fail("invalid_type", "");
  if (x.isDisposed) return fail("invalid_type", "it has been disposed");
  const dtypeOk = spec.kind === "float" ? x.dtype === "float32" : x.dtype === "int32";
  if (!dtypeOk) return fail("invalid_type", `dtype must be ${spec.kind === "float" ? "float32" : "int32"}`);
  if (spec.rank !== undefined) {
    const [min, max] = typeof spec.rank === "number" ? [spec.rank, spec.rank] : spec.rank;
    if (x.rank < min || x.rank > max) {
      return fail("invalid_shape", min === max ? `rank must be ${min}` : `rank must be ${min} to ${max}`);
    }
  }
  if (spec.lastDim !== undefined && x.shape[x.rank - 1] !== spec.lastDim.size) {
    return fail("invalid_shape", `the last axis must be ${spec.lastDim.name} = ${spec.lastDim.size}`);
  }
}

/**
 * Checks the usual argument of a layer: a float32 tensor `[..., size]` (any leading axes).
 * `expected` overrides the description when the size needs explaining.
 */
export function checkFeatures(x: unknown, where: string, size: number, sizeName: string, expected?: string): asserts x is tf.Tensor {
  checkTensor(x, {
    where,
    argument: "x",
    kind: "float",
    rank: [1, 8],
    lastDim: { size, name: sizeName },
    expected: expected ?? `a float32 tensor [..., ${size}]`,
  });
}

/** Checks that every id of an int32 tensor is in `[0, limit)`. */
export function checkIds(ids: tf.Tensor, where: string, argument: string, limit: number, limitName: string): void {
  const values = ids.dataSync();
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < 0 || v >= limit) {
      throw new AlbertInputError(
        "out_of_range",
        argument,
        `${where}: ${argument} holds ${v} at flat index ${i}; ids must be in [0, ${limit}) (${limitName} ${limit})`,
      );
    }
  }
}

/**
 * The inputs of an encoder layer or its attention: hidden states [batch, seq, hidden] and an
 * additive mask bias [batch or 1, 1, 1, seq] (0 for real keys, a huge negative for padding).
 */
export function checkSequenceInputs(where: string, x: unknown, maskBias: unknown, hiddenDim: number): void {
  checkTensor(x, {
    where,
    argument: "x",
    kind: "float",
    rank: 3,
    lastDim: { size: hiddenDim, name: "hiddenDim" },
    expected: `a float32 tensor [batch, seq, ${hiddenDim}]`,
  });
  const [batch, length] = x.shape as [number, number, number];
  const expected = `a float32 tensor [${batch} or 1, 1, 1, ${length}] (0 for real keys, a large negative number for padded ones)`;
  checkTensor(maskBias, { where, argument: "maskBias", kind: "float", rank: 4, expected });
  const [b, one, alsoOne, keys] = maskBias.shape as [number, number, number, number];
  if ((b !== batch && b !== 1) || one !== 1 || alsoOne !== 1 || keys !== length) {
    throw new AlbertInputError(
      "shape_mismatch",
      "maskBias",
      `${where}: maskBias must be ${expected}, got shape [${maskBias.shape.join(", ")}] for x of shape [${x.shape.join(", ")}]`,
    );
  }
}
