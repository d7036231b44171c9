import type { AlbertTokenizer } from "./albert-tokenizer.js";
import { ALBERT_TEXT_CLASSIFIER_PREPROCESSOR_CLASS } from "./keras-config.js";
import type { TruncationStrategy } from "./multi-segment-packer.js";
import { Preprocessor, type PreprocessorConfig, type PreprocessorOptions } from "./preprocessor.js";
import {
  definedOnly,
  fromConfigArgs,
  presetArgs,
  type PresetOptions,
  type PreprocessorConfigFields,
} from "./preprocessor-config.js";
import type { PackedInputs, PaddingStrategy, PreprocessorInputs } from "./preprocessor-inputs.js";

/** Options of `new AlbertTextClassifierPreprocessor(...)`. */
export type AlbertTextClassifierPreprocessorOptions = PreprocessorOptions;

/** Options of `AlbertTextClassifierPreprocessor.fromPreset`; unset ones come from the preset. */
export type AlbertTextClassifierPreprocessorPresetOptions = PresetOptions<{
  sequenceLength?: number;
  truncate?: TruncationStrategy;
  padding?: PaddingStrategy;
}>;

/** What the backbone takes: one row per example. */
export type AlbertTextClassifierPreprocessorOutput = PackedInputs;

/** KerasHub's `AlbertTextClassifierPreprocessor.get_config()`: `preprocessor.json`'s `config`. */
export type AlbertTextClassifierPreprocessorConfig = PreprocessorConfig;

const CLASS = {
  keras: ALBERT_TEXT_CLASSIFIER_PREPROCESSOR_CLASS,
  defaultName: "albert_text_classifier_preprocessor",
  floatKeys: [],
};

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
export class AlbertTextClassifierPreprocessor extends Preprocessor<AlbertTextClassifierPreprocessorConfig> {
  constructor(options: AlbertTextClassifierPreprocessorOptions) {
    super(options, CLASS);
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
    const args = await presetArgs(preset, options, CLASS.keras);
    return new AlbertTextClassifierPreprocessor({
      ...classifierFields(args),
      tokenizer: args.tokenizer,
      ...definedOnly({ padding: args.padding }),
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
    const { tokenizer, ...fields } = fromConfigArgs(config, CLASS.keras, options);
    return new AlbertTextClassifierPreprocessor({
      ...classifierFields(fields),
      tokenizer,
      ...definedOnly({ padding: options.padding }),
    });
  }

  getConfig(): AlbertTextClassifierPreprocessorConfig {
    return this.baseConfig();
  }

  /**
   * Preprocesses a batch: `["a", "b"]` is two single sentences; `{ first, second }` is sentence
   * pairs; `[firstSegments, secondSegments]` is KerasHub's tuple form of the same pairs (see
   * `PreprocessorInputs`). A lone string is a batch of one.
   */
  call(inputs: PreprocessorInputs): AlbertTextClassifierPreprocessorOutput {
    return this.pack(inputs);
  }
}

/** KerasHub's alias of `AlbertTextClassifierPreprocessor` (the same class). */
export const AlbertPreprocessor = AlbertTextClassifierPreprocessor;
/** The instance type of `AlbertPreprocessor`. */
export type AlbertPreprocessor = AlbertTextClassifierPreprocessor;
export type AlbertPreprocessorOptions = AlbertTextClassifierPreprocessorOptions;
export type AlbertPreprocessorPresetOptions = AlbertTextClassifierPreprocessorPresetOptions;
export type AlbertPreprocessorOutput = AlbertTextClassifierPreprocessorOutput;

/** The options a KerasHub config sets for this class. */
function classifierFields({ name, sequenceLength, truncate }: PreprocessorConfigFields) {
  return definedOnly({ name, sequenceLength, truncate });
}
