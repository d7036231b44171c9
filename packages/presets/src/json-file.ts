import { existsSync, readFileSync } from "./platform/fs.js";
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

/**
 * Reads a settings file of the form `{"config": {...}}` (`albert_ts.json`,
 * `albert_ts_task.json`) and returns its `config`, refusing keys outside `allowed`.
 */
export function readConfigSection(file: string, allowed: readonly string[]): Record<string, unknown> {
  const json = readJsonFile(file);
  const config = isJsonObject(json) ? json["config"] : undefined;
  if (!isJsonObject(config)) {
    throw new PresetError("invalid_config", `${file} must hold {"config": {...}}`, { path: file });
  }
  const unknown = Object.keys(config).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw new PresetError(
      "invalid_config",
      `${file} has unknown settings ${unknown.join(", ")}; allowed: ${allowed.join(", ")}`,
      { path: file },
    );
  }
  return config;
}
