import type { PresetResolveOptions } from "../albert-tokenizer.js";
import { TokenizerError, describeValue } from "../errors.js";
import { AddedVocabulary, type AddedToken } from "./added-vocabulary.js";
import { buildDecoder, type HfDecoder } from "./decoders.js";
import {
  Encoding,
  padEncodings,
  truncateEncodings,
  type PaddingParams,
  type Side,
  type TruncationParams,
  type TruncationStrategy,
} from "./encoding.js";
import { isJsonObject, jsonObject, type JsonObject } from "./json.js";
import { base64Bytes, buildNormalizer, type HfNormalizer } from "./normalizers.js";
import { buildPreTokenizer, type HfPreTokenizer, type Split } from "./pre-tokenizers.js";
import {
  buildPostProcessor,
  defaultProcess,
  type TemplateProcessing,
} from "./template-processing.js";
import {
  SPECIAL_TOKEN_ROLES,
  precompiledCharsmap,
  transformersSettings,
  type AddedTokenJson,
  type SpecialTokenRole,
  type TokenizerDirectoryFiles,
  type TransformersSettings,
} from "./transformers-config.js";
import { encodeModelProto, ModelType, PieceType } from "../sentencepiece/model-proto.js";
import { codePoints } from "./unicode.js";
import { HfUnigramModel } from "./unigram.js";

export type { Side, TruncationStrategy } from "./encoding.js";
export type { SpecialTokenRole, TokenizerDirectoryFiles } from "./transformers-config.js";

/** One encoded sequence or pair, with HF's fields (`tokenizers`' `Encoding`). */
export interface HfEncoding {
  /** Token ids (`input_ids`). */
  ids: number[];
  /** The tokens as `tokenizers` reports them: pieces, added tokens, and for unknown text the
   * text itself (`convertIdsToTokens` gives `<unk>` there). */
  tokens: string[];
  /** `[start, end)` of each token in its sequence's text (`return_offsets_mapping`): code
   * points by default (Python string indices), UTF-16 with `offsetUnit: "utf16"`; `[0, 0]` for
   * special and padding tokens. */
  offsets: Array<[number, number]>;
  /** `token_type_ids`. */
  typeIds: number[];
  attentionMask: number[];
  /** 1 for special and padding tokens. */
  specialTokensMask: number[];
  /** Which sequence each token comes from: 0, 1 (the pair's second text) or null (special and
   * padding tokens), as `sequence_ids()`. */
  sequenceIds: Array<number | null>;
  /** The word (pre-tokenized split) of each token, counted per sequence, as `word_ids()`. */
  wordIds: Array<number | null>;
  /** With `returnOverflowingTokens`: the further chunks of a truncated input, each a full
   * encoding (special tokens, padding) whose own `overflowing` is empty. */
  overflowing: HfEncoding[];
}

/** Options of `encode` and `encodeBatch`: transformers' `__call__` arguments in camelCase. */
export interface HfEncodeOptions {
  /** Add the post-processor's special tokens (`[CLS] ... [SEP]`). Default true. */
  addSpecialTokens?: boolean;
  /**
   * `true` = "longest_first". Default: none, unless `maxLength` is given without `padding`
   * (then "longest_first", as transformers). Without `maxLength`, the tokenizer's
   * `modelMaxLength`; with neither, no truncation (transformers' rule).
   */
  truncation?: boolean | TruncationStrategy;
  maxLength?: number;
  /** Tokens shared by consecutive overflowing chunks. Default 0. */
  stride?: number;
  /** Which end truncation cuts. Default: the tokenizer's (`truncation_side`, "right"). */
  truncationSide?: Side;
  /** `true` = "longest" (the longest encoding of the call); "max_length" pads to `maxLength`. */
  padding?: boolean | "longest" | "max_length";
  padToMultipleOf?: number;
  /** Default: the tokenizer's (`padding_side`, "right"). */
  paddingSide?: Side;
  /** Return the chunks beyond `maxLength` in `overflowing`. Default false. */
  returnOverflowingTokens?: boolean;
  /** Offsets in code points (default; what Python reports) or UTF-16 units (`text.slice`). */
  offsetUnit?: "codePoint" | "utf16";
  /** Match special tokens in the text (default) or tokenize them as text (`split_special_tokens`). */
  splitSpecialTokens?: boolean;
  /**
   * When truncating, stop tokenizing a text once `maxLength` tokens exist, as `tokenizers`
   * 0.23.1 and later do (default true). Overflowing chunks then cover only the start of a long
   * text (huggingface/tokenizers#2091); `false` tokenizes all of it, as `tokenizers` 0.22 and
   * transformers v4's pipelines did, so the chunks cover the whole text.
   */
  earlyTruncationExit?: boolean;
}

