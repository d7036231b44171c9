import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { AlbertBackbone } from "@albert/core";
import { testdata } from "./paths.js";

/** The committed SentencePiece model (1000 pieces, trained on English text) and its KerasHub files. */
const TOKENIZER_PRESET = testdata("tokenizer");

/**
 * A small ALBERT: the architecture of albert_base scaled down (4 layers sharing one weight
 * set, 128 wide), sized for the committed 1000-piece vocabulary. Random weights: it shows the
 * whole pipeline running, not meaningful similarities.
 */
export const SMALL_ALBERT = {
  vocabularySize: 1000,
  numLayers: 4,
  numHeads: 4,
  numGroups: 1,
  numInnerRepetitions: 1,
  embeddingDim: 32,
  hiddenDim: 128,
  intermediateDim: 512,
  maxSequenceLength: 64,
};

/**
 * Builds a KerasHub preset folder with random weights (`saveToPreset`) and the committed
 * tokenizer: `assets/tokenizer/vocabulary.spm`, KerasHub's `tokenizer.json`, and its
 * `preprocessor.json` with the sequence length set to the model's 64 positions. Returns
 * the model, still usable.
 */
export async function buildSmallPreset(dir: string): Promise<AlbertBackbone> {
  const model = new AlbertBackbone(SMALL_ALBERT);
  await model.saveToPreset(dir);
  mkdirSync(path.join(dir, "assets", "tokenizer"), { recursive: true });
  copyFileSync(
    path.join(TOKENIZER_PRESET, "assets", "tokenizer", "vocabulary.spm"),
    path.join(dir, "assets", "tokenizer", "vocabulary.spm"),
  );
  copyFileSync(path.join(TOKENIZER_PRESET, "tokenizer.json"), path.join(dir, "tokenizer.json"));
  const preprocessor = JSON.parse(
    readFileSync(path.join(TOKENIZER_PRESET, "preprocessor.json"), "utf8"),
  ) as { config: { sequence_length: number } };
  preprocessor.config.sequence_length = SMALL_ALBERT.maxSequenceLength;
  // Indented as Python's json.dumps(indent=4), as KerasHub writes it.
  writeFileSync(path.join(dir, "preprocessor.json"), JSON.stringify(preprocessor, null, 4));
  return model;
}
