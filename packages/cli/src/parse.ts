import { InvalidArgumentError } from "commander";

/** Commander argument parser for counts: a whole number ≥ 1. */
export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(`expected a whole number >= 1, got ${JSON.stringify(value)}.`);
  }
  return n;
}