/** Options of `decode`. */
export interface HfDecodeOptions {
  skipSpecialTokens?: boolean;
  /** transformers' `clean_up_tokenization` (" ." -> "." ...). Default: the tokenizer's setting. */
  cleanUpTokenizationSpaces?: boolean;
}

/** One input of `encodeBatch`: a text, or a pair. */
export type HfBatchInput = string | readonly [string, string] | { text: string; textPair?: string };

/** Options of `HfTokenizer.fromJson`: the directory's other files. */
export type HfTokenizerOptions = TokenizerDirectoryFiles;

interface Resolved {
  addSpecialTokens: boolean;
  truncation: TruncationParams | undefined;
  padding: PaddingParams | undefined;
  returnOverflowing: boolean;
  utf16: boolean;
  splitSpecialTokens: boolean;
  earlyExit: boolean;
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new TokenizerError(
      "invalid_model",
      `${where} is not valid JSON: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

function checkText(value: unknown, argument: string): asserts value is string {
  if (typeof value !== "string") {
    throw new TokenizerError(
      "invalid_argument",
      `${argument} must be a string, got ${describeValue(value)}`,
    );
  }
}

function checkCount(value: unknown, argument: string, min = 0): asserts value is number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new TokenizerError(
      "invalid_argument",
      `${argument} must be an integer >= ${min}, got ${describeValue(value)}`,
    );
  }
}

function checkChoice<T extends string | boolean>(
  value: unknown,
  argument: string,
  allowed: readonly T[],
): T {
  if (!allowed.includes(value as T)) {
    throw new TokenizerError(
      "invalid_argument",
      `${argument} must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${describeValue(value)}`,
    );
  }
  return value as T;
}

/** `[start, end)` in code points to UTF-16 indices of `text`. */
function utf16Offsets(text: string): Int32Array {
  const cps = codePoints(text);
  const map = new Int32Array(cps.length + 1);
  let unit = 0;
  cps.forEach((cp, i) => {
    map[i] = unit;
    unit += cp > 0xffff ? 2 : 1;
  });
  map[cps.length] = unit;
  return map;
}

/**
 * A tokenizer from an HF `tokenizer.json` (the `tokenizers` library's format, which
 * transformers 5 saves instead of `spiece.model`), reproducing HF exactly: the normalizer
 * (`` `` ``/`''` to `"`, NFKD, accent stripping, lowercasing, the precompiled SentencePiece
 * map), special tokens such as `[MASK]` matched in the raw text, the Unigram model, the
 * post-processor's `[CLS]`/`[SEP]`, offsets into the original text, pairs, truncation with
 * stride and overflowing chunks, padding, and decoding. Given the directory's
 * `tokenizer_config.json` (or through `fromPreset`) it also applies what transformers' tokenizer
 * class does on top (for ALBERT: `do_lower_case`, `keep_accents`, the special tokens,
 * `model_max_length`). Runs in browsers (`fromPreset` needs Node).
 *
 * ```ts
 * import { HfTokenizer } from "@albert/tokenizer";
 *
 * const tokenizer = await HfTokenizer.fromPreset("hf://albert/albert-base-v2"); // Node
 * const enc = tokenizer.encode("The license [MASK] applies.");
 * enc.ids;      // [2, 14, ..., 4, ..., 3]
 * enc.tokens;   // ["[CLS]", "▁the", ..., "[MASK]", ..., "[SEP]"]
 * enc.offsets;  // [[0, 0], [0, 3], ...]
 * // transformers v4's question-answering chunks:
 * const chunks = tokenizer.encode(question, {
 *   textPair: context, truncation: "only_second", maxLength: 384, stride: 128,
 *   returnOverflowingTokens: true, padding: "max_length",
 * });
 * [chunks, ...chunks.overflowing].map((c) => c.sequenceIds);
 * tokenizer.decode(enc.ids, { skipSpecialTokens: true }); // "the license applies."
 * ```
 */
export class HfTokenizer {
  /** `model_max_length` from the tokenizer's config, if it sets one. */
  readonly modelMaxLength: number | undefined;
  /** The special tokens by role (`cls`, `sep`, `pad`, `mask`, `unk`, `bos`, `eos`) with ids. */
  readonly specialTokens: Partial<Record<SpecialTokenRole, { token: string; id: number }>>;
  readonly paddingSide: Side;
  readonly truncationSide: Side;
  readonly cleanUpTokenizationSpaces: boolean;
  readonly splitSpecialTokens: boolean;

