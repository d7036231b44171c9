// Reads the tokenizer files of a resolved preset folder through @albert/presets, which keeps
// them on disk in Node and in the page's in-memory files in browsers: the same code serves
// both. Loaded with a dynamic import (from preset-files.ts or its browser twin), so the
// tokenizer's own module graph (`fromProto` and tokenization) never reaches @albert/presets.
import {
  isBuiltinUncasedHandle,
  joinPresetPath,
  presetPathExists,
  readPresetBytes,
  readPresetText,
  resolvePreset,
} from "@albert/presets";
import type { PresetResolveOptions } from "./albert-tokenizer.js";
import { TokenizerError } from "./errors.js";
import { HfTokenizer } from "./hf/hf-tokenizer.js";

/**
 * The top-level field of `tokenizer.json` where this package records what KerasHub's config
 * cannot hold: `{ "lowercase": boolean }`. Keras' deserializer reads only `module`,
 * `class_name`, `config` and `registered_name`, so Python KerasHub loads the file unchanged.
 */
export const CASING_FIELD = "albert_ts";

/** What a preset directory says about its tokenizer. */
export interface TokenizerPresetFiles {
  dir: string;
  format: "keras" | "transformers";
  /** The SentencePiece model file's bytes. */
  proto: Uint8Array;
  /** The default for `lowercase` (see `AlbertTokenizerPresetOptions.lowercase`). */
  lowercase: boolean;
  /** KerasHub's `tokenizer.json` (the whole serialized layer), for KerasHub presets. */
  tokenizerConfig?: Record<string, unknown>;
  /** KerasHub's `preprocessor.json` (the whole serialized layer), when the preset has one. */
  preprocessor?: Record<string, unknown>;
  /**
   * For an HF directory with `tokenizer.json` and no `spiece.model`: the tokenizer that
   * reproduces transformers' tokenization (`proto` is then its vocabulary as a SentencePiece
   * model, for saving).
   */
  hf?: HfTokenizer;
}

type Json = Record<string, unknown>;

