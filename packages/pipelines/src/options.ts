import { AlbertInputError } from "@albert/core";

function describe(value: unknown): string {
  return JSON.stringify(value)?.slice(0, 80) ?? String(value);
}

/** Refuses options a call does not know (a misspelt option would otherwise be ignored). */
export function checkOptionNames(where: string, options: unknown, known: readonly string[]): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new AlbertInputError("invalid_type", "options", `${where}: options must be an object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new AlbertInputError("invalid_value", "options", `${where}: unknown option ${JSON.stringify(key)}; allowed: ${known.join(", ")}`);
    }
  }
  return options as Record<string, unknown>;
}

/** An integer option `>= min`, or `fallback` when it is undefined. */
export function integerOption(value: unknown, argument: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new AlbertInputError("invalid_value", argument, `${argument} must be an integer >= ${min}, got ${describe(value)}`);
  }
  return value;
}

/** A boolean option, or `fallback`. */
export function booleanOption(value: unknown, argument: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") {
    throw new AlbertInputError("invalid_type", argument, `${argument} must be true or false, got ${describe(value)}`);
  }
  return value;
}

/** One of `allowed`, or `fallback`. */
export function choiceOption<T extends string>(value: unknown, argument: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) {
    throw new AlbertInputError("invalid_value", argument, `${argument} must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${describe(value)}`);
  }
  return value as T;
}

/** A text input: a string. */
export function checkText(value: unknown, argument: string): string {
  if (typeof value !== "string") {
    throw new AlbertInputError("invalid_type", argument, `${argument} must be a string, got ${describe(value)}`);
  }
  return value;
}

/** One string or a non-empty array of strings, as a list, and whether it was one string. */
export function textList(inputs: unknown, argument = "inputs"): { texts: string[]; single: boolean } {
  if (typeof inputs === "string") return { texts: [inputs], single: true };
  if (!Array.isArray(inputs) || inputs.length === 0) {
    throw new AlbertInputError("invalid_type", argument, `${argument} must be a string or a non-empty array of strings, got ${describe(inputs)}`);
  }
  return { texts: inputs.map((t, i) => checkText(t, `${argument}[${i}]`)), single: false };
}
