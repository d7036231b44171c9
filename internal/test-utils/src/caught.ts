import { expect } from "vitest";

/**
 * The error `fn` throws (async or not), failing the test when it throws nothing or, given
 * `type`, something that is not a `type`.
 */
export async function caught<E extends Error = Error>(
  fn: () => unknown,
  type?: abstract new (...args: never[]) => E,
): Promise<E> {
  try {
    await fn();
  } catch (error) {
    if (type !== undefined) expect(error).toBeInstanceOf(type);
    return error as E;
  }
  throw new Error("expected an error, none was thrown");
}
