// KerasHub's serialized layer objects (`keras.saving.serialize_keras_object`), as its presets
// hold them in tokenizer.json, preprocessor.json and task.json. Plain data: no file access here.
import { TokenizerError, describeValue } from "./errors.js";

/** A Keras `DTypePolicy` as KerasHub serializes it inside a layer config. */
export interface KerasDTypePolicyConfig {
  module: "keras";
  class_name: "DTypePolicy";
  config: { name: string };
  registered_name: null;
}

/** `{ module, class_name, config, registered_name }`: one serialized Keras layer. */
export interface KerasSerializedLayer<Config = Record<string, unknown>> {
  module: string;
  class_name: string;
  config: Config;
  registered_name: string;
}

export function dtypePolicyConfig(name: string): KerasDTypePolicyConfig {
  return { module: "keras", class_name: "DTypePolicy", config: { name }, registered_name: null };
}

/** The KerasHub class a serialized object stands for. */
export interface KerasClass {
  module: string;
  className: string;
  registeredName: string;
}

export const ALBERT_TOKENIZER_CLASS: KerasClass = {
  module: "keras_hub.src.models.albert.albert_tokenizer",
  className: "AlbertTokenizer",
  registeredName: "keras_hub>AlbertTokenizer",
};

export const ALBERT_TEXT_CLASSIFIER_PREPROCESSOR_CLASS: KerasClass = {
  module: "keras_hub.src.models.albert.albert_text_classifier_preprocessor",
  className: "AlbertTextClassifierPreprocessor",
  registeredName: "keras_hub>AlbertTextClassifierPreprocessor",
};

export const ALBERT_MASKED_LM_PREPROCESSOR_CLASS: KerasClass = {
  module: "keras_hub.src.models.albert.albert_masked_lm_preprocessor",
  className: "AlbertMaskedLMPreprocessor",
  registeredName: "keras_hub>AlbertMaskedLMPreprocessor",
};

export function serializeLayer<Config>(
  cls: KerasClass,
  config: Config,
): KerasSerializedLayer<Config> {
  return {
    module: cls.module,
    class_name: cls.className,
    config,
    registered_name: cls.registeredName,
  };
}

/** Whether a parsed JSON value is a serialized Keras object of class `cls`. */
export function isSerializedLayer(value: unknown, cls: KerasClass): value is KerasSerializedLayer {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const object = value as Record<string, unknown>;
  const name = object.registered_name ?? object.class_name;
  return (
    (name === cls.registeredName || name === cls.className) &&
    typeof object.config === "object" &&
    object.config !== null
  );
}

/**
 * The inner config of `value`: either the config itself (`getConfig()`'s output) or a whole
 * serialized object of class `cls` (a `preprocessor.json`, `tokenizer.json` or the matching
 * part of a `task.json`).
 */
export function unwrapConfig(
  value: unknown,
  cls: KerasClass,
  argument: string,
): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TokenizerError(
      "invalid_argument",
      `${argument} must be a ${cls.className} config object, got ${describeValue(value)}`,
    );
  }
  const object = value as Record<string, unknown>;
  if (!("class_name" in object)) return object;
  if (!isSerializedLayer(object, cls)) {
    throw new TokenizerError(
      "invalid_argument",
      `${argument} is a serialized ${String(object.registered_name ?? object.class_name)}, ` +
        `expected ${cls.registeredName}`,
    );
  }
  return object.config;
}

/** Reads an optional config field of one JavaScript type. */
export function configField<T>(
  config: Record<string, unknown>,
  key: string,
  type: "string" | "number" | "boolean",
  argument: string,
): T | undefined {
  const value = config[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== type) {
    throw new TokenizerError(
      "invalid_argument",
      `${argument}.${key} must be a ${type}, got ${describeValue(value)}`,
    );
  }
  return value as T;
}