  private readonly model: HfUnigramModel;
  private readonly normalizer: HfNormalizer | undefined;
  private readonly preTokenizer: HfPreTokenizer | undefined;
  private readonly postProcessor: TemplateProcessing | undefined;
  private readonly decoder: HfDecoder | undefined;
  private readonly added = new AddedVocabulary();
  /** transformers' `all_special_ids`. */
  private readonly allSpecialIds = new Set<number>();
  /** The normalizer's precompiled charsmap (base64), for `sentencePieceModel`. */
  private readonly charsmap: string | undefined;

  private constructor(settings: TransformersSettings) {
    const json = settings.tokenizerJson;
    if (json.version !== undefined && json.version !== "1.0") {
      throw new TokenizerError(
        "unsupported_model",
        `tokenizer.json version ${describeValue(json.version)} is unknown; expected "1.0"`,
      );
    }
    this.model = HfUnigramModel.fromJson(
      json.model,
      "model",
      settings.exactScores ? "exact" : "serde_json",
    );
    this.normalizer = buildNormalizer(json.normalizer);
    this.preTokenizer = buildPreTokenizer(json.pre_tokenizer);
    this.postProcessor = buildPostProcessor(json.post_processor);
    this.decoder = buildDecoder(json.decoder);
    this.charsmap = precompiledCharsmap(json.normalizer);
    const fileTokens = Array.isArray(json.added_tokens) ? json.added_tokens : [];
    const toAdd = [
      ...fileTokens.map((t, i) => addedTokenOf(t, `added_tokens[${i}]`)),
      ...settings.extraAddedTokens.map((t, i) => addedTokenOf(t, `added token ${i}`)),
    ];
    this.added.add(toAdd, (token) => this.model.idOf(token), this.model.size, this.normalizer);

    this.modelMaxLength = settings.modelMaxLength;
    this.paddingSide = settings.paddingSide;
    this.truncationSide = settings.truncationSide;
    this.cleanUpTokenizationSpaces = settings.cleanUpTokenizationSpaces;
    this.splitSpecialTokens = settings.splitSpecialTokens;
    const specialTokens: Partial<Record<SpecialTokenRole, { token: string; id: number }>> = {};
    for (const role of SPECIAL_TOKEN_ROLES) {
      const token = settings.specialTokens[role];
      if (token === undefined) continue;
      const id = this.tokenToId(token);
      if (id === undefined) continue;
      specialTokens[role] = { token, id };
      this.allSpecialIds.add(id);
    }
    for (const token of settings.extraAddedTokens) {
      const id = token.special ? this.tokenToId(token.content) : undefined;
      if (id !== undefined) this.allSpecialIds.add(id);
    }
    this.specialTokens = specialTokens;
  }

