import {
  AlbertTokenizer,
  tokenizerFromPresetFiles,
  type AlbertTokenizerConfig,
  type PresetResolveOptions,
} from "./albert-tokenizer.js";
import { TokenizerError, describeValue } from "./errors.js";
import {
  ALBERT_MASKED_LM_PREPROCESSOR_CLASS,
  dtypePolicyConfig,
  serializeLayer,
  type KerasDTypePolicyConfig,
  type KerasSerializedLayer,
} from "./keras-config.js";
import { MaskedLMMaskGenerator } from "./masking/masked-lm-mask-generator.js";
import {
  MultiSegmentPacker,
  checkSequenceLength,
  checkTruncate,
  type TruncationStrategy,
} from "./multi-segment-packer.js";
import {
  checkName,
  definedOnly,
  fromConfigArgs,
  presetFields,
  type PreprocessorConfigFields,
} from "./preprocessor-config.js";
import {
  checkPadding,
  packTexts,
  type PaddingStrategy,
  type PreprocessorInputs,
} from "./preprocessor-inputs.js";

/** Options of `new AlbertMaskedLMPreprocessor(...)`: KerasHub's arguments in camelCase. */
export interface AlbertMaskedLMPreprocessorOptions {
  /** The tokenizer that turns each segment into ids. */
  tokenizer: AlbertTokenizer;
  /** Rows are truncated to this length, and padded to it (see `padding`). Default 512. */
  sequenceLength?: number;
  /** `round_robin` (default) or `waterfall`, as KerasHub's `MultiSegmentPacker`. */
  truncate?: TruncationStrategy;
  /** Probability that a token (other than `<pad>`, `[CLS]`, `[SEP]`, `[MASK]`) is selected. Default 0.15. */
  maskSelectionRate?: number;
  /** At most this many selected tokens per row; the mask outputs have this length. Default 96. */
  maskSelectionLength?: number;
  /** Probability that a selected token becomes `[MASK]`. Default 0.8. */
  maskTokenRate?: number;
  /** Probability that a selected token becomes a random id; the rest stay. Default 0.1. */
  randomTokenRate?: number;
  /**
   * Seeds the masking: the same seed gives the same masks, call after call, on every run (and
   * the masks of KerasHub's eager path after Python's `random.seed(seed)`). Default: random.
   */
  seed?: number;
  /**
   * `"max_length"` (default, KerasHub's): rows have `sequenceLength` columns; `"longest"`: as
   * long as the longest row of the batch. Not part of KerasHub's config.
   */
  padding?: PaddingStrategy;
  /** KerasHub's layer name. Default `"albert_masked_lm_preprocessor"`. */
  name?: string;
}

/** Options of `AlbertMaskedLMPreprocessor.fromPreset`; unset ones come from the preset. */
export interface AlbertMaskedLMPreprocessorPresetOptions
  extends PresetResolveOptions, Omit<AlbertMaskedLMPreprocessorOptions, "tokenizer" | "name"> {
  /** See `AlbertTokenizerPresetOptions.lowercase`. */
  lowercase?: boolean;
}

/** One batch for `AlbertMaskedLM.fit`: KerasHub's `(x, y, sample_weight)`. */
export interface AlbertMaskedLMPreprocessorOutput {
  x: {
    /** Packed ids with the selected tokens replaced (`[MASK]`, a random id, or unchanged). */
    tokenIds: number[][];
    segmentIds: number[][];
    /** 1 for real tokens, 0 for padding (of the packed rows, before masking). */
    paddingMask: number[][];
    /** `[batch, maskSelectionLength]`: selected positions, ascending, padded with 0. */
    maskPositions: number[][];
  };
  /** The original ids at `maskPositions` (0 for padding). */
  y: number[][];
  /** 1 where `maskPositions` is a real selection, 0 for padding. */
  sampleWeight: number[][];
}

/** KerasHub's `AlbertMaskedLMPreprocessor.get_config()`: `preprocessor.json`'s `config`. */
export interface AlbertMaskedLMPreprocessorConfig {
  name: string;
  trainable: boolean;
  dtype: KerasDTypePolicyConfig | string;
  tokenizer: KerasSerializedLayer<AlbertTokenizerConfig>;
  config_file: string;
  sequence_length: number;
  truncate: TruncationStrategy;
  mask_selection_rate: number;
  mask_selection_length: number;
  mask_token_rate: number;
  random_token_rate: number;
}

