// What bundlers use instead of preset-files.ts when building for browsers (package.json's
// "browser" field): presets are read as in Node (preset-reader.ts, through @albert/presets,
// which fetches them into the page's in-memory files), but there is no disk to write to, so
// `saveToPreset` explains what to do instead.
import { TokenizerError } from "./errors.js";

export * from "./preset-reader.js";

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
