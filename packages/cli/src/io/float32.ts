/**
 * JSON for float32 vectors. `JSON.stringify` prints each float32 value widened to a double
 * (`0.10000000149011612`): long, and suggesting a precision the model does not have. These
 * helpers print the shortest decimal that reads back (`Math.fround(Number(s))`) to exactly the
 * same float32, so the output is compact and lossless.
 */

/** The shortest decimal string for a float32 value; `null` for NaN and infinities (not JSON). */
export function formatFloat32(value: number): string {
  if (!Number.isFinite(value)) return "null";
  if (value === 0) return "0";
  const f = Math.fround(value);
  for (let digits = 1; digits < 9; digits++) {
    const s = f.toPrecision(digits);
    // Exponent forms such as `1.5e-7` are valid JSON numbers too.
    if (Math.fround(Number(s)) === f) return s;
  }
  return f.toPrecision(9);
}

/** A float32 vector as a JSON array. */
export function float32ArrayJson(values: ArrayLike<number>): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) parts[i] = formatFloat32(values[i]!);
  return `[${parts.join(",")}]`;
}

/** Values that get float32 formatting in `toJsonLine`. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | Float32Array
  | JsonValue[]
  | { [key: string]: JsonValue | undefined };

/** One JSON line, with every `Float32Array` printed by `float32ArrayJson`. */
export function toJson(value: JsonValue): string {
  if (value instanceof Float32Array) return float32ArrayJson(value);
  if (Array.isArray(value)) return `[${value.map(toJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const fields = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}:${toJson(v as JsonValue)}`);
    return `{${fields.join(",")}}`;
  }
  return JSON.stringify(value);
}
