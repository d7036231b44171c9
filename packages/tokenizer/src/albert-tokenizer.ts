import { TokenizerError, describeValue } from "./errors.js";
import {
  ALBERT_TOKENIZER_CLASS,
  configField,
  dtypePolicyConfig,
  serializeLayer,
  unwrapConfig,
  type KerasDTypePolicyConfig,
  type KerasSerializedLayer,
} from "./keras-config.js";
import { SentencePieceProcessor, type EncodedPiece } from "./sentencepiece/processor.js";
import { SPACE_SYMBOL } from "./sentencepiece/utf8.js";
import {
  endsWithDigitComma,
  preprocessUncased,
  preprocessUncasedText,
  type AlignedText,
} from "./uncased/uncased-preprocessing.js";

import type { HfTokenizer } from "./hf/hf-tokenizer.js";
import type { TokenizerPresetFiles } from "./preset-files.js";

export type { EncodedPiece } from "./sentencepiece/processor.js";

/** Options of `AlbertTokenizer.fromProto` and the constructor. */
export interface AlbertTokenizerOptions {
  /**
   * Apply ALBERT's uncased text preprocessing before SentencePiece, exactly as HF transformers
   * v4's `AlbertTokenizer` does for albert-*-v2: collapse whitespace, turn ``` `` ``` and `''`
   * into `"`, NFKD and drop combining marks, lowercase, and split pieces that end in a digit
   * followed by a comma. `false` (the default here) reproduces KerasHub's ids exactly.
   */
  lowercase?: boolean;
  /** The layer name in KerasHub's config. Default `"albert_tokenizer"`. */
  name?: string;
  /**
   * The preset file of the tokenizer's config; its assets go to `assets/<name without .json>/`.
   * Default `"tokenizer.json"` (KerasHub's `config_file`).
   */
  configFile?: string;
}

/**
 * KerasHub's `AlbertTokenizer.get_config()`: what `tokenizer.json` holds under `config`. The
 * SentencePiece model is not part of it (`proto` is null); it is the preset's
 * `assets/tokenizer/vocabulary.spm`.
 */
export interface AlbertTokenizerConfig {
  name: string;
  trainable: boolean;
  dtype: KerasDTypePolicyConfig | string;
  config_file: string;
  proto: null;
  sequence_length: null;
  add_bos: false;
  add_eos: false;
}

/** Options of `AlbertTokenizer.fromConfig`: what the config does not hold. */
export interface AlbertTokenizerFromConfigOptions {
  /** The SentencePiece model file's bytes (a preset's `assets/tokenizer/vocabulary.spm`). */
  proto: Uint8Array | ArrayBuffer;
  /** See `AlbertTokenizerOptions.lowercase`. Default false (KerasHub's ids). */
  lowercase?: boolean;
}

/**
 * How `fromPreset` resolves a handle: passed to `@albert/presets`' `resolvePreset` (which only
 * fetches config and tokenizer files for the tokenizer, never the weights).
 */
export interface PresetResolveOptions {
  /** For built-in preset names: which hub to try first. */
  source?: "kaggle" | "hf";
  /** For hf:// handles: a branch, tag or commit. */
  revision?: string;
  /** Called as download data arrives. */
  onProgress?: (progress: { file: string; loaded: number; total?: number }) => void;
  /** A request that sends nothing for this many ms fails and is retried. */
  timeoutMs?: number;
  /** Retries after a network error. */
  retries?: number;
}

/** Options of `AlbertTokenizer.fromPreset`. */
export interface AlbertTokenizerPresetOptions extends PresetResolveOptions {
  /**
   * See `AlbertTokenizerOptions.lowercase`. Default, in this order: the casing recorded in the
   * preset's `tokenizer.json` (written by `saveToPreset`); HF's `do_lower_case` (from
   * `tokenizer_config.json` or `config.json`, or HF's default true for ALBERT tokenizers without
   * it); true for the built-in `*_uncased` presets (by name or their `kaggle://` handle); false
   * otherwise. A folder's name never decides.
   */
  lowercase?: boolean;
}

/** One ALBERT special token. */
export interface SpecialToken {
  token: string;
  id: number;
}

/** The pieces KerasHub's AlbertTokenizer requires in the vocabulary. */
const REQUIRED_SPECIAL_TOKENS = {
  cls: "[CLS]",
  sep: "[SEP]",
  pad: "<pad>",
  mask: "[MASK]",
} as const;