  /**
   * A tokenizer from the contents of a `tokenizer.json` (text or parsed). Pass the directory's
   * `tokenizerConfig` (tokenizer_config.json) and, if it has them, `specialTokensMap` and
   * `modelConfig` (config.json) to get what transformers' `AutoTokenizer` makes of the
   * directory; without them, what the `tokenizers` library makes of the file alone.
   */
  static fromJson(tokenizerJson: string | object, options: HfTokenizerOptions = {}): HfTokenizer {
    const value =
      typeof tokenizerJson === "string"
        ? parseJson(tokenizerJson, "tokenizer.json")
        : tokenizerJson;
    const json = jsonObject(value, "tokenizer.json");
    if (options === null || typeof options !== "object") {
      throw new TokenizerError(
        "invalid_argument",
        `options must be an object, got ${describeValue(options)}`,
      );
    }
    for (const key of ["tokenizerConfig", "specialTokensMap", "modelConfig"] as const) {
      const file = options[key];
      if (file !== undefined && !isJsonObject(file)) {
        throw new TokenizerError(
          "invalid_argument",
          `options.${key} must be a JSON object, got ${describeValue(file)}`,
        );
      }
    }
    return new HfTokenizer(transformersSettings(json, options));
  }

  /**
   * A tokenizer from a directory or hub handle holding `tokenizer.json` (with
   * tokenizer_config.json, special_tokens_map.json and config.json when present), as
   * transformers' `AutoTokenizer.from_pretrained` loads it. Needs Node.
   */
  static async fromPreset(
    preset: string,
    options: PresetResolveOptions = {},
  ): Promise<HfTokenizer> {
    const { readHfTokenizerPreset } = await import("../preset-files.js");
    const files = await readHfTokenizerPreset(preset, options);
    return HfTokenizer.fromJson(files.tokenizerJson, files);
  }

  // === Vocabulary ===

  /** Number of ids: the model's pieces and the added tokens beyond them (`len(tokenizer)`). */
  get vocabularySize(): number {
    let size = this.model.size;
    for (const id of this.added.tokenOf.keys()) if (id >= size) size = id + 1;
    return size;
  }

  /** The token of `id` (an added token's text, or the model's piece); undefined if none. */
  idToToken(id: number): string | undefined {
    return this.added.contentOf(id) ?? this.model.pieces[id];
  }

  /** The id of `token` (added tokens first, then the model's pieces); undefined if none. */
  tokenToId(token: string): number | undefined {
    checkText(token, "token");
    return this.added.idOf.get(token) ?? this.model.idOf(token);
  }

  /** transformers' `convert_ids_to_tokens`. */
  convertIdsToTokens(
    ids: readonly number[],
    options: { skipSpecialTokens?: boolean } = {},
  ): string[] {
    return this.checkIds(ids)
      .filter((id) => !(options.skipSpecialTokens === true && this.allSpecialIds.has(id)))
      .map((id) => {
        const token = this.idToToken(id);
        if (token === undefined) {
          throw new TokenizerError(
            "invalid_id",
            `token id ${id} is outside the vocabulary [0, ${this.vocabularySize})`,
          );
        }
        return token;
      });
  }

