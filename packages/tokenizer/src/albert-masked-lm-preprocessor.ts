import type { AlbertTokenizer } from "./albert-tokenizer.js";
import { ALBERT_MASKED_LM_PREPROCESSOR_CLASS } from "./keras-config.js";
import { MaskedLMMaskGenerator } from "./masking/masked-lm-mask-generator.js";
import { Preprocessor, type PreprocessorConfig, type PreprocessorOptions } from "./preprocessor.js";
import {
  definedOnly,
  fromConfigArgs,
  presetArgs,
  type PresetOptions,
} from "./preprocessor-config.js";
import type { PaddingStrategy, PreprocessorInputs } from "./preprocessor-inputs.js";

/** Options of `new AlbertMaskedLMPreprocessor(...)`: KerasHub's arguments in camelCase. */
export interface AlbertMaskedLMPreprocessorOptions extends PreprocessorOptions {
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
   * the masks of KerasHub's eager path after Python's `random.seed(seed)`). Not part of KerasHub's
   * config. Default: random.
   */
  seed?: number;
}

/** Options of `AlbertMaskedLMPreprocessor.fromPreset`; unset ones come from the preset. */
export type AlbertMaskedLMPreprocessorPresetOptions = PresetOptions<
  Omit<AlbertMaskedLMPreprocessorOptions, "tokenizer" | "name">
>;

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
export interface AlbertMaskedLMPreprocessorConfig extends PreprocessorConfig {
  mask_selection_rate: number;
  mask_selection_length: number;
  mask_token_rate: number;
  random_token_rate: number;
}

const CLASS = {
  keras: ALBERT_MASKED_LM_PREPROCESSOR_CLASS,
  defaultName: "albert_masked_lm_preprocessor",
  floatKeys: ["mask_selection_rate", "mask_token_rate", "random_token_rate"],
};

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
export class AlbertMaskedLMPreprocessor extends Preprocessor<AlbertMaskedLMPreprocessorConfig> {
  readonly maskSelectionRate: number;
  readonly maskSelectionLength: number;
  readonly maskTokenRate: number;
  readonly randomTokenRate: number;
  /** The masker, configured as KerasHub's `build()` does. */
  readonly maskGenerator: MaskedLMMaskGenerator;

  constructor(options: AlbertMaskedLMPreprocessorOptions) {
    super(options, CLASS);
    const {
      maskSelectionRate = 0.15,
      maskSelectionLength = 96,
      maskTokenRate = 0.8,
      randomTokenRate = 0.1,
      seed,
    } = options;
    this.maskGenerator = new MaskedLMMaskGenerator({
      vocabularySize: this.tokenizer.vocabularySize(),
      maskSelectionRate,
      maskSelectionLength,
      maskTokenId: this.tokenizer.maskTokenId,
      unselectableTokenIds: this.tokenizer.specialTokenIds,
      maskTokenRate,
      randomTokenRate,
      ...(seed === undefined ? {} : { seed }),
    });
    this.maskSelectionRate = maskSelectionRate;
    this.maskSelectionLength = maskSelectionLength;
    this.maskTokenRate = maskTokenRate;
    this.randomTokenRate = randomTokenRate;
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
    return new AlbertMaskedLMPreprocessor(await presetArgs(preset, options, CLASS.keras));
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
    return new AlbertMaskedLMPreprocessor({
      ...fromConfigArgs(config, CLASS.keras, options),
      ...definedOnly({ seed: options.seed, padding: options.padding }),
    });
  }

  getConfig(): AlbertMaskedLMPreprocessorConfig {
    return {
      ...this.baseConfig(),
      mask_selection_rate: this.maskSelectionRate,
      mask_selection_length: this.maskSelectionLength,
      mask_token_rate: this.maskTokenRate,
      random_token_rate: this.randomTokenRate,
    };
  }

  /**
   * Packs and masks a batch: `["a", "b"]` (single sentences), `{ first, second }` (sentence
   * pairs) or KerasHub's tuple form `[firstSegments, secondSegments]`; a lone string is a batch
   * of one. Each call draws new masks.
   */
  call(inputs: PreprocessorInputs): AlbertMaskedLMPreprocessorOutput {
    const { tokenIds, segmentIds, paddingMask } = this.pack(inputs);
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
