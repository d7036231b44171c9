import { AlbertPreprocessor } from "@albert/tokenizer";
import { CliError, UsageError } from "./errors.js";
import { handleNamesUncased } from "./preset-options.js";

/** What the preprocessor must fit: the model's position table and vocabulary. */
export interface PreprocessorTarget {
  maxSequenceLength: number;
  vocabularySize: number;
}

export interface PresetPreprocessorOptions {
  /** The handle the user typed (the built-in `*_uncased` names lowercase by default). */
  preset: string;
  lowercase?: boolean;
  sequenceLength?: number;
  padding?: "max_length" | "longest";
}

/**
 * The preset's `AlbertTextClassifierPreprocessor` for a model loaded from the same folder, as
 * every command that reads text builds it: the casing the preset records (or the handle's
 * `*_uncased` name), the preset's sequence length unless `--sequence-length` is given, at most
 * the model's `max_sequence_length`, and a tokenizer whose ids the model's vocabulary holds.
 */
export async function presetPreprocessor(
  dir: string,
  options: PresetPreprocessorOptions,
  model: PreprocessorTarget,
): Promise<AlbertPreprocessor> {
  const maxLength = model.maxSequenceLength;
  if (options.sequenceLength !== undefined && options.sequenceLength > maxLength) {
    throw new UsageError(
      `--sequence-length ${options.sequenceLength} is longer than the model's max_sequence_length ${maxLength}`,
      `Use --sequence-length ${maxLength} or less.`,
    );
  }
  const lowercase = options.lowercase ?? (handleNamesUncased(options.preset) ? true : undefined);
  const fromPreset = await AlbertPreprocessor.fromPreset(dir, {
    ...(lowercase === undefined ? {} : { lowercase }),
    ...(options.sequenceLength === undefined ? {} : { sequenceLength: options.sequenceLength }),
    ...(options.padding === undefined ? {} : { padding: options.padding }),
  });
  // A preset's preprocessor (or the 512 default for HF folders) can be longer than a small
  // model's position table; such a model cannot take more, so the length is capped.
  const preprocessor =
    fromPreset.sequenceLength > maxLength
      ? new AlbertPreprocessor({
          tokenizer: fromPreset.tokenizer,
          sequenceLength: maxLength,
          truncate: fromPreset.truncate,
          padding: fromPreset.padding,
        })
      : fromPreset;
  const vocabulary = preprocessor.tokenizer.vocabularySize();
  if (vocabulary > model.vocabularySize) {
    throw new CliError(
      `the preset's tokenizer has ${vocabulary} pieces but its model's vocabulary_size is ${model.vocabularySize}, so some ids would be out of range`,
      "The tokenizer and the model come from different presets; use a preset whose files belong together.",
    );
  }
  return preprocessor;
}