/**
 * ALBERT's SentencePiece tokenizer, a port of KerasHub's `AlbertTokenizer` with ids equal to
 * the SentencePiece C++ library's on any input. It needs no TensorFlow.js; `fromProto` and
 * everything but `fromPreset` run in browsers too.
 *
 * The model must contain the pieces `[CLS]`, `[SEP]`, `<pad>` and `[MASK]` (any id, any type),
 * as KerasHub requires; otherwise a `TokenizerError` with code `missing_special_token`.
 *
 * Lowercasing: ALBERT's published vocabularies are uncased, yet neither the SentencePiece
 * model nor KerasHub lowercases, so with `lowercase: false` "The" starts with `<unk>`, exactly
 * as in KerasHub. `lowercase: true` applies HF transformers' uncased preprocessing first (see
 * `AlbertTokenizerOptions.lowercase`). `saveToPreset` records the choice in `tokenizer.json`
 * (a top-level `albert_ts` field that Python KerasHub ignores) and `fromPreset` reads it back.
 *
 * ```ts
 * import { readFileSync } from "node:fs";
 * import { AlbertTokenizer } from "@albert/tokenizer";
 *
 * const tokenizer = AlbertTokenizer.fromProto(readFileSync("vocabulary.spm"), { lowercase: true });
 * const ids = tokenizer.tokenize("The quick brown fox.");   // number[]
 * tokenizer.tokenizeToPieces("The quick brown fox.");       // ["▁the", "▁quick", ...]
 * tokenizer.detokenize(ids);                                 // "the quick brown fox."
 * tokenizer.tokenizeWithOffsets("The fox");                 // [{ id, piece, start, end }, ...]
 * tokenizer.clsTokenId; tokenizer.sepTokenId; tokenizer.padTokenId; tokenizer.maskTokenId;
 *
 * const fromDisk = await AlbertTokenizer.fromPreset("albert_base_en_uncased"); // Node only
 * await fromDisk.saveToPreset("./my_preset"); // tokenizer.json + assets/tokenizer/vocabulary.spm
 * ```
 */
export class AlbertTokenizer {
  /** The SentencePiece model underneath (for lower-level access). */
  readonly sentencePiece: SentencePieceProcessor;
  /** Whether HF's uncased preprocessing runs before SentencePiece. */
  readonly lowercase: boolean;
  /**
   * The SentencePiece model file's bytes (KerasHub's `tokenizer.proto`), or undefined for a
   * tokenizer built from a `SentencePieceProcessor` that was not read from bytes.
   */
  readonly proto: Uint8Array | undefined;
  /**
   * For an HF directory that has `tokenizer.json` and no `spiece.model` (what transformers 5
   * saves): the tokenizer that reproduces transformers' ids, pieces, offsets and decoding,
   * which `tokenize`, `tokenizeToPieces`, `tokenizeWithOffsets` and `detokenize` then use.
   * `sentencePiece` and `proto` hold its vocabulary as a SentencePiece model (for saving);
   * `lowercase` records the directory's `do_lower_case` and does not change the ids.
   */
  readonly hf: HfTokenizer | undefined;
  /** KerasHub's layer name (`config.name`). */
  readonly name: string;
  /** The preset file of this tokenizer's config (KerasHub's `config_file`). */
  readonly configFile: string;

  readonly clsToken = REQUIRED_SPECIAL_TOKENS.cls;
  readonly sepToken = REQUIRED_SPECIAL_TOKENS.sep;
  readonly padToken = REQUIRED_SPECIAL_TOKENS.pad;
  readonly maskToken = REQUIRED_SPECIAL_TOKENS.mask;
  /** KerasHub's aliases: the packer's start token is `[CLS]`, its end token `[SEP]`. */
  readonly startToken = REQUIRED_SPECIAL_TOKENS.cls;
  readonly endToken = REQUIRED_SPECIAL_TOKENS.sep;

  readonly clsTokenId: number;
  readonly sepTokenId: number;
  readonly padTokenId: number;
  readonly maskTokenId: number;
  readonly startTokenId: number;
  readonly endTokenId: number;
  /** Id of the model's unknown piece (`<unk>`). */
  readonly unkTokenId: number;

  /** Piece -> id as KerasHub builds it (a later id wins if a string occurs twice). */
  private readonly tokenIds: Map<string, number>;

