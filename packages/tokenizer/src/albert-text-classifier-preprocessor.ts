import {
  AlbertTokenizer,
  tokenizerFromPresetFiles,
  type AlbertTokenizerConfig,
  type PresetResolveOptions,
} from "./albert-tokenizer.js";
import { TokenizerError, describeValue } from "./errors.js";
import {
  ALBERT_TEXT_CLASSIFIER_PREPROCESSOR_CLASS,
  dtypePolicyConfig,
  serializeLayer,
  type KerasDTypePolicyConfig,
  type KerasSerializedLayer,
} from "./keras-config.js";
import {
  MultiSegmentPacker,
  checkSequenceLength,
  checkTruncate,
  type TruncationStrategy,
} from "./multi-segment-packer.js";
import {
  checkPadding,
  packTexts,
  type PackedInputs,
  type PaddingStrategy,
  type PreprocessorInputs,
} from "./preprocessor-inputs.js";
import {
  checkName,
  definedOnly,
  fromConfigArgs,
  presetFields,
  type PreprocessorConfigFields,
} from "./preprocessor-config.js";

/** Options of `new AlbertTextClassifierPreprocessor(...)`. */
export interface AlbertTextClassifierPreprocessorOptions {
  /** The tokenizer that turns each segment into ids. */
  tokenizer: AlbertTokenizer;
  /** Rows are truncated to this length, and padded to it (see `padding`). Default 512. */
  sequenceLength?: number;
  /** `round_robin` (default) or `waterfall`, as KerasHub's `MultiSegmentPacker`. */
  truncate?: TruncationStrategy;
  /**
   * `"max_length"` (default, KerasHub's behaviour): every row has `sequenceLength` columns.
   * `"longest"`: rows are padded only to the longest row of the batch (HF's
   * `padding: "longest"`), which makes short batches much cheaper to run. Not part of KerasHub's
   * config: `getConfig()` and `saveToPreset` leave it out.
   */
  padding?: PaddingStrategy;
  /** KerasHub's layer name. Default `"albert_text_classifier_preprocessor"`. */
  name?: string;
}

/** Options of `AlbertTextClassifierPreprocessor.fromPreset`; unset ones come from the preset. */
export interface AlbertTextClassifierPreprocessorPresetOptions extends PresetResolveOptions {
  /** See `AlbertTokenizerPresetOptions.lowercase`. */
  lowercase?: boolean;
  sequenceLength?: number;
  truncate?: TruncationStrategy;
  padding?: PaddingStrategy;
}

/** What the backbone takes: one row per example. */
export type AlbertTextClassifierPreprocessorOutput = PackedInputs;

/** KerasHub's `AlbertTextClassifierPreprocessor.get_config()`: `preprocessor.json`'s `config`. */
export interface AlbertTextClassifierPreprocessorConfig {
  name: string;
  trainable: boolean;
  dtype: KerasDTypePolicyConfig | string;
  tokenizer: KerasSerializedLayer<AlbertTokenizerConfig>;
  config_file: string;
  sequence_length: number;
  truncate: TruncationStrategy;
}

/**
 * KerasHub's `AlbertTextClassifierPreprocessor` (also exported as `AlbertPreprocessor`, as
 * KerasHub does): tokenizes each segment and packs a row as `[CLS] a [SEP]` or
 * `[CLS] a [SEP] b [SEP]`, truncated to `sequenceLength` and padded with `<pad>`, with segment
 * ids and a padding mask.
 *
 * ```ts
 * import { AlbertTextClassifierPreprocessor, AlbertTokenizer } from "@albert/tokenizer";
 *
 * const tokenizer = await AlbertTokenizer.fromPreset("albert_base_en_uncased");
 * const preprocessor = new AlbertTextClassifierPreprocessor({ tokenizer, sequenceLength: 128 });
 * // A batch of single sentences:
 * const { tokenIds, segmentIds, paddingMask } = preprocessor.call(["The quick brown fox.", "Hi!"]);
 * // A batch of sentence pairs: first[i] goes with second[i].
 * preprocessor.call({ first: ["What is ALBERT?", "Who?"], second: ["A lite BERT.", "Me."] });
 * // Rows only as long as the longest one (HF's padding: "longest"):
 * new AlbertTextClassifierPreprocessor({ tokenizer, padding: "longest" }).call(["Hi!"]);
 * // KerasHub's task preset files:
 * const fromDisk = await AlbertTextClassifierPreprocessor.fromPreset("./my_classifier");
 * await fromDisk.saveToPreset("./copy"); // preprocessor.json, tokenizer.json, vocabulary asset
 * ```
 */
export class AlbertTextClassifierPreprocessor {
  readonly tokenizer: AlbertTokenizer;
  readonly sequenceLength: number;
  readonly truncate: TruncationStrategy;
  readonly padding: PaddingStrategy;
  /** KerasHub's layer name (`config.name`). */
  readonly name: string;
  /** The preset file of this preprocessor's config. */
  readonly configFile = "preprocessor.json";
  private readonly packer: MultiSegmentPacker;

