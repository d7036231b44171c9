// Node-only: reads tokenizer files from a preset directory. Loaded with a dynamic import by
// `fromPreset`, so the browser-safe module graph never reaches `node:` modules; bundlers that
// honour package.json's "browser" field swap in preset-files.browser.ts.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { resolvePreset } from "@albert/presets";
import type { PresetResolveOptions } from "./albert-tokenizer.js";
import { TokenizerError } from "./errors.js";

/** What a preset directory says about its tokenizer. */
export interface TokenizerPresetFiles {
  dir: string;
  format: "keras" | "transformers";
  /** The SentencePiece model file's bytes. */
  proto: Uint8Array;
  /** The default for `lowercase` (see `AlbertTokenizer.fromPreset`). */
  lowercase: boolean;
  /** From KerasHub's `preprocessor.json`, when present. */
  sequenceLength?: number;
  truncate?: string;
}

type Json = Record<string, unknown>;

async function readJson(file: string): Promise<Json | undefined> {
  if (!existsSync(file)) return undefined;
  const text = await readFile(file, "utf8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new TokenizerError(
      "invalid_preset",
      `${file} is not valid JSON: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TokenizerError("invalid_preset", `${file} must hold a JSON object`);
  }
  return value as Json;
}

async function readModelFile(file: string): Promise<Uint8Array> {
  const buffer = await readFile(file);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** A KerasHub layer config file: `{ class_name, config: {...} }`. */
function isKerasLayerConfig(json: Json | undefined): json is Json & { config: Json } {
  return (
    json !== undefined &&
    typeof json.class_name === "string" &&
    typeof json.config === "object" &&
    json.config !== null
  );
}

/** Whether a handle or directory names an uncased preset (`..._uncased`, maybe with a version). */
export function namesUncasedPreset(...names: string[]): boolean {
  return names.some((name) =>
    name
      .split(/[\\/:@]+/)
      .filter((segment) => segment.length > 0)
      .slice(-2)
      .some((segment) => segment.endsWith("_uncased")),
  );
}

/** Reads the tokenizer of a KerasHub or HF transformers preset (any handle `resolvePreset` takes). */
export async function readTokenizerPreset(
  preset: string,
  options: PresetResolveOptions = {},
): Promise<TokenizerPresetFiles> {
  if (typeof preset !== "string" || preset.length === 0) {
    throw new TokenizerError(
      "invalid_argument",
      `preset must be a non-empty string (a directory, a preset name, kaggle:// or hf://), got ${JSON.stringify(preset)}`,
    );
  }
  const dir = await resolvePreset(preset, { ...options, loadWeights: false });

  const tokenizerJson = await readJson(path.join(dir, "tokenizer.json"));
  if (isKerasLayerConfig(tokenizerJson)) {
    const configFile =
      typeof tokenizerJson.config.config_file === "string"
        ? tokenizerJson.config.config_file
        : "tokenizer.json";
    const assetsDir = path.join(dir, "assets", configFile.replace(/\.json$/, ""));
    const modelFile = path.join(assetsDir, "vocabulary.spm");
    if (!existsSync(modelFile)) {
      throw new TokenizerError(
        "missing_file",
        `KerasHub preset ${dir} has no SentencePiece model at ${modelFile}; ` +
          `its tokenizer.json declares ${String(tokenizerJson.class_name)}, expected an AlbertTokenizer ` +
          "with assets/tokenizer/vocabulary.spm",
      );
    }
    const preprocessor = await readJson(path.join(dir, "preprocessor.json"));
    const preprocessorConfig = isKerasLayerConfig(preprocessor) ? preprocessor.config : undefined;
    const sequenceLength = preprocessorConfig?.sequence_length;
    const truncate = preprocessorConfig?.truncate;
    return {
      dir,
      format: "keras",
      proto: await readModelFile(modelFile),
      lowercase: namesUncasedPreset(preset, dir),
      ...(typeof sequenceLength === "number" ? { sequenceLength } : {}),
      ...(typeof truncate === "string" ? { truncate } : {}),
    };
  }

  const spieceFile = path.join(dir, "spiece.model");
  if (existsSync(spieceFile)) {
    const tokenizerConfig = await readJson(path.join(dir, "tokenizer_config.json"));
    const modelConfig = await readJson(path.join(dir, "config.json"));
    let lowercase: boolean;
    if (typeof tokenizerConfig?.do_lower_case === "boolean")
      lowercase = tokenizerConfig.do_lower_case;
    else if (typeof modelConfig?.do_lower_case === "boolean") lowercase = modelConfig.do_lower_case;
    else {
      // HF's AlbertTokenizer defaults to do_lower_case=True.
      const tokenizerClass = String(tokenizerConfig?.tokenizer_class ?? "");
      lowercase = tokenizerClass.startsWith("Albert") || modelConfig?.model_type === "albert";
    }
    return { dir, format: "transformers", proto: await readModelFile(spieceFile), lowercase };
  }

  throw new TokenizerError(
    "missing_file",
    `Preset ${dir} has no tokenizer: expected a KerasHub tokenizer.json with ` +
      "assets/tokenizer/vocabulary.spm, or an HF transformers spiece.model",
  );
}
