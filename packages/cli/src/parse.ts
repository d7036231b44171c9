import { InvalidArgumentError } from "commander";

/** Commander argument parser for whole numbers of at least `min`; `why` explains the minimum. */
export function integerAtLeast(min: number, why = ""): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min) {
      throw new InvalidArgumentError(
        `expected a whole number >= ${min}${why}, got ${JSON.stringify(value)}.`,
      );
    }
    return n;
  };
}

/** Commander argument parser for counts: a whole number ≥ 1. */
export const positiveInteger = integerAtLeast(1);

/**
 * Commander argument parser for decimal numbers (`0.1`, `5e-5`) in a range: `min` and `max`
 * are included unless `open` says which end is not. `what` describes the range in messages.
 */
export function numberIn(
  min: number,
  max: number,
  what: string,
  open: { min?: boolean; max?: boolean } = {},
): (value: string) => number {
  return (value) => {
    const n = Number(value);
    const inRange =
      (open.min ? n > min : n >= min) && (open.max ? n < max : n <= max) && Number.isFinite(n);
    if (
      value.trim() === "" ||
      !/^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i.test(value) ||
      !inRange
    ) {
      throw new InvalidArgumentError(`expected ${what}, got ${JSON.stringify(value)}.`);
    }
    return n;
  };
}
