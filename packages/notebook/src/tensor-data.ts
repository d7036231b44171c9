import type { tf } from "@albert/core";

/** A TF.js tensor, or plain nested arrays of numbers. */
export type MatrixLike = tf.Tensor | readonly (readonly number[])[];

/** Whether `value` is a TF.js tensor (checked by shape, not by class, so any TF.js copy works). */
export function isTensor(value: unknown): value is tf.Tensor {
  return (
    typeof value === "object" &&
    value !== null &&
    Array.isArray((value as { shape?: unknown }).shape) &&
    typeof (value as { dataSync?: unknown }).dataSync === "function"
  );
}

/** A rank-2 tensor or nested array as rows of numbers. */
export function toMatrix(value: MatrixLike, what: string): number[][] {
  if (isTensor(value)) {
    if (value.rank !== 2)
      throw new RangeError(
        `${what}: expected a rank-2 tensor, got shape [${value.shape.join(", ")}]`,
      );
    return value.arraySync() as number[][];
  }
  if (!Array.isArray(value) || value.some((row) => !Array.isArray(row))) {
    throw new RangeError(`${what}: expected a rank-2 tensor or an array of rows`);
  }
  return value.map((row) => [...row]);
}