  constructor(
    options: AlbertTokenizerOptions & {
      proto: Uint8Array | ArrayBuffer | SentencePieceProcessor;
      /** An HF tokenizer.json tokenizer with the same vocabulary, to tokenize with (see `hf`). */
      hf?: HfTokenizer;
    },
  ) {
    if (options === null || typeof options !== "object") {
      throw new TokenizerError(
        "invalid_argument",
        `AlbertTokenizer options must be an object with a proto, got ${describeValue(options)}`,
      );
    }
    const {
      proto,
      lowercase = false,
      name = "albert_tokenizer",
      configFile = "tokenizer.json",
    } = options;
    if (typeof lowercase !== "boolean") {
      throw new TokenizerError(
        "invalid_argument",
        `lowercase must be a boolean, got ${describeValue(lowercase)}`,
      );
    }
    for (const [key, value] of [
      ["name", name],
      ["configFile", configFile],
    ] as const) {
      if (typeof value !== "string" || value.length === 0) {
        throw new TokenizerError(
          "invalid_argument",
          `${key} must be a non-empty string, got ${describeValue(value)}`,
        );
      }
    }
    if (!configFile.endsWith(".json") || /[\\/]/.test(configFile)) {
      throw new TokenizerError(
        "invalid_argument",
        `configFile must be a file name ending in .json (no folders), got ${describeValue(configFile)}`,
      );
    }
    if (proto instanceof SentencePieceProcessor) {
      this.sentencePiece = proto;
      this.proto = proto.serializedProto;
    } else {
      this.sentencePiece = SentencePieceProcessor.fromBytes(proto);
      this.proto = this.sentencePiece.serializedProto;
    }
    this.lowercase = lowercase;
    this.hf = options.hf;
    this.name = name;
    this.configFile = configFile;
    const pieces = this.sentencePiece.vocabulary.pieces;
    this.tokenIds = new Map(pieces.map((piece, id) => [piece, id]));
    const idOf = (token: string, name: string): number => {
      const id = this.tokenIds.get(token);
      if (id === undefined) {
        throw new TokenizerError(
          "missing_special_token",
          `Cannot find special token ${JSON.stringify(token)} (${name}) in the SentencePiece ` +
            `vocabulary of ${pieces.length} pieces; an ALBERT vocabulary needs [CLS], [SEP], <pad> and [MASK]`,
        );
      }
      return id;
    };
    this.clsTokenId = idOf(this.clsToken, "cls_token");
    this.sepTokenId = idOf(this.sepToken, "sep_token");
    this.padTokenId = idOf(this.padToken, "pad_token");
    this.maskTokenId = idOf(this.maskToken, "mask_token");
    this.startTokenId = this.clsTokenId;
    this.endTokenId = this.sepTokenId;
    this.unkTokenId = this.sentencePiece.unkId;
  }

  /** A tokenizer from the bytes of a SentencePiece model file (`vocabulary.spm`, `spiece.model`). */
  static fromProto(
    proto: Uint8Array | ArrayBuffer,
    options: AlbertTokenizerOptions = {},
  ): AlbertTokenizer {
    return new AlbertTokenizer({ ...options, proto });
  }

  /**
   * A tokenizer from a preset: a KerasHub preset directory (`tokenizer.json` and
   * `assets/tokenizer/vocabulary.spm`), an HF transformers directory (`spiece.model`, or an HF
   * `tokenizer.json` without it, as transformers 5 saves: see `hf`), or any handle
   * `@albert/presets` resolves (a built-in name, `kaggle://`, `hf://`). Needs Node.
   */
  static async fromPreset(
    preset: string,
    options: AlbertTokenizerPresetOptions = {},
  ): Promise<AlbertTokenizer> {
    const { lowercase, ...resolveOptions } = options;
    const { readTokenizerPreset } = await import("./preset-files.js");
    const found = await readTokenizerPreset(preset, resolveOptions);
    return tokenizerFromPresetFiles(found, lowercase);
  }