/** Config keys that Python holds as floats (written `0.0`, `1.0`). */
const FLOAT_KEYS = ["mask_selection_rate", "mask_token_rate", "random_token_rate"] as const;

/**
 * KerasHub's `AlbertMaskedLMPreprocessor`: packs texts as `AlbertTextClassifierPreprocessor`
 * does, then masks them for masked-language-model training with KerasHub's
 * `MaskedLMMaskGenerator` (BERT's 80/10/10 scheme). `<pad>`, `[CLS]`, `[SEP]` and `[MASK]` are
 * never selected (KerasHub's `tokenizer.special_token_ids`); `<unk>` may be.
 *
 * The result is what `AlbertMaskedLM.fit` trains on: `x` (with `maskPositions`), `y` (the
 * original ids there) and `sampleWeight` (0 on padded mask slots). Masking is random; `seed`
 * makes it repeatable.
 *
 * ```ts
 * import { AlbertMaskedLMPreprocessor, AlbertTokenizer } from "@albert/tokenizer";
 *
 * const tokenizer = await AlbertTokenizer.fromPreset("albert_base_en_uncased");
 * const preprocessor = new AlbertMaskedLMPreprocessor({
 *   tokenizer, sequenceLength: 128, maskSelectionLength: 20, seed: 42,
 * });
 * const { x, y, sampleWeight } = preprocessor.call(["The quick brown fox jumped.", "Call me Ishmael."]);
 * preprocessor.call({ first: ["The fox jumped."], second: ["It landed."] }); // sentence pairs
 * const fromDisk = await AlbertMaskedLMPreprocessor.fromPreset("./my_masked_lm", { seed: 1 });
 * ```
 */
export class AlbertMaskedLMPreprocessor {
  readonly tokenizer: AlbertTokenizer;
  readonly sequenceLength: number;
  readonly truncate: TruncationStrategy;
  readonly maskSelectionRate: number;
  readonly maskSelectionLength: number;
  readonly maskTokenRate: number;
  readonly randomTokenRate: number;
  readonly padding: PaddingStrategy;
  /** KerasHub's layer name (`config.name`). */
  readonly name: string;
  /** The preset file of this preprocessor's config. */
  readonly configFile = "preprocessor.json";
  /** The masker, configured as KerasHub's `build()` does. */
  readonly maskGenerator: MaskedLMMaskGenerator;
  private readonly packer: MultiSegmentPacker;

