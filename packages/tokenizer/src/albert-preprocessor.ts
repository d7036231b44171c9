import { AlbertTokenizer, type PresetResolveOptions } from "./albert-tokenizer.js";
import { TokenizerError, describeValue } from "./errors.js";
import {
  MultiSegmentPacker,
  checkSequenceLength,
  checkTruncate,
  type TruncationStrategy,
} from "./multi-segment-packer.js";

/** Options of `new AlbertPreprocessor(...)`. */
export interface AlbertPreprocessorOptions {
  /** The tokenizer that turns each segment into ids. */
  tokenizer: AlbertTokenizer;
  /** Length of every output row: longer inputs are truncated, shorter ones padded. Default 512. */
  sequenceLength?: number;
  /** `round_robin` (default) or `waterfall`, as KerasHub's `MultiSegmentPacker`. */
  truncate?: TruncationStrategy;
}

/** Options of `AlbertPreprocessor.fromPreset`; unset ones come from the preset's `preprocessor.json`. */
export interface AlbertPreprocessorPresetOptions extends PresetResolveOptions {
  /** See `AlbertTokenizerPresetOptions.lowercase`. */
  lowercase?: boolean;
  sequenceLength?: number;
  truncate?: TruncationStrategy;
}

/** What the backbone takes: one row per example, `sequenceLength` columns each. */
export interface AlbertPreprocessorOutput {
  tokenIds: number[][];
  /** 0 for `[CLS]`, the first segment and its `[SEP]`; 1 for the second segment and its `[SEP]`. */
  segmentIds: number[][];
  /** 1 for real tokens, 0 for padding (`tokenIds != padTokenId`). */
  paddingMask: number[][];
}

/**
 * KerasHub's `AlbertTextClassifierPreprocessor`: tokenizes each segment and packs a row as
 * `[CLS] a [SEP]` or `[CLS] a [SEP] b [SEP]`, truncated to `sequenceLength` and padded with
 * `<pad>`, with segment ids and a padding mask.
 *
 * ```ts
 * import { AlbertPreprocessor, AlbertTokenizer } from "@albert/tokenizer";
 *
 * const tokenizer = await AlbertTokenizer.fromPreset("./albert_base_en_uncased");
 * const preprocessor = new AlbertPreprocessor({ tokenizer, sequenceLength: 128 });
 * // A batch of single sentences:
 * const { tokenIds, segmentIds, paddingMask } = preprocessor.call(["The quick brown fox.", "Hi!"]);
 * // A batch of sentence pairs: all first segments, then all second segments.
 * preprocessor.call([["What is ALBERT?", "Who?"], ["A lite BERT.", "Me."]]);
 * ```
 */
export class AlbertPreprocessor {
  readonly tokenizer: AlbertTokenizer;
  readonly sequenceLength: number;
  readonly truncate: TruncationStrategy;
  private readonly packer: MultiSegmentPacker;

  constructor(options: AlbertPreprocessorOptions) {
    if (options === null || typeof options !== "object") {
      throw new TokenizerError(
        "invalid_argument",
        `AlbertPreprocessor options must be an object with a tokenizer, got ${describeValue(options)}`,
      );
    }
    const { tokenizer, sequenceLength = 512, truncate = "round_robin" } = options;
    if (!(tokenizer instanceof AlbertTokenizer)) {
      throw new TokenizerError(
        "invalid_argument",
        `tokenizer must be an AlbertTokenizer, got ${describeValue(tokenizer)}`,
      );
    }
    checkSequenceLength(sequenceLength);
    checkTruncate(truncate);
    this.tokenizer = tokenizer;
    this.sequenceLength = sequenceLength;
    this.truncate = truncate;
    this.packer = new MultiSegmentPacker({
      sequenceLength,
      startValue: tokenizer.startTokenId,
      endValue: tokenizer.endTokenId,
      padValue: tokenizer.padTokenId,
      truncate,
    });
  }

  /**
   * The tokenizer and `sequence_length`/`truncate` of a preset (its `preprocessor.json`; 512 and
   * round_robin where it has none, as for HF repositories). Needs Node.
   */
  static async fromPreset(
    preset: string,
    options: AlbertPreprocessorPresetOptions = {},
  ): Promise<AlbertPreprocessor> {
    const { lowercase, sequenceLength, truncate, ...resolveOptions } = options;
    const { readTokenizerPreset } = await import("./preset-files.js");
    const found = await readTokenizerPreset(preset, resolveOptions);
    const tokenizer = new AlbertTokenizer({
      proto: found.proto,
      lowercase: lowercase ?? found.lowercase,
    });
    return new AlbertPreprocessor({
      tokenizer,
      sequenceLength: sequenceLength ?? found.sequenceLength ?? 512,
      truncate: truncate ?? (found.truncate as TruncationStrategy | undefined) ?? "round_robin",
    });
  }

  /**
   * Preprocesses a batch: `["a", "b"]` is two single sentences; `[["q1", "q2"], ["c1", "c2"]]`
   * is two pairs (`q1`+`c1`, `q2`+`c2`): a list of segments, each a batch of the same size
   * (more than two segments work too). A lone string is a batch of one.
   */
  call(
    inputs: string | readonly string[] | readonly (readonly string[])[],
  ): AlbertPreprocessorOutput {
    const segments = toSegments(inputs);
    const tokenized = segments.map((segment, s) =>
      segment.map((text, b) => {
        if (typeof text !== "string") {
          throw new TokenizerError(
            "invalid_argument",
            `inputs${segments.length > 1 ? `[${s}]` : ""}[${b}] must be a string, got ${describeValue(text)}`,
          );
        }
        return this.tokenizer.tokenize(text);
      }),
    );
    const { tokenIds, segmentIds } = this.packer.pack(tokenized);
    const pad = this.tokenizer.padTokenId;
    const paddingMask = tokenIds.map((row) => row.map((id) => (id !== pad ? 1 : 0)));
    return { tokenIds, segmentIds, paddingMask };
  }
}

function toSegments(inputs: unknown): unknown[][] {
  if (typeof inputs === "string") return [[inputs]];
  if (!Array.isArray(inputs)) {
    throw new TokenizerError(
      "invalid_argument",
      `inputs must be a string, an array of strings, or an array of segments (arrays of strings), got ${describeValue(inputs)}`,
    );
  }
  if (inputs.length === 0 || !Array.isArray(inputs[0])) return [inputs];
  const segments = inputs as unknown[];
  const batch = (segments[0] as unknown[]).length;
  segments.forEach((segment, s) => {
    if (!Array.isArray(segment) || segment.length !== batch) {
      throw new TokenizerError(
        "invalid_argument",
        `inputs[${s}] must be an array of ${batch} strings like inputs[0] (one segment of every pair), got ${describeValue(segment)}`,
      );
    }
  });
  return segments as unknown[][];
}