  /**
   * The vocabulary as a SentencePiece model file (what KerasHub keeps as
   * `assets/tokenizer/vocabulary.spm`): the Unigram pieces and scores, the precompiled
   * charsmap, the unknown piece as UNKNOWN and the special added tokens as CONTROL pieces.
   * SentencePiece and KerasHub tokenize with it their own way: without this tokenizer's
   * lowercasing, accent stripping and special-token matching.
   */
  sentencePieceModel(): Uint8Array {
    const special = new Set<number>();
    for (const [id, token] of this.added.tokenOf) if (token.special) special.add(id);
    const unkId = this.model.unkId ?? -1;
    const pieces = this.model.pieces.map((piece, id) => ({
      piece,
      score: this.model.scores[id]!,
      type:
        id === unkId ? PieceType.UNKNOWN : special.has(id) ? PieceType.CONTROL : PieceType.NORMAL,
    }));
    const charsmap =
      this.charsmap === undefined
        ? new Uint8Array(0)
        : base64Bytes(this.charsmap, "precompiled_charsmap");
    return encodeModelProto({
      pieces,
      trainerSpec: {
        modelType: ModelType.UNIGRAM,
        vocabSize: pieces.length,
        treatWhitespaceAsSuffix: false,
        byteFallback: this.model.byteFallback,
        unkId,
        bosId: -1,
        eosId: -1,
        padId: this.specialTokens.pad?.id ?? -1,
        unkPiece: unkId >= 0 ? this.model.pieces[unkId]! : "<unk>",
        bosPiece: "<s>",
        eosPiece: "</s>",
        padPiece: this.specialTokens.pad?.token ?? "<pad>",
        unkSurface: " \u2047 ",
      },
      normalizerSpec: {
        name: charsmap.length > 0 ? "nmt_nfkc" : "identity",
        precompiledCharsmap: charsmap,
        addDummyPrefix: true,
        removeExtraWhitespaces: true,
        escapeWhitespaces: true,
      },
      denormalizerSpec: undefined,
    });
  }

  // === Encoding ===

  /** Encodes a text, or with `textPair` a pair, as transformers' `tokenizer(text, text_pair, ...)`. */
  encode(text: string, options: HfEncodeOptions & { textPair?: string } = {}): HfEncoding {
    checkText(text, "text");
    if (options === null || typeof options !== "object") {
      throw new TokenizerError(
        "invalid_argument",
        `options must be an object, got ${describeValue(options)}`,
      );
    }
    const { textPair } = options;
    if (textPair !== undefined) checkText(textPair, "options.textPair");
    const resolved = this.resolve(options);
    // transformers builds `[(text, text_pair)] if text_pair else [text]`: an empty pair is none.
    const encoding = this.encodeInput(text, textPair === "" ? undefined : textPair, resolved);
    if (resolved.padding !== undefined) padEncodings([encoding], resolved.padding);
    return this.publicEncoding(encoding, text, textPair, resolved);
  }

  /**
   * Encodes several texts or pairs in one call (transformers with a list): `padding: true`
   * pads every encoding to the longest of the batch.
   */
  encodeBatch(inputs: readonly HfBatchInput[], options: HfEncodeOptions = {}): HfEncoding[] {
    if (!Array.isArray(inputs)) {
      throw new TokenizerError(
        "invalid_argument",
        `inputs must be an array, got ${describeValue(inputs)}`,
      );
    }
    const resolved = this.resolve(options);
    const pairs = inputs.map((input, i): [string, string | undefined] => {
      if (typeof input === "string") return [input, undefined];
      if (Array.isArray(input) && input.length === 2) {
        checkText(input[0], `inputs[${i}][0]`);
        checkText(input[1], `inputs[${i}][1]`);
        return [input[0], input[1]];
      }
      if (isJsonObject(input)) {
        checkText(input.text, `inputs[${i}].text`);
        if (input.textPair !== undefined) checkText(input.textPair, `inputs[${i}].textPair`);
        return [input.text, input.textPair];
      }
      throw new TokenizerError(
        "invalid_argument",
        `inputs[${i}] must be a string, a [text, textPair] pair or { text, textPair }, got ${describeValue(input)}`,
      );
    });
    const encodings = pairs.map(([a, b]) => this.encodeInput(a, b, resolved));
    if (resolved.padding !== undefined) padEncodings(encodings, resolved.padding);
    return encodings.map((e, i) => this.publicEncoding(e, pairs[i]![0], pairs[i]![1], resolved));
  }

