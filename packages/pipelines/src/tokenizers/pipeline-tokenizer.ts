/**
 * One encoded text or pair, with the fields of a `tokenizers` encoding that the pipelines read.
 * Offsets are `[start, end)` into the input text (code points, as transformers reports them,
 * or UTF-16 units with `offsetUnit: "utf16"`), `[0, 0]` for special tokens.
 */
export interface PipelineEncoding {
  ids: number[];
  /** Segment ids (`token_type_ids`): 0 up to and including the first `[SEP]`, then 1. */
  typeIds: number[];
  offsets: Array<[number, number]>;
  /** 1 for `[CLS]`, `[SEP]` (and padding). */
  specialTokensMask: number[];
  /** 0 or 1 for the text or its pair, null for special tokens (`sequence_ids()`). */
  sequenceIds: Array<number | null>;
  /** The word of each token, counted per sequence (`word_ids()`); null for special tokens. */
  wordIds: Array<number | null>;
  /** `encode` only: whether tokens were cut to fit `maxLength`. */
  truncated?: boolean;
}

/** Where offsets point: code points (Python's string indices) or UTF-16 units (`text.slice`). */
export type OffsetUnit = "codePoint" | "utf16";

/** How `encode` truncates: to `maxLength` tokens, keeping `stride` tokens of overlap in the
 * overflowing chunks (`chunks`: every chunk, not only the first). */
export interface PipelineEncodeOptions {
  textPair?: string;
  /** Cut to `maxLength` (the longest segment first for pairs, as transformers' `longest_first`;
   * KerasHub presets: the preprocessor's `truncate`). */
  maxLength?: number;
  offsetUnit?: OffsetUnit;
}

/** `only_second` chunking of a (question, context) pair, as transformers' QA pipeline asks. */
export interface PipelineChunkOptions {
  maxLength: number;
  stride: number;
  offsetUnit?: OffsetUnit;
  /** See `@albert/tokenizer`'s `HfEncodeOptions.earlyTruncationExit` (default false: chunks cover
   * the whole context, as transformers v4's pipeline did with tokenizers 0.22). */
  earlyTruncationExit?: boolean;
}

/**
 * What the pipelines need of a tokenizer, for both kinds of preset: HF checkpoints tokenize with
 * their `tokenizer.json` exactly as transformers (`HfPipelineTokenizer`), KerasHub presets with
 * their SentencePiece model and preprocessor settings (`KerasPipelineTokenizer`).
 */
export interface PipelineTokenizer {
  /** `"hf"`: transformers' tokenizer; `"keras"`: KerasHub's. */
  readonly kind: "hf" | "keras";
  readonly clsTokenId: number;
  readonly sepTokenId: number;
  readonly padTokenId: number;
  readonly unkTokenId: number | undefined;
  /** `[MASK]`, when the tokenizer has one. */
  readonly maskTokenId: number | undefined;
  readonly maskToken: string | undefined;
  /**
   * Whether the model gets the segment ids of pairs. transformers' ALBERT tokenizer (v5) has
   * `model_input_names` `["input_ids", "attention_mask"]`, so its pipelines run pairs with all-zero
   * `token_type_ids`; KerasHub's preprocessor passes them.
   */
  readonly passesSegmentIds: boolean;
  /** The longest input the tokenizer and model take (`model_max_length`, at most the model's
   * position table). */
  readonly maxLength: number;
  /** One text, or with `textPair` a pair, with `[CLS]`/`[SEP]`, truncated to `maxLength`. */
  encode(text: string, options?: PipelineEncodeOptions): PipelineEncoding;
  /** A single text cut into chunks of `maxLength` with `stride` tokens of overlap. */
  encodeChunks(text: string, options: { maxLength: number; stride: number; offsetUnit?: OffsetUnit }): PipelineEncoding[];
  /** (question, context) cut into chunks along the context (`only_second`, overflow, stride). */
  encodePairChunks(question: string, context: string, options: PipelineChunkOptions): PipelineEncoding[];
  decode(ids: readonly number[], options?: { skipSpecialTokens?: boolean }): string;
  convertIdsToTokens(ids: readonly number[]): string[];
  convertTokensToString(tokens: readonly string[]): string;
  /** The id of a vocabulary entry, or undefined. */
  tokenToId(token: string): number | undefined;
}