  /**
   * KerasHub's `from_config`: `config` is `getConfig()`'s output or a whole serialized
   * tokenizer (a `tokenizer.json`). The SentencePiece model is not in a config; pass its bytes.
   */
  static fromConfig(config: unknown, options: AlbertTokenizerFromConfigOptions): AlbertTokenizer {
    const inner = unwrapConfig(config, ALBERT_TOKENIZER_CLASS, "config");
    if (options === null || typeof options !== "object" || options.proto === undefined) {
      throw new TokenizerError(
        "invalid_argument",
        "AlbertTokenizer.fromConfig needs the SentencePiece model, which a config does not hold: " +
          "fromConfig(config, { proto: bytes }) with the bytes of assets/tokenizer/vocabulary.spm",
      );
    }
    checkSupportedConfig(inner);
    const name = configField<string>(inner, "name", "string", "config");
    const configFile = configField<string>(inner, "config_file", "string", "config");
    return new AlbertTokenizer({
      proto: options.proto,
      ...(options.lowercase === undefined ? {} : { lowercase: options.lowercase }),
      ...(name === undefined ? {} : { name }),
      ...(configFile === undefined ? {} : { configFile }),
    });
  }

  /** KerasHub's `get_config()`: the `config` part of `tokenizer.json`. */
  getConfig(): AlbertTokenizerConfig {
    return {
      name: this.name,
      trainable: true,
      dtype: dtypePolicyConfig("int32"),
      config_file: this.configFile,
      proto: null,
      sequence_length: null,
      add_bos: false,
      add_eos: false,
    };
  }

  /** `keras.layers.serialize(tokenizer)`: `{ module, class_name, config, registered_name }`. */
  serialize(): KerasSerializedLayer<AlbertTokenizerConfig> {
    return serializeLayer(ALBERT_TOKENIZER_CLASS, this.getConfig());
  }

  /**
   * Writes the tokenizer into a preset folder as KerasHub's `save_to_preset` does:
   * `tokenizer.json` (byte for byte KerasHub's, plus a top-level `"albert_ts": { "lowercase" }`
   * field that records the casing; Python KerasHub ignores it) and
   * `assets/tokenizer/vocabulary.spm`. Creates the folder; returns the files written, relative
   * to it. Needs Node.
   */
  async saveToPreset(dir: string): Promise<string[]> {
    const { writeTokenizerFiles } = await import("./preset-files.js");
    return writeTokenizerFiles(dir, this);
  }

  /** Number of pieces in the vocabulary. */
  vocabularySize(): number {
    return this.sentencePiece.getPieceSize();
  }

  /** Every piece, by id. */
  getVocabulary(): string[] {
    return [...this.sentencePiece.vocabulary.pieces];
  }

  /** The piece with id `id`; throws `invalid_id` outside `[0, vocabularySize())`. */
  idToToken(id: number): string {
    return this.sentencePiece.idToPiece(id);
  }

  /** The id of the piece `token`, or the unknown id if the vocabulary has no such piece. */
  tokenToId(token: string): number {
    if (typeof token !== "string") {
      throw new TokenizerError(
        "invalid_argument",
        `token must be a string, got ${describeValue(token)}`,
      );
    }
    return this.tokenIds.get(token) ?? this.unkTokenId;
  }

  /**
   * KerasHub's `special_token_ids`: the distinct ids of `[CLS]`, `[SEP]`, `<pad>` and `[MASK]`,
   * ascending (the ids the masked-LM preprocessor never selects).
   */
  get specialTokenIds(): number[] {
    const ids = new Set([this.clsTokenId, this.sepTokenId, this.padTokenId, this.maskTokenId]);
    return [...ids].sort((a, b) => a - b);
  }

  /** The four special tokens KerasHub's AlbertTokenizer registers, with their ids. */
  get specialTokens(): {
    cls: SpecialToken;
    sep: SpecialToken;
    pad: SpecialToken;
    mask: SpecialToken;
  } {
    return {
      cls: { token: this.clsToken, id: this.clsTokenId },
      sep: { token: this.sepToken, id: this.sepTokenId },
      pad: { token: this.padToken, id: this.padTokenId },
      mask: { token: this.maskToken, id: this.maskTokenId },
    };
  }

  /** Token ids of a string, or of each string of a batch. */
  tokenize(text: string): number[];
  tokenize(texts: readonly string[]): number[][];
  tokenize(input: string | readonly string[]): number[] | number[][] {
    if (Array.isArray(input)) return input.map((text, i) => this.tokenizeOne(text, `texts[${i}]`));
    return this.tokenizeOne(input as string, "text");
  }

