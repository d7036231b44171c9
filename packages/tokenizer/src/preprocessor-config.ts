// Reading KerasHub preprocessor configs, shared by both preprocessors' fromConfig and fromPreset.
import {
  AlbertTokenizer,
  tokenizerFromPresetFiles,
  type PresetResolveOptions,
} from "./albert-tokenizer.js";
import { TokenizerError, describeValue } from "./errors.js";
import { configField, isSerializedLayer, unwrapConfig, type KerasClass } from "./keras-config.js";
import type { TruncationStrategy } from "./multi-segment-packer.js";

/** The constructor options a KerasHub preprocessor config sets (camelCase). */
export interface PreprocessorConfigFields {
  name?: string;
  sequenceLength?: number;
  truncate?: TruncationStrategy;
  maskSelectionRate?: number;
  maskSelectionLength?: number;
  maskTokenRate?: number;
  randomTokenRate?: number;
}

const FIELDS: ReadonlyArray<[keyof PreprocessorConfigFields, string, "string" | "number"]> = [
  ["name", "name", "string"],
  ["sequenceLength", "sequence_length", "number"],
  ["truncate", "truncate", "string"],
  ["maskSelectionRate", "mask_selection_rate", "number"],
  ["maskSelectionLength", "mask_selection_length", "number"],
  ["maskTokenRate", "mask_token_rate", "number"],
  ["randomTokenRate", "random_token_rate", "number"],
];

/** The options an inner config sets; the constructor validates their values. */
function readFields(config: Record<string, unknown>, argument: string): PreprocessorConfigFields {
  const fields: Record<string, unknown> = {};
  for (const [option, key, type] of FIELDS) {
    const value = configField(config, key, type, argument);
    if (value !== undefined) fields[option] = value;
  }
  return fields as PreprocessorConfigFields;
}

/**
 * `fromConfig`'s arguments: the options of `config` (inner or serialized, of class `cls`) and
 * the tokenizer, from `options` or, as KerasHub's `from_config` allows, an `AlbertTokenizer`
 * instance in `config.tokenizer`.
 */
export function fromConfigArgs(
  config: unknown,
  cls: KerasClass,
  options: { tokenizer?: AlbertTokenizer } | undefined,
): PreprocessorConfigFields & { tokenizer: AlbertTokenizer } {
  const inner = unwrapConfig(config, cls, "config");
  const tokenizer =
    options?.tokenizer ??
    (inner.tokenizer instanceof AlbertTokenizer ? inner.tokenizer : undefined);
  if (tokenizer === undefined) {
    throw new TokenizerError(
      "invalid_argument",
      `${cls.className}.fromConfig needs the tokenizer, whose SentencePiece model a config does ` +
        `not hold: fromConfig(config, { tokenizer }), e.g. with AlbertTokenizer.fromConfig(` +
        `config.tokenizer, { proto: bytes }) or AlbertTokenizer.fromPreset(dir)`,
    );
  }
  return { ...readFields(inner, "config"), tokenizer };
}

/**
 * What a preset's `preprocessor.json` sets, as KerasHub's loader reads it: only when the file is
 * a serialized `cls`; otherwise (no file, or another class) nothing, so the defaults apply.
 */
export function presetFields(
  preprocessorJson: Record<string, unknown> | undefined,
  cls: KerasClass,
): PreprocessorConfigFields {
  if (!isSerializedLayer(preprocessorJson, cls)) return {};
  return readFields(preprocessorJson.config, "preprocessor.json config");
}

/** Options of a preprocessor's `fromPreset`: how to resolve, the casing, and overrides. */
export type PresetOptions<Overrides> = PresetResolveOptions & { lowercase?: boolean } & Overrides;

/**
 * A preprocessor's constructor arguments from a preset, as KerasHub's `from_preset`: the preset's
 * tokenizer, what its `preprocessor.json` sets when that is a serialized `cls`, then the
 * options that are not about resolving (KerasHub's kwargs) over both.
 */
export async function presetArgs<Overrides extends object>(
  preset: string,
  options: PresetOptions<Overrides>,
  cls: KerasClass,
): Promise<PreprocessorConfigFields & Partial<Overrides> & { tokenizer: AlbertTokenizer }> {
  const { lowercase, source, revision, onProgress, timeoutMs, retries, ...overrides } = options;
  const { readTokenizerPreset } = await import("./preset-files.js");
  const found = await readTokenizerPreset(
    preset,
    definedOnly({ source, revision, onProgress, timeoutMs, retries }),
  );
  return {
    ...presetFields(found.preprocessor, cls),
    ...(definedOnly(overrides as Record<string, unknown>) as Partial<Overrides>),
    tokenizer: tokenizerFromPresetFiles(found, lowercase),
  };
}

/** `values` without its undefined entries, so that spreading it keeps the defaults. */
export function definedOnly<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(values).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

export function checkName(name: unknown): asserts name is string {
  if (typeof name !== "string" || name.length === 0) {
    throw new TokenizerError(
      "invalid_argument",
      `name must be a non-empty string, got ${describeValue(name)}`,
    );
  }
}