  private resolve(options: HfEncodeOptions): Resolved {
    const o = options;
    const addSpecialTokens = o.addSpecialTokens ?? true;
    checkChoice(addSpecialTokens, "options.addSpecialTokens", [true, false]);
    let truncationOption = o.truncation;
    if (truncationOption !== undefined) {
      checkChoice(truncationOption, "options.truncation", [
        true,
        false,
        "longest_first",
        "only_first",
        "only_second",
      ]);
    }
    let padding = o.padding ?? false;
    checkChoice(padding, "options.padding", [true, false, "longest", "max_length"]);
    let maxLength = o.maxLength;
    if (maxLength !== undefined) checkCount(maxLength, "options.maxLength");
    const stride = o.stride ?? 0;
    checkCount(stride, "options.stride");
    const padToMultipleOf = o.padToMultipleOf;
    if (padToMultipleOf !== undefined) checkCount(padToMultipleOf, "options.padToMultipleOf", 1);
    const truncationSide = checkChoice(
      o.truncationSide ?? this.truncationSide,
      "options.truncationSide",
      ["right", "left"],
    );
    const paddingSide = checkChoice(o.paddingSide ?? this.paddingSide, "options.paddingSide", [
      "right",
      "left",
    ]);
    const offsetUnit = checkChoice(o.offsetUnit ?? "codePoint", "options.offsetUnit", [
      "codePoint",
      "utf16",
    ]);

    // transformers' _get_padding_truncation_strategies.
    if (maxLength !== undefined && padding === false && truncationOption === undefined) {
      truncationOption = "longest_first";
    }
    let strategy: TruncationStrategy | undefined =
      truncationOption === true
        ? "longest_first"
        : truncationOption === false
          ? undefined
          : truncationOption;
    if (padding === true) padding = "longest";
    if (maxLength === undefined) {
      if (padding === "max_length") {
        if (this.modelMaxLength === undefined) padding = false;
        else maxLength = this.modelMaxLength;
      }
      if (strategy !== undefined) {
        if (this.modelMaxLength === undefined) strategy = undefined;
        else maxLength = this.modelMaxLength;
      }
    }
    let paddingParams: PaddingParams | undefined;
    if (padding !== false) {
      const pad = this.specialTokens.pad;
      if (pad === undefined) {
        throw new TokenizerError(
          "missing_special_token",
          "padding was asked for, but the tokenizer has no pad token (tokenizer_config.json pad_token)",
        );
      }
      paddingParams = {
        length: padding === "max_length" ? maxLength : undefined,
        padToMultipleOf,
        direction: paddingSide,
        padId: pad.id,
        padTypeId: 0,
        padToken: pad.token,
      };
    }
    if (
      strategy !== undefined &&
      paddingParams !== undefined &&
      padToMultipleOf !== undefined &&
      maxLength !== undefined &&
      maxLength % padToMultipleOf !== 0
    ) {
      throw new TokenizerError(
        "invalid_argument",
        `truncation and padding are both on, but maxLength ${maxLength} is not a multiple of ` +
          `padToMultipleOf ${padToMultipleOf}`,
      );
    }
    if (strategy !== undefined && maxLength !== undefined) {
      // `with_truncation`'s check, against the special tokens of a single sequence.
      const added = this.postProcessor?.addedTokens(false) ?? 0;
      if (maxLength >= added && maxLength - added < stride) {
        throw new TokenizerError(
          "invalid_argument",
          `stride ${stride} is greater than the effective max length ${maxLength - added} ` +
            `(maxLength ${maxLength} minus ${added} special tokens)`,
        );
      }
    }
    const earlyExit = o.earlyTruncationExit ?? true;
    checkChoice(earlyExit, "options.earlyTruncationExit", [true, false]);
    const returnOverflowing = o.returnOverflowingTokens ?? false;
    checkChoice(returnOverflowing, "options.returnOverflowingTokens", [true, false]);
    const splitSpecialTokens = o.splitSpecialTokens ?? this.splitSpecialTokens;
    checkChoice(splitSpecialTokens, "options.splitSpecialTokens", [true, false]);
    return {
      addSpecialTokens,
      truncation:
        strategy === undefined
          ? undefined
          : { maxLength: maxLength!, stride, strategy, direction: truncationSide },
      padding: paddingParams,
      returnOverflowing,
      utf16: offsetUnit === "utf16",
      splitSpecialTokens,
      earlyExit,
    };
  }

