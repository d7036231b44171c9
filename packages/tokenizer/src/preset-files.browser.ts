// What bundlers use instead of preset-files.ts when building for browsers (package.json's
// "browser" field): there are no files to read or write, so `fromPreset` and `saveToPreset`
// explain what to do instead.
import { TokenizerError } from "./errors.js";
import type { HfTokenizerPresetFiles, TokenizerPresetFiles } from "./preset-files.js";

export type { HfTokenizerPresetFiles, TokenizerPresetFiles };

export async function readTokenizerPreset(
  preset: string,
  _options: unknown = {},
): Promise<TokenizerPresetFiles> {
  throw new TokenizerError(
    "unsupported_environment",
    `fromPreset(${JSON.stringify(preset)}) reads files and needs Node; in a browser, fetch the ` +
      "SentencePiece model (assets/tokenizer/vocabulary.spm or spiece.model) yourself and call " +
      "AlbertTokenizer.fromProto(new Uint8Array(await response.arrayBuffer()), { lowercase })",
  );
}

export async function readHfTokenizerPreset(
  preset: string,
  _options: unknown = {},
): Promise<HfTokenizerPresetFiles> {
  throw new TokenizerError(
    "unsupported_environment",
    `HfTokenizer.fromPreset(${JSON.stringify(preset)}) reads files and needs Node; in a browser, ` +
      "fetch tokenizer.json (and tokenizer_config.json) yourself and call " +
      "HfTokenizer.fromJson(await response.text(), { tokenizerConfig })",
  );
}

function cannotWrite(dir: string): never {
  throw new TokenizerError(
    "unsupported_environment",
    `saveToPreset(${JSON.stringify(dir)}) writes files and needs Node; in a browser, use ` +
      "getConfig() (KerasHub's config) and the tokenizer's proto bytes instead",
  );
}

export async function writeTokenizerFiles(dir: string, _tokenizer: unknown): Promise<string[]> {
  cannotWrite(dir);
}

export async function writePreprocessorFiles(
  dir: string,
  _preprocessor: unknown,
  _floatKeys: unknown,
): Promise<string[]> {
  cannotWrite(dir);
}