async function readJson(file: string): Promise<Json | undefined> {
  if (!presetPathExists(file)) return undefined;
  const text = readPresetText(file);
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
  return readPresetBytes(file);
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

/** The casing `saveToPreset` recorded in a `tokenizer.json`, if any. */
function recordedLowercase(tokenizerJson: Json, file: string): boolean | undefined {
  const field = tokenizerJson[CASING_FIELD];
  if (field === undefined) return undefined;
  const lowercase =
    typeof field === "object" && field !== null ? (field as Json).lowercase : undefined;
  if (typeof lowercase !== "boolean") {
    throw new TokenizerError(
      "invalid_preset",
      `${file}: "${CASING_FIELD}" must be an object with a boolean "lowercase", got ${JSON.stringify(field)}`,
    );
  }
  return lowercase;
}

/** HF's `do_lower_case`, from `tokenizer_config.json` or else `config.json`, if either sets it. */
function hfDoLowerCase(tokenizerConfig: Json | undefined, modelConfig: Json | undefined) {
  if (typeof tokenizerConfig?.do_lower_case === "boolean") return tokenizerConfig.do_lower_case;
  if (typeof modelConfig?.do_lower_case === "boolean") return modelConfig.do_lower_case;
  return undefined;
}

/** The local folder of a preset handle, fetching its config and tokenizer files (no weights). */
async function resolveTokenizerPreset(
  preset: string,
  options: PresetResolveOptions,
): Promise<string> {
  if (typeof preset !== "string" || preset.length === 0) {
    throw new TokenizerError(
      "invalid_argument",
      `preset must be a non-empty string (a directory, a preset name, kaggle:// or hf://), got ${JSON.stringify(preset)}`,
    );
  }
  return resolvePreset(preset, { ...options, loadWeights: false });
}

/** Reads the tokenizer of a KerasHub or HF transformers preset (any handle `resolvePreset` takes). */
export async function readTokenizerPreset(
  preset: string,
  options: PresetResolveOptions = {},
): Promise<TokenizerPresetFiles> {
  const dir = await resolveTokenizerPreset(preset, options);

  const tokenizerJson = await readJson(joinPresetPath(dir, "tokenizer.json"));
  if (isKerasLayerConfig(tokenizerJson)) {
    const configFile =
      typeof tokenizerJson.config.config_file === "string"
        ? tokenizerJson.config.config_file
        : "tokenizer.json";
    const assetsDir = joinPresetPath(dir, "assets", configFile.replace(/\.json$/, ""));
    const modelFile = joinPresetPath(assetsDir, "vocabulary.spm");
    if (!presetPathExists(modelFile)) {
      throw new TokenizerError(
        "missing_file",
        `KerasHub preset ${dir} has no SentencePiece model at ${modelFile}; ` +
          `its tokenizer.json declares ${String(tokenizerJson.class_name)}, expected an AlbertTokenizer ` +
          "with assets/tokenizer/vocabulary.spm",
      );
    }
    const preprocessor = await readJson(joinPresetPath(dir, "preprocessor.json"));
    const lowercase =
      recordedLowercase(tokenizerJson, joinPresetPath(dir, "tokenizer.json")) ??
      hfDoLowerCase(await readJson(joinPresetPath(dir, "tokenizer_config.json")), undefined) ??
      isBuiltinUncasedHandle(preset);
    return {
      dir,
      format: "keras",
      proto: await readModelFile(modelFile),
      lowercase,
      tokenizerConfig: tokenizerJson,
      ...(isKerasLayerConfig(preprocessor) ? { preprocessor } : {}),
    };
  }

  const spieceFile = joinPresetPath(dir, "spiece.model");
  if (presetPathExists(spieceFile)) {
    const tokenizerConfig = await readJson(joinPresetPath(dir, "tokenizer_config.json"));
    const modelConfig = await readJson(joinPresetPath(dir, "config.json"));
    // HF's AlbertTokenizer defaults to do_lower_case=True.
    const tokenizerClass = String(tokenizerConfig?.tokenizer_class ?? "");
    const lowercase =
      hfDoLowerCase(tokenizerConfig, modelConfig) ??
      (tokenizerClass.startsWith("Albert") || modelConfig?.model_type === "albert");
    return { dir, format: "transformers", proto: await readModelFile(spieceFile), lowercase };
  }

  if (isHfTokenizerJson(tokenizerJson)) {
    // transformers 5 saves tokenizer.json without spiece.model.
    const files = await readHfTokenizerPreset(dir);
    const hf = HfTokenizer.fromJson(files.tokenizerJson, files);
    const tokenizerClass = String(files.tokenizerConfig?.tokenizer_class ?? "");
    const lowercase =
      hfDoLowerCase(files.tokenizerConfig, files.modelConfig) ??
      (tokenizerClass.startsWith("Albert") || files.modelConfig?.model_type === "albert");
    return { dir, format: "transformers", proto: hf.sentencePieceModel(), lowercase, hf };
  }

  throw new TokenizerError(
    "missing_file",
    `Preset ${dir} has no tokenizer: expected a KerasHub tokenizer.json with ` +
      "assets/tokenizer/vocabulary.spm, an HF transformers spiece.model, or an HF tokenizer.json",
  );
}

/** The files of an HF `tokenizers` directory (see `HfTokenizer.fromPreset`). */
export interface HfTokenizerPresetFiles {
  dir: string;
  /** tokenizer.json, parsed. */
  tokenizerJson: Json;
  tokenizerConfig?: Json;
  specialTokensMap?: Json;
  modelConfig?: Json;
}

/** Whether a parsed `tokenizer.json` is HF `tokenizers`' format (not a KerasHub layer config). */
export function isHfTokenizerJson(json: Json | undefined): json is Json {
  return (
    json !== undefined &&
    !isKerasLayerConfig(json) &&
    typeof json.model === "object" &&
    json.model !== null
  );
}

/** Reads an HF `tokenizer.json` and the files transformers reads beside it. */
export async function readHfTokenizerPreset(
  preset: string,
  options: PresetResolveOptions = {},
): Promise<HfTokenizerPresetFiles> {
  const dir = await resolveTokenizerPreset(preset, options);
  const file = joinPresetPath(dir, "tokenizer.json");
  const tokenizerJson = await readJson(file);
  if (!isHfTokenizerJson(tokenizerJson)) {
    throw new TokenizerError(
      tokenizerJson === undefined ? "missing_file" : "invalid_preset",
      tokenizerJson === undefined
        ? `Preset ${dir} has no tokenizer.json`
        : `${file} is not an HF tokenizers file (it has no "model"); KerasHub presets load with AlbertTokenizer.fromPreset`,
    );
  }
  const tokenizerConfig = await readJson(joinPresetPath(dir, "tokenizer_config.json"));
  const specialTokensMap = await readJson(joinPresetPath(dir, "special_tokens_map.json"));
  const modelConfig = await readJson(joinPresetPath(dir, "config.json"));
  return {
    dir,
    tokenizerJson,
    ...(tokenizerConfig === undefined ? {} : { tokenizerConfig }),
    ...(specialTokensMap === undefined ? {} : { specialTokensMap }),
    ...(modelConfig === undefined ? {} : { modelConfig }),
  };
}
