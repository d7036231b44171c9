import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * The tokenizer half of a KerasHub preset, as KerasHub's `save_to_preset` writes it for
 * ALBERT: `tokenizer.json` (the `AlbertTokenizer` layer config, pointing at
 * `assets/tokenizer/vocabulary.spm`) and `preprocessor.json` (an
 * `AlbertTextClassifierPreprocessor` wrapping it). The JSON is indented like Python's
 * `json.dumps(indent=4)` with no trailing newline, byte for byte what KerasHub writes
 * (checked against testdata/tokenizer).
 */

const TOKENIZER_LAYER = {
  module: "keras_hub.src.models.albert.albert_tokenizer",
  class_name: "AlbertTokenizer",
  config: {
    name: "albert_tokenizer",
    trainable: true,
    dtype: {
      module: "keras",
      class_name: "DTypePolicy",
      config: { name: "int32" },
      registered_name: null,
    },
    config_file: "tokenizer.json",
    proto: null,
    sequence_length: null,
    add_bos: false,
    add_eos: false,
  },
  registered_name: "keras_hub>AlbertTokenizer",
};

function preprocessorLayer(sequenceLength: number) {
  return {
    module: "keras_hub.src.models.albert.albert_text_classifier_preprocessor",
    class_name: "AlbertTextClassifierPreprocessor",
    config: {
      name: "albert_text_classifier_preprocessor",
      trainable: true,
      dtype: {
        module: "keras",
        class_name: "DTypePolicy",
        config: { name: "float32" },
        registered_name: null,
      },
      tokenizer: TOKENIZER_LAYER,
      config_file: "preprocessor.json",
      sequence_length: sequenceLength,
      truncate: "round_robin",
    },
    registered_name: "keras_hub>AlbertTextClassifierPreprocessor",
  };
}

/** `json.dumps(value, indent=4)` for the plain values these files hold. */
function pythonJson(value: unknown): string {
  return JSON.stringify(value, null, 4);
}

export const KERAS_VOCABULARY_FILE = path.join("assets", "tokenizer", "vocabulary.spm");

/**
 * Writes a KerasHub tokenizer and preprocessor around a SentencePiece model file.
 * `sequenceLength` is the preprocessor's packed length (KerasHub's default is 512).
 */
export function writeKerasTokenizer(
  dest: string,
  spmFile: string,
  sequenceLength: number,
): string[] {
  const vocabulary = path.join(dest, KERAS_VOCABULARY_FILE);
  mkdirSync(path.dirname(vocabulary), { recursive: true });
  copyFileSync(spmFile, vocabulary);
  writeFileSync(path.join(dest, "tokenizer.json"), pythonJson(TOKENIZER_LAYER));
  writeFileSync(
    path.join(dest, "preprocessor.json"),
    pythonJson(preprocessorLayer(sequenceLength)),
  );
  return ["tokenizer.json", "preprocessor.json", "assets/tokenizer/vocabulary.spm"];
}

/** Which tokenizer a preset folder has. */
export type TokenizerSource =
  { kind: "keras" } | { kind: "transformers"; spmFile: string } | { kind: "none" };

export function findTokenizer(dir: string): TokenizerSource {
  const tokenizerJson = path.join(dir, "tokenizer.json");
  if (existsSync(tokenizerJson)) {
    try {
      const json = JSON.parse(readFileSync(tokenizerJson, "utf8")) as { class_name?: unknown };
      if (typeof json.class_name === "string") return { kind: "keras" };
    } catch {
      // An HF fast-tokenizer file or something else: not KerasHub's layer config.
    }
  }
  const spiece = path.join(dir, "spiece.model");
  if (existsSync(spiece)) return { kind: "transformers", spmFile: spiece };
  return { kind: "none" };
}

/** Copies a KerasHub preset's tokenizer files (the layer configs and their assets). */
export function copyKerasTokenizer(src: string, dest: string): string[] {
  const copied: string[] = [];
  for (const file of ["tokenizer.json", "preprocessor.json"]) {
    if (existsSync(path.join(src, file))) {
      copyFileSync(path.join(src, file), path.join(dest, file));
      copied.push(file);
    }
  }
  if (existsSync(path.join(src, "assets"))) {
    cpSync(path.join(src, "assets"), path.join(dest, "assets"), { recursive: true });
    copied.push("assets/");
  }
  return copied;
}
