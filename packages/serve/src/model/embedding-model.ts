import { AlbertBackbone, l2Normalize, poolOutputs, tf, type DTypeArgument, type Pooling } from "@albert/core";
import { AlbertPreprocessor, MultiSegmentPacker, type AlbertTokenizer } from "@albert/tokenizer";
import { ServeError } from "../errors.js";

/** A text as the model will see it: its ids without `[CLS]`/`[SEP]`, cut to fit. */
export interface TokenizedText {
  /** Token ids of the text, at most `sequenceLength - 2` of them. */
  ids: number[];
  /** Tokens before cutting (without `[CLS]` and `[SEP]`). */
  fullLength: number;
  truncated: boolean;
}

/** What a batch gives: one vector per row, as pooled, and scaled to unit length. */
export interface BatchEmbeddings {
  pooled: Float32Array[];
  normalized: Float32Array[];
}

export interface EmbeddingModelOptions {
  /** How token vectors become one vector per text (default `"mean"`; see `@albert/core`). */
  pooling?: Pooling;
  /** Whether `dispose()` also disposes the backbone (default true). */
  ownsBackbone?: boolean;
}

export interface EmbeddingModelPresetOptions extends EmbeddingModelOptions {
  /** Tokens per text, `[CLS]` and `[SEP]` included (default: the preset's preprocessor, at
   * most the model's `max_sequence_length`). */
  sequenceLength?: number;
  lowercase?: boolean;
  dtype?: DTypeArgument;
}

/**
 * A backbone and its preprocessor's tokenizer, packaged for embedding: texts are tokenized
 * once (so batchers can weigh them by length before any model call), and each batch is packed
 * by KerasHub's `MultiSegmentPacker` to its own longest row, so short texts cost little.
 * Padded positions are masked out of attention and pooling, so a text's vector does not depend
 * on what it is batched with (up to float rounding).
 *
 * @example
 * ```ts
 * import { EmbeddingModel } from "@albert/serve";
 *
 * const model = await EmbeddingModel.fromPreset("albert_base_en_uncased");
 * const rows = ["The quick brown fox.", "A lite BERT."].map((t) => model.tokenize(t).ids);
 * const { normalized } = model.embed(rows); // two unit vectors of model.hiddenDim
 * model.dispose();
 * ```
 */
export class EmbeddingModel {
  readonly backbone: AlbertBackbone;
  readonly tokenizer: AlbertTokenizer;
  /** Tokens per row at most, `[CLS]` and `[SEP]` included. */
  readonly sequenceLength: number;
  readonly pooling: Pooling;
  private readonly ownsBackbone: boolean;

  constructor(backbone: AlbertBackbone, preprocessor: AlbertPreprocessor, options: EmbeddingModelOptions = {}) {
    const sequenceLength = Math.min(preprocessor.sequenceLength, backbone.maxSequenceLength);
    if (preprocessor.tokenizer.vocabularySize() > backbone.vocabularySize) {
      throw new ServeError(
        "invalid_argument",
        `preprocessor: its tokenizer has ${preprocessor.tokenizer.vocabularySize()} pieces but the backbone's vocabularySize is ${backbone.vocabularySize}; use the tokenizer of the model's own preset`,
      );
    }
    this.backbone = backbone;
    this.tokenizer = preprocessor.tokenizer;
    this.sequenceLength = sequenceLength;
    this.pooling = options.pooling ?? "mean";
    this.ownsBackbone = options.ownsBackbone ?? true;
  }

  /** Loads a backbone and its preprocessor from one preset (a folder, a built-in name, hf://, kaggle://). */
  static async fromPreset(preset: string, options: EmbeddingModelPresetOptions = {}): Promise<EmbeddingModel> {
    const backbone = await AlbertBackbone.fromPreset(preset, options.dtype === undefined ? {} : { dtype: options.dtype });
    try {
      const preprocessor = await AlbertPreprocessor.fromPreset(preset, {
        ...(options.lowercase === undefined ? {} : { lowercase: options.lowercase }),
        ...(options.sequenceLength === undefined ? {} : { sequenceLength: options.sequenceLength }),
      });
      return new EmbeddingModel(backbone, preprocessor, options);
    } catch (error) {
      backbone.dispose();
      throw error;
    }
  }

  /** Width of every vector. */
  get hiddenDim(): number {
    return this.backbone.hiddenDim;
  }

  /** The ids of `text`, cut to `sequenceLength - 2` tokens (room for `[CLS]` and `[SEP]`). */
  tokenize(text: string): TokenizedText {
    const ids = this.tokenizer.tokenize(text);
    const room = this.sequenceLength - 2;
    return ids.length > room
      ? { ids: ids.slice(0, room), fullLength: ids.length, truncated: true }
      : { ids, fullLength: ids.length, truncated: false };
  }

  /**
   * Runs one batch of tokenized rows (ids from `tokenize`) through the backbone, padded to the
   * batch's longest row, and returns each row's pooled vector, raw and unit-length.
   */
  embed(rows: readonly (readonly number[])[]): BatchEmbeddings {
    if (rows.length === 0) return { pooled: [], normalized: [] };
    const width = Math.max(...rows.map((r) => r.length)) + 2;
    if (width > this.sequenceLength) {
      throw new ServeError("invalid_argument", `rows: a row has ${width - 2} ids; at most ${this.sequenceLength - 2} fit (use tokenize())`);
    }
    const packer = new MultiSegmentPacker({
      sequenceLength: width,
      startValue: this.tokenizer.clsTokenId,
      endValue: this.tokenizer.sepTokenId,
      padValue: this.tokenizer.padTokenId,
    });
    const { tokenIds, segmentIds } = packer.pack([rows.map((r) => [...r])]);
    const paddingMask = rows.map((r) => Array.from({ length: width }, (_, t) => (t < r.length + 2 ? 1 : 0)));
    const outputs = this.backbone.predict({ tokenIds, segmentIds, paddingMask });
    try {
      const [pooled, normalized] = tf.tidy(() => {
        const p = poolOutputs(outputs, paddingMask, { pooling: this.pooling });
        return [p, l2Normalize(p)];
      });
      try {
        return { pooled: splitRows(pooled.dataSync() as Float32Array, rows.length), normalized: splitRows(normalized.dataSync() as Float32Array, rows.length) };
      } finally {
        tf.dispose([pooled, normalized]);
      }
    } finally {
      tf.dispose([outputs.sequenceOutput, outputs.pooledOutput]);
    }
  }

  dispose(): void {
    if (this.ownsBackbone) this.backbone.dispose();
  }
}

function splitRows(flat: Float32Array, rows: number): Float32Array[] {
  const width = flat.length / rows;
  return Array.from({ length: rows }, (_, r) => flat.slice(r * width, (r + 1) * width));
}
