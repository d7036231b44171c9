import { existsSync, readFileSync } from "node:fs";
import { PresetError } from "./errors.js";

/** Reads and parses a JSON file, with errors that name the file. */
export function readJsonFile(file: string): unknown {
  if (!existsSync(file)) {
    throw new PresetError("missing_file", `${file} does not exist`, { path: file });
  }
  const text = readFileSync(file, "utf8");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PresetError(
      "invalid_json",
      `${file} is not valid JSON: ${(error as Error).message}`,
      { path: file, cause: error },
    );
  }
}

/** Whether a parsed JSON value is an object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
