// Paths and types of the tokenizer's golden files (test-only; excluded from the build).
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readJson, sharedFixturePath, testdataPath, withCasingRecord } from "@albert/test-utils";

/** packages/tokenizer/testdata (golden files made by scripts/make_extra_models.py). */
export function packageTestdataPath(...parts: string[]): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), "../../testdata", ...parts);
}

export function readBytes(file: string): Uint8Array {
  return new Uint8Array(readFileSync(file));
}

/** One case of the KerasHub fixtures (`tokenizer_cases.json`): tokens are `id_to_token(id)`. */
export interface KerasTokenizerCase {
  text: string;
  token_ids: number[];
  tokens: string[];
  detokenized: string;
}

/** One case of tokenizer-30k/cases.json: tokens are SentencePiece's pieces. */
export interface SentencePieceCase {
  text: string;
  token_ids: number[];
  tokens: string[];
  detokenized: string;
}

export interface UncasedCase {
  text: string;
  token_ids: number[];
  tokens: string[];
}

export interface PackedCases {
  token_ids: number[][];
  segment_ids: number[][];
  padding_mask: number[][];
}

export interface PreprocessorCases {
  sequence_length: number;
  truncate: "round_robin" | "waterfall";
  single: PackedCases & { inputs: string[] };
  pairs: PackedCases & { first: string[]; second: string[] };
}

/** A case made by scripts/make_extra_models.py from python sentencepiece. */
export interface ReferenceCase {
  text: string;
  ids: number[];
  pieces: string[];
  decoded: string;
  normalized: string;
  offsets: Array<[number, number]>;
}

export interface ReferenceCases {
  info: { options: Record<string, unknown> };
  cases: ReferenceCase[];
  decodes: Array<{ ids: number[]; decoded: string }>;
}

/** The committed KerasHub tokenizer presets (under testdata/). */
export const KERAS_TOKENIZER_FIXTURES = ["tokenizer", "tokenizer/casefold"] as const;

export function kerasFixtureModel(fixture: string): Uint8Array {
  return readBytes(testdataPath(fixture, "assets/tokenizer/vocabulary.spm"));
}

/** ../shared/fixtures/tokenizer-30k, or undefined (tests skip and say so). */
export const TOKENIZER_30K = sharedFixturePath("tokenizer-30k");

export { readJson, testdataPath };

/** KerasHub task presets (testdata/tasks/keras/*): `save_to_preset` of the two ALBERT tasks. */
export const CLASSIFIER_PRESET = testdataPath("tasks", "keras", "classifier");
export const MASKED_LM_PRESET = testdataPath("tasks", "keras", "masked_lm");

/** The classifier preset's e2e_expected.json: its preprocessor's packing of single texts and pairs. */
export interface ClassifierE2eExpected {
  sequence_length: number;
  truncate: "round_robin" | "waterfall";
  single: PackedCases & { inputs: string[] };
  pairs: PackedCases & { first: string[]; second: string[] };
}

/** masked_lm/preprocessor_sample.json: one seeded batch of KerasHub's eager masking, and counts. */
export interface MaskedLMSample {
  seed: number;
  texts: string[];
  x: PackedCases & { mask_positions: number[][] };
  y: number[][];
  sample_weight: number[][];
  unmasked_token_ids: number[][];
  statistics: {
    seed: number;
    draws: number;
    eligible_positions_per_draw: number;
    selected: number;
    replaced_by_mask: number;
    replaced_by_other_token: number;
    left_unchanged: number;
    rows_hitting_mask_selection_length: number;
    rates: Record<string, number>;
  };
}

/**
 * What a preprocessor's `saveToPreset(dir)` must write next to KerasHub's files in `presetDir`:
 * the same preprocessor.json and vocabulary bytes, and KerasHub's tokenizer.json plus the casing.
 */
export function savedPresetFiles(dir: string, presetDir: string, lowercase: boolean) {
  const read = (root: string, file: string) => readFileSync(path.join(root, file));
  return {
    actual: {
      preprocessor: read(dir, "preprocessor.json"),
      vocabulary: read(dir, "assets/tokenizer/vocabulary.spm"),
      tokenizer: read(dir, "tokenizer.json").toString("utf8"),
    },
    expected: {
      preprocessor: read(presetDir, "preprocessor.json"),
      vocabulary: read(presetDir, "assets/tokenizer/vocabulary.spm"),
      tokenizer: withCasingRecord(read(presetDir, "tokenizer.json").toString("utf8"), lowercase),
    },
  };
}

export const SAVED_PREPROCESSOR_FILES = [
  "preprocessor.json",
  "tokenizer.json",
  "assets/tokenizer/vocabulary.spm",
];