  private tokenizeOne(text: unknown, argument: string): number[] {
    checkText(text, argument);
    if (this.hf !== undefined) return this.hf.encode(text, { addSpecialTokens: false }).ids;
    if (!this.lowercase) return this.sentencePiece.encodeIds(text);
    // HF's ids are `PieceToId(piece)`; for a piece taken from the vocabulary that is its id
    // (`canonicalId`), so only unknown text and re-split pieces need a lookup.
    const sp = this.sentencePiece;
    const { ids, pieces } = sp.encodeIdsAndPieces(preprocessUncasedText(text));
    const out: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      const piece = pieces[i]!;
      if (endsWithDigitComma(piece)) {
        for (const sub of splitDigitComma(sp, piece)) out.push(sp.pieceToId(sub));
      } else {
        const id = ids[i]!;
        out.push(sp.isUnknown(id) ? sp.pieceToId(piece) : sp.canonicalId(id));
      }
    }
    return out;
  }

  /**
   * The pieces of `text` as SentencePiece reports them (with `lowercase`, after HF's
   * digit-comma split). Text that maps to the unknown id appears as itself (a run of unknown
   * characters is one piece); `tokenize(text).map((id) => tokenizer.idToToken(id))` gives
   * `<unk>` there instead, as KerasHub's `id_to_token` does.
   */
  tokenizeToPieces(text: string): string[] {
    checkText(text, "text");
    return this.encode(text, false).map((p) => p.piece);
  }

  /**
   * Ids and pieces of `text` with the span of the ORIGINAL `text` each piece comes from:
   * `text.slice(start, end)`, in UTF-16 indices (JavaScript string indices), end exclusive.
   *
   * - A piece's span covers the characters that normalized into it; the `▁` that stands for
   *   the space before a word covers that space (at the start of the text, nothing). Spans
   *   come in order and never overlap; whitespace that normalization drops belongs to no piece.
   * - A run of unknown characters is one piece covering the whole run.
   * - With byte fallback, the `<0xNN>` pieces of one character all start at that character;
   *   only the last one ends after it (the others are empty, `start === end`).
   * - With `lowercase`, spans refer to the text before preprocessing: a lowercased, accent-
   *   stripped or whitespace-collapsed character maps back to the character(s) it came from.
   */
  tokenizeWithOffsets(text: string): EncodedPiece[] {
    checkText(text, "text");
    return this.encode(text, true);
  }

  /** Text of token ids (a list, or a batch of lists), as SentencePiece's `decode`. */
  detokenize(ids: ArrayLike<number>): string;
  detokenize(batch: readonly ArrayLike<number>[]): string[];
  detokenize(input: ArrayLike<number> | readonly ArrayLike<number>[]): string | string[] {
    if (input === null || typeof input !== "object" || typeof input.length !== "number") {
      throw new TokenizerError(
        "invalid_argument",
        `ids must be an array of token ids or a batch of such arrays, got ${describeValue(input)}`,
      );
    }
    const first = (input as ArrayLike<unknown>)[0];
    const hf = this.hf;
    const decode = (ids: ArrayLike<number>) =>
      hf !== undefined ? hf.decode(Array.from(ids)) : this.sentencePiece.decodeIds(ids);
    if (typeof first === "object" && first !== null) {
      return Array.from(input as readonly ArrayLike<number>[], decode);
    }
    return decode(input as ArrayLike<number>);
  }

  private encode(text: string, withOffsets: boolean): EncodedPiece[] {
    if (this.hf !== undefined) {
      const e = this.hf.encode(text, { addSpecialTokens: false, offsetUnit: "utf16" });
      return e.ids.map((id, i) => ({
        id,
        piece: e.tokens[i]!,
        start: e.offsets[i]![0],
        end: e.offsets[i]![1],
      }));
    }
    return this.lowercase
      ? this.encodeUncased(text, withOffsets)
      : this.sentencePiece.encodeWithOffsets(text, withOffsets);
  }

  /** HF transformers v4 `AlbertTokenizer._tokenize` + `convert_tokens_to_ids`. */
  private encodeUncased(text: string, withOffsets: boolean): EncodedPiece[] {
    const sp = this.sentencePiece;
    const pre: AlignedText | undefined = withOffsets ? preprocessUncased(text) : undefined;
    const preText = pre === undefined ? preprocessUncasedText(text) : pre.text;
    const encoded = sp.encodeWithOffsets(preText, withOffsets);
    const out: EncodedPiece[] = [];
    for (const p of encoded) {
      if (!endsWithDigitComma(p.piece)) {
        out.push(p);
        continue;
      }
      out.push(...alignSubPieces(splitDigitComma(sp, p.piece), p, preText));
    }
    for (const p of out) {
      p.id = sp.pieceToId(p.piece);
      if (pre !== undefined) {
        const length = pre.text.length;
        const mapStart = (i: number) => (i < length ? pre.origStart[i]! : text.length);
        if (p.end > p.start) {
          p.start = mapStart(p.start);
          p.end = pre.origEnd[p.end - 1]!;
        } else {
          p.start = p.end = mapStart(p.start);
        }
      }
    }
    return out;
  }
}

