// Node-only: reads (preset-reader.ts) and writes the tokenizer files of a preset directory.
// Loaded with a dynamic import by `fromPreset` and `saveToPreset`, so the browser-safe module
// graph never reaches `node:` modules; bundlers that honour package.json's "browser" field swap
// in preset-files.browser.ts, which reads the same way and cannot write.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { PythonFloat, pythonJsonDumps, type PythonJsonValue } from "@albert/presets";
import type { AlbertTokenizer } from "./albert-tokenizer.js";
import { TokenizerError } from "./errors.js";
import { CASING_FIELD } from "./preset-reader.js";

export * from "./preset-reader.js";

// === Writing (KerasHub's KerasPresetSaver) ===

/** `json.dumps(value, indent=4)` with the named keys written as Python floats (`1.0`, `0.0`). */
function pythonJson(value: unknown, floatKeys: readonly string[] = []): string {
  const convert = (v: unknown): PythonJsonValue => {
    if (Array.isArray(v)) return v.map(convert);
    if (typeof v === "object" && v !== null) {
      return Object.fromEntries(
        Object.entries(v).map(([key, item]) => [
          key,
          typeof item === "number" && floatKeys.includes(key)
            ? new PythonFloat(item)
            : convert(item),
        ]),
      );
    }
    return v as PythonJsonValue;
  };
  return pythonJsonDumps(convert(value));
}

async function writePresetFile(dir: string, file: string, text: string | Uint8Array) {
  const target = path.join(dir, file);
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, text);
}

/** `tokenizer.json` (with the casing record) and the SentencePiece model under `assets/`. */
export async function writeTokenizerFiles(
  dir: string,
  tokenizer: AlbertTokenizer,
): Promise<string[]> {
  if (tokenizer.proto === undefined) {
    throw new TokenizerError(
      "unsupported_model",
      "saveToPreset needs the SentencePiece model file's bytes, and this tokenizer was built from " +
        "a SentencePieceProcessor that was not read from bytes; build it with " +
        "AlbertTokenizer.fromProto(bytes) instead",
    );
  }
  const configFile = tokenizer.configFile;
  const vocabulary = `assets/${configFile.replace(/\.json$/, "")}/vocabulary.spm`;
  const json = { ...tokenizer.serialize(), [CASING_FIELD]: { lowercase: tokenizer.lowercase } };
  await writePresetFile(dir, configFile, pythonJson(json));
  await writePresetFile(dir, vocabulary, tokenizer.proto);
  return [configFile, vocabulary];
}

/** A preprocessor's JSON file, then its tokenizer's files (KerasHub's `save_preprocessor`). */
export async function writePreprocessorFiles(
  dir: string,
  preprocessor: { configFile: string; tokenizer: AlbertTokenizer; serialize(): unknown },
  floatKeys: readonly string[],
): Promise<string[]> {
  await writePresetFile(
    dir,
    preprocessor.configFile,
    pythonJson(preprocessor.serialize(), floatKeys),
  );
  return [preprocessor.configFile, ...(await writeTokenizerFiles(dir, preprocessor.tokenizer))];
}