  /** `encode` + `post_process` (truncation, special tokens, padding of this one encoding). */
  private encodeInput(text: string, pair: string | undefined, o: Resolved): Encoding {
    const encoding = this.encodeSequence(text, 0, o);
    const pairEncoding = pair === undefined ? undefined : this.encodeSequence(pair, 1, o);
    if (o.truncation !== undefined) {
      const added = this.postProcessor?.addedTokens(pairEncoding !== undefined) ?? 0;
      let params: TruncationParams | undefined = o.truncation;
      if (o.addSpecialTokens && added > 0) {
        // Rust subtracts in unsigned arithmetic: a maxLength below the number of special
        // tokens wraps around to "no limit".
        params =
          params.maxLength < added ? undefined : { ...params, maxLength: params.maxLength - added };
      }
      if (params !== undefined) truncateEncodings(encoding, pairEncoding, params);
    }
    const final =
      this.postProcessor !== undefined
        ? this.postProcessor.process(encoding, pairEncoding, o.addSpecialTokens)
        : defaultProcess(encoding, pairEncoding);
    if (o.padding !== undefined) padEncodings([final], o.padding);
    return final;
  }

  /** `encode_single_sequence`: added tokens, normalization, pre-tokenization, the model. */
  private encodeSequence(text: string, typeId: number, o: Resolved): Encoding {
    let splits = this.added.extractAndNormalize(
      codePoints(text),
      this.normalizer,
      o.splitSpecialTokens,
    );
    if (this.preTokenizer !== undefined) splits = this.preTokenizer.preTokenize(splits);
    const limit =
      o.truncation !== undefined &&
      o.earlyExit &&
      (o.truncation.strategy !== "only_second" || typeId !== 0)
        ? o.truncation
        : undefined;
    splits = limit === undefined ? this.tokenizeAll(splits) : this.tokenizeWithLimit(splits, limit);
    const encoding = new Encoding();
    splits.forEach((split, word) => {
      const n = split.normalized;
      for (const token of split.tokens!) {
        const range = n.originalRange(token.start, token.end);
        encoding.ids.push(token.id);
        encoding.tokens.push(token.value);
        encoding.offsets.push(
          range === undefined
            ? [token.start, token.end]
            : [n.originalShift + range[0], n.originalShift + range[1]],
        );
        encoding.words.push(word);
        encoding.typeIds.push(typeId);
        encoding.specialTokensMask.push(0);
        encoding.attentionMask.push(1);
      }
    });
    return encoding;
  }

  private tokenizeAll(splits: Split[]): Split[] {
    for (const split of splits) split.tokens ??= this.model.tokenize(split.normalized.chars);
    return splits;
  }

  /**
   * `tokenize_with_limit`: from the end that truncation keeps, stops once `maxLength` tokens
   * exist, dropping the splits beyond.
   */
  private tokenizeWithLimit(splits: Split[], limit: TruncationParams): Split[] {
    const right = limit.direction === "right";
    let reached = right ? -1 : splits.length;
    let total = 0;
    for (let k = 0; k < splits.length; k++) {
      const i = right ? k : splits.length - 1 - k;
      const split = splits[i]!;
      reached = i;
      // Splits already tokenized (added tokens) count, but never stop the walk.
      if (split.tokens !== undefined) {
        total += split.tokens.length;
        continue;
      }
      split.tokens = this.model.tokenize(split.normalized.chars);
      total += split.tokens.length;
      if (total >= limit.maxLength) break;
    }
    return right ? splits.slice(0, reached + 1) : splits.slice(reached);
  }

