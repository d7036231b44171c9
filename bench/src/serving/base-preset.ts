import { cpSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { ALBERT_BASE } from "../cases.js";

/** The 30,000-piece ALBERT SentencePiece model in ../shared/fixtures (a third party's file). */
export function sharedVocabulary(root: string): string | undefined {
  const file = path.join(root, "..", "shared", "fixtures", "tokenizer-30k", "vocabulary.spm");
  return existsSync(file) ? file : undefined;
}

/**
 * An albert_base preset with random weights (speed does not depend on them) and the 30k
 * SentencePiece vocabulary, sequence length 128: what `albert serve` and the bulk runs load.
 */
export async function albertBasePreset(dir: string, vocabulary: string): Promise<string> {
  if (existsSync(path.join(dir, "preprocessor.json"))) return dir;
  mkdirSync(dir, { recursive: true });
  const { AlbertBackbone } = await import("@albert/core");
  const { AlbertPreprocessor, AlbertTokenizer } = await import("@albert/tokenizer");
  const backbone = new AlbertBackbone({ ...ALBERT_BASE, dropout: 0 });
  await backbone.saveToPreset(dir);
  backbone.dispose();
  const tokenizer = AlbertTokenizer.fromProto(readFileSync(vocabulary), { lowercase: false });
  await new AlbertPreprocessor({ tokenizer, sequenceLength: 128 }).saveToPreset(dir);
  return dir;
}

/** The tiny committed preset (testdata/tokenizer: H16, 2 layers, 1000 pieces), copied. */
export function tinyPreset(root: string, dir: string): string {
  if (!existsSync(dir)) cpSync(path.join(root, "testdata", "tokenizer"), dir, { recursive: true });
  return dir;
}