  constructor(options: AlbertMaskedLMPreprocessorOptions) {
    if (options === null || typeof options !== "object") {
      throw new TokenizerError(
        "invalid_argument",
        `AlbertMaskedLMPreprocessor options must be an object with a tokenizer, got ${describeValue(options)}`,
      );
    }
    const {
      tokenizer,
      sequenceLength = 512,
      truncate = "round_robin",
      maskSelectionRate = 0.15,
      maskSelectionLength = 96,
      maskTokenRate = 0.8,
      randomTokenRate = 0.1,
      seed,
      padding = "max_length",
      name = "albert_masked_lm_preprocessor",
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
    this.maskGenerator = new MaskedLMMaskGenerator({
      vocabularySize: tokenizer.vocabularySize(),
      maskSelectionRate,
      maskSelectionLength,
      maskTokenId: tokenizer.maskTokenId,
      unselectableTokenIds: tokenizer.specialTokenIds,
      maskTokenRate,
      randomTokenRate,
      ...(seed === undefined ? {} : { seed }),
    });
    this.tokenizer = tokenizer;
    this.sequenceLength = sequenceLength;
    this.truncate = truncate;
    this.maskSelectionRate = maskSelectionRate;
    this.maskSelectionLength = maskSelectionLength;
    this.maskTokenRate = maskTokenRate;
    this.randomTokenRate = randomTokenRate;
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

  /** The seed the masking started from, if one was given. */
  get seed(): number | undefined {
    return this.maskGenerator.seed;
  }

  /**
   * The preprocessor of a preset, as KerasHub's `from_preset`: its `preprocessor.json` when that
   * is an `AlbertMaskedLMPreprocessor` (sequence length, truncation and the four masking
   * options), else KerasHub's defaults around the preset's tokenizer. Options override the
   * file. Needs Node.
   */
  static async fromPreset(
    preset: string,
    options: AlbertMaskedLMPreprocessorPresetOptions = {},
  ): Promise<AlbertMaskedLMPreprocessor> {
    const { lowercase, source, revision, onProgress, timeoutMs, retries, ...overrides } = options;
    const { readTokenizerPreset } = await import("./preset-files.js");
    const found = await readTokenizerPreset(
      preset,
      definedOnly({ source, revision, onProgress, timeoutMs, retries }),
    );
    return new AlbertMaskedLMPreprocessor({
      ...maskedLMFields(presetFields(found.preprocessor, ALBERT_MASKED_LM_PREPROCESSOR_CLASS)),
      tokenizer: tokenizerFromPresetFiles(found, lowercase),
      ...definedOnly(overrides),
    });
  }

  /**
   * KerasHub's `from_config`: `config` is `getConfig()`'s output or a whole serialized
   * preprocessor (`preprocessor.json`, or `task.json`'s `config.preprocessor`), with the
   * tokenizer passed in (a config holds no SentencePiece model). `seed` and `padding` are not
   * part of KerasHub's config; pass them here.
   */
  static fromConfig(
    config: unknown,
    options: { tokenizer?: AlbertTokenizer; seed?: number; padding?: PaddingStrategy } = {},
  ): AlbertMaskedLMPreprocessor {
    const { tokenizer, ...fields } = fromConfigArgs(
      config,
      ALBERT_MASKED_LM_PREPROCESSOR_CLASS,
      options,
    );
    return new AlbertMaskedLMPreprocessor({
      ...maskedLMFields(fields),
      tokenizer,
      ...definedOnly({ seed: options.seed, padding: options.padding }),
    });
  }

  /** KerasHub's `get_config()`: exactly what `preprocessor.json` holds under `config`. */
  getConfig(): AlbertMaskedLMPreprocessorConfig {
    return {
      name: this.name,
      trainable: true,
      dtype: dtypePolicyConfig("float32"),
      tokenizer: this.tokenizer.serialize(),
      config_file: this.configFile,
      sequence_length: this.sequenceLength,
      truncate: this.truncate,
      mask_selection_rate: this.maskSelectionRate,
      mask_selection_length: this.maskSelectionLength,
      mask_token_rate: this.maskTokenRate,
      random_token_rate: this.randomTokenRate,
    };
  }

  /** `keras.layers.serialize(preprocessor)`: the whole `preprocessor.json` object. */
  serialize(): KerasSerializedLayer<AlbertMaskedLMPreprocessorConfig> {
    return serializeLayer(ALBERT_MASKED_LM_PREPROCESSOR_CLASS, this.getConfig());
  }

  /**
   * Writes `preprocessor.json` (byte for byte what KerasHub writes), then the tokenizer's files
   * (see `AlbertTokenizer.saveToPreset`). Returns the files written, relative to `dir`. Needs
   * Node.
   */
  async saveToPreset(dir: string): Promise<string[]> {
    const { writePreprocessorFiles } = await import("./preset-files.js");
    return writePreprocessorFiles(dir, this, FLOAT_KEYS);
  }

  /**
   * Packs and masks a batch: `["a", "b"]` (single sentences), `{ first, second }` (sentence
   * pairs) or KerasHub's tuple form `[firstSegments, secondSegments]`; a lone string is a batch
   * of one. Each call draws new masks.
   */
  call(inputs: PreprocessorInputs): AlbertMaskedLMPreprocessorOutput {
    const { tokenIds, segmentIds, paddingMask } = packTexts(
      inputs,
      this.tokenizer,
      this.packer,
      this.padding,
    );
    const masked = this.maskGenerator.call(tokenIds);
    return {
      x: {
        tokenIds: masked.tokenIds,
        segmentIds,
        paddingMask,
        maskPositions: masked.maskPositions,
      },
      y: masked.maskIds,
      sampleWeight: masked.maskWeights,
    };
  }
}

/** The options a KerasHub config sets for this class (every one of `PreprocessorConfigFields`). */
function maskedLMFields(fields: PreprocessorConfigFields): PreprocessorConfigFields {
  const { name, sequenceLength, truncate, ...masking } = fields;
  return definedOnly({ name, sequenceLength, truncate, ...masking });
}