/**
 * The tokenizer a preset's files describe, `lowercase` overriding the preset's default. For the
 * preprocessors' `fromPreset`, which read the same files.
 */
export function tokenizerFromPresetFiles(
  found: TokenizerPresetFiles,
  lowercase: boolean | undefined,
): AlbertTokenizer {
  const config = found.tokenizerConfig;
  if (config !== undefined) {
    return AlbertTokenizer.fromConfig(config, {
      proto: found.proto,
      lowercase: lowercase ?? found.lowercase,
    });
  }
  return new AlbertTokenizer({
    proto: found.proto,
    lowercase: lowercase ?? found.lowercase,
    ...(found.hf === undefined ? {} : { hf: found.hf }),
  });
}

/** KerasHub options this port does not implement: refused, so ids never silently differ. */
function checkSupportedConfig(config: Record<string, unknown>): void {
  const unsupported: Array<[string, unknown]> = [
    ["sequence_length", null],
    ["add_bos", false],
    ["add_eos", false],
  ];
  for (const [key, allowed] of unsupported) {
    const value = config[key];
    if (value !== undefined && value !== allowed) {
      throw new TokenizerError(
        "unsupported_model",
        `tokenizer config ${key} is ${JSON.stringify(value)}; this port supports only ` +
          `${JSON.stringify(allowed)} (what KerasHub's ALBERT presets use)`,
      );
    }
  }
  if (config.proto !== undefined && config.proto !== null) {
    throw new TokenizerError(
      "unsupported_model",
      "tokenizer config proto must be null (the model is the preset's vocabulary asset), " +
        `got ${describeValue(config.proto)}`,
    );
  }
}

/**
 * HF's re-split of a piece that ends in digit + comma (`▁9,` -> `▁9`, `,`): encode the piece
 * without its comma and its `▁`s again, drop a `▁` the piece did not start with, add `,`.
 */
function splitDigitComma(sp: SentencePieceProcessor, piece: string): string[] {
  let subPieces = sp.encodePieces(piece.slice(0, -1).replaceAll(SPACE_SYMBOL, ""));
  const first = subPieces[0];
  if (!piece.startsWith(SPACE_SYMBOL) && first !== undefined && first.startsWith(SPACE_SYMBOL)) {
    if (first.length === 1) subPieces = subPieces.slice(1);
    else subPieces[0] = first.slice(1);
  }
  subPieces.push(",");
  return subPieces;
}

function checkText(text: unknown, argument: string): asserts text is string {
  if (typeof text !== "string") {
    throw new TokenizerError(
      "invalid_argument",
      `${argument} must be a string, got ${describeValue(text)}`,
    );
  }
}

/**
 * Spans for the pieces HF's digit-comma split makes out of `whole`: each piece's text (without
 * `▁`) is found in order in the span of `whole`; if one is not found (normalization changed the
 * characters), every sub-piece gets the span of `whole`.
 */
function alignSubPieces(subPieces: string[], whole: EncodedPiece, text: string): EncodedPiece[] {
  const surface = text.slice(whole.start, whole.end);
  const spans: Array<[number, number]> = [];
  let cursor = 0;
  for (let k = 0; k < subPieces.length; k++) {
    const bare = subPieces[k]!.replaceAll(SPACE_SYMBOL, "");
    const at = surface.indexOf(bare, cursor);
    if (bare.length === 0 || at < 0) {
      return subPieces.map((piece) => ({ id: -1, piece, start: whole.start, end: whole.end }));
    }
    spans.push([k === 0 ? 0 : cursor, at + bare.length]);
    cursor = at + bare.length;
  }
  return subPieces.map((piece, k) => ({
    id: -1,
    piece,
    start: whole.start + spans[k]![0],
    end: whole.start + spans[k]![1],
  }));
}
