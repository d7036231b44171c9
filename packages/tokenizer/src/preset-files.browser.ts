// What bundlers use instead of preset-files.ts when building for browsers (package.json's
// "browser" field): there are no files to read, so `fromPreset` explains what to do instead.
import { TokenizerError } from "./errors.js";
import type { TokenizerPresetFiles } from "./preset-files.js";

export type { TokenizerPresetFiles };

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
