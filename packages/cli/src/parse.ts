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
