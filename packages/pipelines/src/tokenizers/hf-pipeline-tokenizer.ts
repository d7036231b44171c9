import { AlbertConfigError } from "@albert/core";
import type { HfEncoding, HfTokenizer } from "@albert/tokenizer";
import type {
  OffsetUnit,
  PipelineChunkOptions,
  PipelineEncodeOptions,
  PipelineEncoding,
  PipelineTokenizer,
} from "./pipeline-tokenizer.js";

function fields(e: HfEncoding): PipelineEncoding {
  return {
    ids: e.ids,
    typeIds: e.typeIds,
    offsets: e.offsets,
    specialTokensMask: e.specialTokensMask,
    sequenceIds: e.sequenceIds,
    wordIds: e.wordIds,
  };
}

function chunks(e: HfEncoding): PipelineEncoding[] {
  return [e, ...e.overflowing].map(fields);
}

/**
 * An HF checkpoint's `tokenizer.json` (`HfTokenizer`) for the pipelines: exactly transformers'
 * ids, offsets, words and decoding.
 */
export class HfPipelineTokenizer implements PipelineTokenizer {
  readonly kind = "hf";
  readonly clsTokenId: number;
  readonly sepTokenId: number;
  readonly padTokenId: number;
  readonly unkTokenId: number | undefined;
  readonly maskTokenId: number | undefined;
  readonly maskToken: string | undefined;
  readonly passesSegmentIds: boolean;
  readonly maxLength: number;

  /**
   * @param modelMaxLength the model's position table: inputs are cut to the smaller of it and
   *   the tokenizer's `model_max_length`.
   */
  constructor(
    readonly hf: HfTokenizer,
    modelMaxLength: number,
    options: { passesSegmentIds?: boolean } = {},
  ) {
    const { cls, sep, pad, unk, mask } = hf.specialTokens;
    if (cls === undefined || sep === undefined || pad === undefined) {
      throw new AlbertConfigError(
        "invalid_config",
        `the tokenizer has no ${[cls ? "" : "[CLS]", sep ? "" : "[SEP]", pad ? "" : "pad"].filter(Boolean).join(", ")} token; ALBERT's inputs need [CLS], [SEP] and padding`,
        "tokenizer",
      );
    }
    this.clsTokenId = cls.id;
    this.sepTokenId = sep.id;
    this.padTokenId = pad.id;
    this.unkTokenId = unk?.id;
    this.maskTokenId = mask?.id;
    this.maskToken = mask?.token;
    this.passesSegmentIds = options.passesSegmentIds ?? false;
    this.maxLength = Math.min(hf.modelMaxLength ?? modelMaxLength, modelMaxLength);
  }

  encode(text: string, options: PipelineEncodeOptions = {}): PipelineEncoding {
    const e = this.hf.encode(text, {
      ...(options.textPair !== undefined ? { textPair: options.textPair } : {}),
      truncation: true,
      maxLength: options.maxLength ?? this.maxLength,
      offsetUnit: options.offsetUnit ?? "codePoint",
      // Only to tell whether anything was cut (the chunks are not used).
      returnOverflowingTokens: true,
    });
    return { ...fields(e), truncated: e.overflowing.length > 0 };
  }

  encodeChunks(text: string, options: { maxLength: number; stride: number; offsetUnit?: OffsetUnit }): PipelineEncoding[] {
    return chunks(
      this.hf.encode(text, {
        truncation: true,
        maxLength: options.maxLength,
        stride: options.stride,
        returnOverflowingTokens: true,
        offsetUnit: options.offsetUnit ?? "codePoint",
        // The chunks cover the whole text, as with tokenizers 0.22 (0.23.1 stops early,
        // huggingface/tokenizers#2091, which defeats `stride`).
        earlyTruncationExit: false,
      }),
    );
  }

  encodePairChunks(question: string, context: string, options: PipelineChunkOptions): PipelineEncoding[] {
    return chunks(
      this.hf.encode(question, {
        textPair: context,
        truncation: "only_second",
        maxLength: options.maxLength,
        stride: options.stride,
        returnOverflowingTokens: true,
        offsetUnit: options.offsetUnit ?? "codePoint",
        earlyTruncationExit: options.earlyTruncationExit ?? false,
      }),
    );
  }

  decode(ids: readonly number[], options: { skipSpecialTokens?: boolean } = {}): string {
    return this.hf.decode([...ids], { skipSpecialTokens: options.skipSpecialTokens ?? false });
  }

  convertIdsToTokens(ids: readonly number[]): string[] {
    return this.hf.convertIdsToTokens(ids);
  }

  convertTokensToString(tokens: readonly string[]): string {
    return this.hf.convertTokensToString([...tokens]);
  }

  tokenToId(token: string): number | undefined {
    return this.hf.tokenToId(token);
  }
}