  private publicEncoding(
    encoding: Encoding,
    text: string,
    pair: string | undefined,
    o: Resolved,
  ): HfEncoding {
    const maps = o.utf16
      ? [utf16Offsets(text), pair === undefined ? undefined : utf16Offsets(pair)]
      : undefined;
    const convert = (e: Encoding): HfEncoding => {
      const sequenceIds = e.sequenceIds();
      const offsets = e.offsets.map(([s, end], i): [number, number] => {
        const seq = sequenceIds[i];
        const map = maps === undefined || seq === null || seq === undefined ? undefined : maps[seq];
        return map === undefined ? [s, end] : [map[s] ?? s, map[end] ?? end];
      });
      return {
        ids: [...e.ids],
        tokens: [...e.tokens],
        offsets,
        typeIds: [...e.typeIds],
        attentionMask: [...e.attentionMask],
        specialTokensMask: [...e.specialTokensMask],
        sequenceIds,
        wordIds: [...e.words],
        overflowing: [],
      };
    };
    const out = convert(encoding);
    if (o.returnOverflowing) out.overflowing = encoding.overflowing.map(convert);
    return out;
  }

  // === Decoding ===

  /** The text of `tokens` as the decoder joins them (transformers' `convert_tokens_to_string`). */
  convertTokensToString(tokens: readonly string[]): string {
    if (!Array.isArray(tokens)) {
      throw new TokenizerError(
        "invalid_argument",
        `tokens must be an array of strings, got ${describeValue(tokens)}`,
      );
    }
    tokens.forEach((t, i) => checkText(t, `tokens[${i}]`));
    return this.decoder !== undefined
      ? this.decoder.decodeChain([...tokens]).join("")
      : tokens.join(" ");
  }

  /**
   * The text of token ids (transformers' `decode`): ids the vocabulary lacks are skipped, as in
   * `tokenizers`.
   */
  decode(ids: readonly number[], options: HfDecodeOptions = {}): string {
    const skip = options.skipSpecialTokens ?? false;
    const tokens: string[] = [];
    for (const id of this.checkIds(ids)) {
      const token = this.idToToken(id);
      if (token === undefined || (skip && this.added.isSpecial(token))) continue;
      tokens.push(token);
    }
    const text =
      this.decoder !== undefined ? this.decoder.decodeChain(tokens).join("") : tokens.join(" ");
    return (options.cleanUpTokenizationSpaces ?? this.cleanUpTokenizationSpaces)
      ? cleanUpTokenization(text)
      : text;
  }

  private checkIds(ids: readonly number[]): number[] {
    if (!Array.isArray(ids)) {
      throw new TokenizerError(
        "invalid_argument",
        `ids must be an array of token ids, got ${describeValue(ids)}`,
      );
    }
    return ids.map((id, i) => {
      if (typeof id !== "number" || !Number.isInteger(id) || id < 0) {
        throw new TokenizerError(
          "invalid_id",
          `ids[${i}] must be a non-negative integer, got ${describeValue(id)}`,
        );
      }
      return id;
    });
  }
}

/** transformers' `clean_up_tokenization`. */
function cleanUpTokenization(text: string): string {
  return text
    .replaceAll(" .", ".")
    .replaceAll(" ?", "?")
    .replaceAll(" !", "!")
    .replaceAll(" ,", ",")
    .replaceAll(" ' ", "'")
    .replaceAll(" n't", "n't")
    .replaceAll(" 'm", "'m")
    .replaceAll(" 's", "'s")
    .replaceAll(" 've", "'ve")
    .replaceAll(" 're", "'re");
}

function addedTokenOf(value: unknown, where: string): AddedToken {
  const json = jsonObject(value, where) as JsonObject & AddedTokenJson;
  if (typeof json.content !== "string") {
    throw new TokenizerError(
      "invalid_model",
      `${where}.content must be a string, got ${describeValue(json.content)}`,
    );
  }
  const bool = (key: keyof AddedTokenJson, fallback: boolean): boolean => {
    const v = json[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== "boolean") {
      throw new TokenizerError(
        "invalid_model",
        `${where}.${key} must be a boolean, got ${describeValue(v)}`,
      );
    }
    return v;
  };
  const special = bool("special", false);
  return {
    content: json.content,
    singleWord: bool("single_word", false),
    lstrip: bool("lstrip", false),
    rstrip: bool("rstrip", false),
    normalized: bool("normalized", !special),
    special,
  };
}
