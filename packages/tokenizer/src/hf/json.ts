// Checked access to the JSON of tokenizer.json and tokenizer_config.json: each failure is a
// TokenizerError naming the field, the value found and what was expected.
import { TokenizerError, describeValue } from "../errors.js";

export type JsonObject = Record<string, unknown>;

interface FieldTypes {
  string: string;
  number: number;
  boolean: boolean;
  array: unknown[];
  object: JsonObject;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** `value` as a JSON object, or an `invalid_model` error naming `where`. */
export function jsonObject(value: unknown, where: string): JsonObject {
  if (!isJsonObject(value)) {
    throw new TokenizerError(
      "invalid_model",
      `${where} must be a JSON object, got ${describeValue(value)}`,
    );
  }
  return value;
}

function hasType<K extends keyof FieldTypes>(value: unknown, type: K): value is FieldTypes[K] {
  if (type === "array") return Array.isArray(value);
  if (type === "object") return isJsonObject(value);
  if (type === "number") return typeof value === "number" && Number.isFinite(value);
  return typeof value === type;
}

/** The required field `key` of `json`, of JSON type `type`. */
export function field<K extends keyof FieldTypes>(
  json: JsonObject,
  key: string,
  type: K,
  where: string,
): FieldTypes[K] {
  const value = json[key];
  if (!hasType(value, type)) {
    throw new TokenizerError(
      "invalid_model",
      `${where}.${key} must be a ${type}, got ${describeValue(value)}`,
    );
  }
  return value;
}

/** The optional field `key` (absent or null: undefined). */
export function optionalField<K extends keyof FieldTypes>(
  json: JsonObject,
  key: string,
  type: K,
  where: string,
): FieldTypes[K] | undefined {
  const value = json[key];
  return value === undefined || value === null ? undefined : field(json, key, type, where);
}

export function optionalBoolean(json: JsonObject, key: string, where: string): boolean | undefined {
  return optionalField(json, key, "boolean", where);
}
