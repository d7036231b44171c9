import { AlbertTokenizer, type AlbertTokenizerConfig } from "./albert-tokenizer.js";
import { TokenizerError, describeValue } from "./errors.js";
import {
  dtypePolicyConfig,
  serializeLayer,
  type KerasClass,
  type KerasDTypePolicyConfig,
  type KerasSerializedLayer,
} from "./keras-config.js";
import {
  MultiSegmentPacker,
  checkSequenceLength,
  checkTruncate,
  type TruncationStrategy,
} from "./multi-segment-packer.js";
import { checkName } from "./preprocessor-config.js";
import {
  checkPadding,
  packTexts,
  type PackedInputs,
  type PaddingStrategy,
  type PreprocessorInputs,
} from "./preprocessor-inputs.js";

/** The options every ALBERT preprocessor takes. */
export interface PreprocessorOptions {
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
  /** KerasHub's layer name. Default: KerasHub's for the class. */
  name?: string;
}

/** The `get_config()` keys KerasHub's `Preprocessor` and its packing give every subclass. */
export interface PreprocessorConfig {
  name: string;
  trainable: boolean;
  dtype: KerasDTypePolicyConfig | string;
  tokenizer: KerasSerializedLayer<AlbertTokenizerConfig>;
  config_file: string;
  sequence_length: number;
  truncate: TruncationStrategy;
}

/** Which KerasHub class a subclass is, and how its config is written. */
export interface PreprocessorClass {
  keras: KerasClass;
  /** KerasHub's default layer name. */
  defaultName: string;
  /** Config keys Python holds as floats (written `0.0`, `1.0`). */
  floatKeys: readonly string[];
}

/**
 * What KerasHub's `Preprocessor` and the packing of its text subclasses give both ALBERT
 * preprocessors: the tokenizer, `sequenceLength`/`truncate` packing with `[CLS]`/`[SEP]`/`<pad>`,
 * the shared config keys, `serialize()` and `saveToPreset`. Subclasses add what they do with the
 * packed rows.
 */
export abstract class Preprocessor<Config extends PreprocessorConfig = PreprocessorConfig> {
  readonly tokenizer: AlbertTokenizer;
  readonly sequenceLength: number;
  readonly truncate: TruncationStrategy;
  readonly padding: PaddingStrategy;
  /** KerasHub's layer name (`config.name`). */
  readonly name: string;
  /** The preset file of this preprocessor's config. */
  readonly configFile = "preprocessor.json";
  private readonly packer: MultiSegmentPacker;
  private readonly kerasClass: PreprocessorClass;

  protected constructor(options: PreprocessorOptions, kerasClass: PreprocessorClass) {
    if (options === null || typeof options !== "object") {
      throw new TokenizerError(
        "invalid_argument",
        `${kerasClass.keras.className} options must be an object with a tokenizer, got ${describeValue(options)}`,
      );
    }
    const {
      tokenizer,
      sequenceLength = 512,
      truncate = "round_robin",
      padding = "max_length",
      name = kerasClass.defaultName,
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
    this.kerasClass = kerasClass;
    this.packer = new MultiSegmentPacker({
      sequenceLength,
      startValue: tokenizer.startTokenId,
      endValue: tokenizer.endTokenId,
      padValue: tokenizer.padTokenId,
      truncate,
    });
  }

  /** KerasHub's `get_config()`: exactly what `preprocessor.json` holds under `config`. */
  abstract getConfig(): Config;

  /** `keras.layers.serialize(preprocessor)`: the whole `preprocessor.json` object. */
  serialize(): KerasSerializedLayer<Config> {
    return serializeLayer(this.kerasClass.keras, this.getConfig());
  }

  /**
   * Writes `preprocessor.json` (byte for byte what KerasHub writes), then the tokenizer's
   * `tokenizer.json` and `assets/tokenizer/vocabulary.spm` (see `AlbertTokenizer.saveToPreset`).
   * Creates the folder; returns the files written, relative to it. Needs Node.
   */
  async saveToPreset(dir: string): Promise<string[]> {
    const { writePreprocessorFiles } = await import("./preset-files.js");
    return writePreprocessorFiles(dir, this, this.kerasClass.floatKeys);
  }

  /** The config keys every subclass shares. */
  protected baseConfig(): PreprocessorConfig {
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

  /** Tokenizes and packs a batch (see `PreprocessorInputs`). */
  protected pack(inputs: PreprocessorInputs): PackedInputs {
    return packTexts(inputs, this.tokenizer, this.packer, this.padding);
  }
}