  constructor(options: AlbertTextClassifierPreprocessorOptions) {
    if (options === null || typeof options !== "object") {
      throw new TokenizerError(
        "invalid_argument",
        `AlbertTextClassifierPreprocessor options must be an object with a tokenizer, got ${describeValue(options)}`,
      );
    }
    const {
      tokenizer,
      sequenceLength = 512,
      truncate = "round_robin",
      padding = "max_length",
      name = "albert_text_classifier_preprocessor",
    } = options;
    if (!(tokenizer instanceof AlbertTokenizer)) {
      throw new TokenizerError(
        "invalid_argument",
        `tokenizer must be an AlbertTokenizer, got ${describeValue(tokenizer)}`,
      );
    }
    checkSequenceLength(sequenceLength);
    checkTruncate(truncate);
    checkPadding(padding);
    checkName(name);
    this.tokenizer = tokenizer;
    this.sequenceLength = sequenceLength;
    this.truncate = truncate;
    this.padding = padding;
    this.name = name;
    this.packer = new MultiSegmentPacker({
      sequenceLength,
      startValue: tokenizer.startTokenId,
      endValue: tokenizer.endTokenId,
      padValue: tokenizer.padTokenId,
      truncate,
    });
  }

  /**
   * The preprocessor of a preset, as KerasHub's `from_preset`: its `preprocessor.json` when that
   * is an `AlbertTextClassifierPreprocessor` (`sequence_length`, `truncate`), else KerasHub's
   * defaults (512, round_robin) around the preset's tokenizer (HF folders, backbone-only or
   * masked-LM presets). Options override the file. Needs Node.
   */
  static async fromPreset(
    preset: string,
    options: AlbertTextClassifierPreprocessorPresetOptions = {},
  ): Promise<AlbertTextClassifierPreprocessor> {
    const { lowercase, sequenceLength, truncate, padding, ...resolveOptions } = options;
    const { readTokenizerPreset } = await import("./preset-files.js");
    const found = await readTokenizerPreset(preset, resolveOptions);
    const fields = presetFields(found.preprocessor, ALBERT_TEXT_CLASSIFIER_PREPROCESSOR_CLASS);
    return new AlbertTextClassifierPreprocessor({
      ...classifierFields(fields),
      tokenizer: tokenizerFromPresetFiles(found, lowercase),
      ...definedOnly({ sequenceLength, truncate, padding }),
    });
  }

  /**
   * KerasHub's `from_config`: `config` is `getConfig()`'s output or a whole serialized
   * preprocessor (`preprocessor.json`, or `task.json`'s `config.preprocessor`). Its `tokenizer`
   * entry has no SentencePiece model, so pass the tokenizer (for example `AlbertTokenizer
   * .fromConfig(config.tokenizer, { proto })`, or the one of `fromPreset`).
   */
  static fromConfig(
    config: unknown,
    options: { tokenizer?: AlbertTokenizer; padding?: PaddingStrategy } = {},
  ): AlbertTextClassifierPreprocessor {
    const { tokenizer, ...fields } = fromConfigArgs(
      config,
      ALBERT_TEXT_CLASSIFIER_PREPROCESSOR_CLASS,
      options,
    );
    return new AlbertTextClassifierPreprocessor({
      ...classifierFields(fields),
      tokenizer,
      ...definedOnly({ padding: options.padding }),
    });
  }

  /** KerasHub's `get_config()`: exactly what `preprocessor.json` holds under `config`. */
  getConfig(): AlbertTextClassifierPreprocessorConfig {
    return {
      name: this.name,
      trainable: true,
      dtype: dtypePolicyConfig("float32"),
      tokenizer: this.tokenizer.serialize(),
      config_file: this.configFile,
      sequence_length: this.sequenceLength,
      truncate: this.truncate,
    };
  }

  /** `keras.layers.serialize(preprocessor)`: the whole `preprocessor.json` object. */
  serialize(): KerasSerializedLayer<AlbertTextClassifierPreprocessorConfig> {
    return serializeLayer(ALBERT_TEXT_CLASSIFIER_PREPROCESSOR_CLASS, this.getConfig());
  }

  /**
   * Writes `preprocessor.json` (byte for byte what KerasHub writes), then the tokenizer's
   * `tokenizer.json` and `assets/tokenizer/vocabulary.spm` (see `AlbertTokenizer.saveToPreset`).
   * Returns the files written, relative to `dir`. Needs Node.
   */
  async saveToPreset(dir: string): Promise<string[]> {
    const { writePreprocessorFiles } = await import("./preset-files.js");
    return writePreprocessorFiles(dir, this, []);
  }

  /**
   * Preprocesses a batch: `["a", "b"]` is two single sentences; `{ first, second }` is sentence
   * pairs; `[firstSegments, secondSegments]` is KerasHub's tuple form of the same pairs (see
   * `PreprocessorInputs`). A lone string is a batch of one.
   */
  call(inputs: PreprocessorInputs): AlbertTextClassifierPreprocessorOutput {
    return packTexts(inputs, this.tokenizer, this.packer, this.padding);
  }
}

/** KerasHub's alias of `AlbertTextClassifierPreprocessor` (the same class). */
export const AlbertPreprocessor = AlbertTextClassifierPreprocessor;
/** The instance type of `AlbertPreprocessor`. */
export type AlbertPreprocessor = AlbertTextClassifierPreprocessor;
export type AlbertPreprocessorOptions = AlbertTextClassifierPreprocessorOptions;
export type AlbertPreprocessorPresetOptions = AlbertTextClassifierPreprocessorPresetOptions;
export type AlbertPreprocessorOutput = AlbertTextClassifierPreprocessorOutput;

function classifierFields({ name, sequenceLength, truncate }: PreprocessorConfigFields) {
  return definedOnly({ name, sequenceLength, truncate });
}
