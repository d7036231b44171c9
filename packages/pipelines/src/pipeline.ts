import {
  AlbertBackbone,
  AlbertConfigError,
  AlbertMaskedLM,
  AlbertQuestionAnswerer,
  AlbertTextClassifier,
  AlbertTokenClassifier,
  hfTaskBackbone,
  type DTypeArgument,
  type TaskPresetOptions,
} from "@albert/core";
import { isTransformersPreset, resolvePreset } from "@albert/presets";
import { AlbertTextClassifierPreprocessor, AlbertTokenizer, HfTokenizer, type Preprocessor } from "@albert/tokenizer";
import { choiceOption, integerOption } from "./options.js";
import type { PipelineSettings } from "./pipeline-base.js";
import { featureExtractionPipeline, type FeatureExtractionPipeline } from "./tasks/feature-extraction.js";
import { fillMaskPipeline, type FillMaskPipeline } from "./tasks/fill-mask.js";
import { questionAnsweringPipeline, type QuestionAnsweringPipeline } from "./tasks/question-answering.js";
import { textClassificationPipeline, type TextClassificationPipeline } from "./tasks/text-classification.js";
import { tokenClassificationPipeline, type TokenClassificationPipeline } from "./tasks/token-classification.js";
import { HfPipelineTokenizer } from "./tokenizers/hf-pipeline-tokenizer.js";
import { KerasPipelineTokenizer } from "./tokenizers/keras-pipeline-tokenizer.js";
import type { PipelineTokenizer } from "./tokenizers/pipeline-tokenizer.js";

/** The tasks `pipeline` builds (transformers' names; `sentiment-analysis` and `ner` are its
 * aliases of `text-classification` and `token-classification`). */
export const PIPELINE_TASKS = [
  "feature-extraction",
  "fill-mask",
  "text-classification",
  "sentiment-analysis",
  "token-classification",
  "ner",
  "question-answering",
] as const;

export type PipelineTask = (typeof PIPELINE_TASKS)[number];

/** `pipeline`'s options: how to load the model, and the pipeline's defaults. */
export interface PipelineOptions extends Omit<TaskPresetOptions, "loadWeights"> {
  /** The tokenizer to use instead of the preset's (required with a model that has no
   * preprocessor): an `HfTokenizer`, an `AlbertTokenizer`, or a `PipelineTokenizer`. */
  tokenizer?: PipelineTokenizer | HfTokenizer | AlbertTokenizer;
  /** Inputs per model call, each batch padded to its longest input (default 8). */
  batchSize?: number;
  /** Offsets (`start`, `end`) in code points, as transformers (default), or UTF-16 units. */
  offsetUnit?: "codePoint" | "utf16";
  /** The model's dtype policy (see `@albert/core`). */
  dtype?: DTypeArgument;
}

const OPTION_NAMES = ["tokenizer", "batchSize", "offsetUnit", "dtype", "source", "revision", "onProgress", "timeoutMs", "retries"];

type ModelOf<T extends PipelineTask> = T extends "fill-mask"
  ? AlbertMaskedLM
  : T extends "text-classification" | "sentiment-analysis"
    ? AlbertTextClassifier
    : T extends "token-classification" | "ner"
      ? AlbertTokenClassifier
      : T extends "question-answering"
        ? AlbertQuestionAnswerer
        : AlbertBackbone;

/**
 * transformers' `pipeline(task, model)` for ALBERT: loads the model of the task's head and its
 * tokenizer from a preset handle (an HF checkpoint, `hf://org/name`, a KerasHub task preset, a
 * folder, ...), or takes a model you built, and returns a function that runs the task on texts
 * with transformers' results (keys, values and nesting), batching inputs padded to each batch's
 * longest. HF checkpoints tokenize with their `tokenizer.json` exactly as transformers does;
 * KerasHub presets with their own tokenizer and preprocessor settings.
 *
 * @example
 * ```ts
 * import { pipeline } from "@albert/pipelines";
 *
 * const fill = await pipeline("fill-mask", "hf://albert/albert-base-v2");
 * console.log(await fill("The capital of France is [MASK].", { topK: 3 }));
 * // [{ score, token, token_str, sequence }, ...]
 * fill.dispose();
 * ```
 */
export async function pipeline(task: "fill-mask", model: string | AlbertMaskedLM, options?: PipelineOptions): Promise<FillMaskPipeline>;
export async function pipeline(
  task: "text-classification" | "sentiment-analysis",
  model: string | AlbertTextClassifier,
  options?: PipelineOptions,
): Promise<TextClassificationPipeline>;
export async function pipeline(
  task: "token-classification" | "ner",
  model: string | AlbertTokenClassifier,
  options?: PipelineOptions,
): Promise<TokenClassificationPipeline>;
export async function pipeline(task: "question-answering", model: string | AlbertQuestionAnswerer, options?: PipelineOptions): Promise<QuestionAnsweringPipeline>;
export async function pipeline(task: "feature-extraction", model: string | AlbertBackbone, options?: PipelineOptions): Promise<FeatureExtractionPipeline>;
export async function pipeline(task: PipelineTask, model: string | ModelOf<PipelineTask>, options: PipelineOptions = {}): Promise<unknown> {
  if (!(PIPELINE_TASKS as readonly string[]).includes(task)) {
    throw new AlbertConfigError("invalid_argument", `task ${JSON.stringify(task)} is not supported; allowed: ${PIPELINE_TASKS.join(", ")}`, "task");
  }
  for (const key of Object.keys(options ?? {})) {
    if (!OPTION_NAMES.includes(key)) {
      throw new AlbertConfigError("invalid_argument", `pipeline: unknown option ${JSON.stringify(key)}; allowed: ${OPTION_NAMES.join(", ")}`, "options");
    }
  }
  const { tokenizer: given, batchSize, offsetUnit, ...load } = options;
  const settings: PipelineSettings = {
    batchSize: integerOption(batchSize, "batchSize", 8),
    offsetUnit: choiceOption(offsetUnit, "offsetUnit", ["codePoint", "utf16"] as const, "codePoint"),
    ownsModel: typeof model === "string",
  };
  const kind = task === "sentiment-analysis" ? "text-classification" : task === "ner" ? "token-classification" : task;
  if (kind === "feature-extraction") {
    const { backbone, preprocessor } = await loadBackbone(model, load);
    return withModel(backbone, settings, () =>
      featureExtractionPipeline(backbone, pipelineTokenizer(given, preprocessor, backbone), settings),
    );
  }
  const classes = {
    "fill-mask": AlbertMaskedLM,
    "text-classification": AlbertTextClassifier,
    "token-classification": AlbertTokenClassifier,
    "question-answering": AlbertQuestionAnswerer,
  } as const;
  const cls = classes[kind];
  let loaded: AlbertMaskedLM | AlbertTextClassifier | AlbertTokenClassifier | AlbertQuestionAnswerer;
  if (typeof model === "string") {
    loaded = await (cls.fromPreset as (p: string, o: object) => Promise<typeof loaded>)(model, { ...load, compile: false });
  } else if (model instanceof cls) {
    loaded = model;
  } else {
    throw new AlbertConfigError(
      "invalid_argument",
      `the ${task} pipeline needs an ${cls.className} (or a preset handle), got ${(model as object)?.constructor?.name ?? typeof model}`,
      "model",
    );
  }
  const m = loaded;
  return withModel(m, settings, () => {
    const tokenizer = pipelineTokenizer(given, m.preprocessor as Preprocessor | null, m.backbone);
    if (m instanceof AlbertMaskedLM) return fillMaskPipeline(m, tokenizer, settings);
    if (m instanceof AlbertTextClassifier) return textClassificationPipeline(m, tokenizer, settings);
    if (m instanceof AlbertTokenClassifier) return tokenClassificationPipeline(m, tokenizer, settings);
    return questionAnsweringPipeline(m as AlbertQuestionAnswerer, tokenizer, settings);
  });
}

/** Builds the pipeline, freeing a model it loaded when that fails. */
function withModel<T>(model: { dispose(): void }, settings: PipelineSettings, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (settings.ownsModel) model.dispose();
    throw error;
  }
}

/** The backbone of any preset (an HF checkpoint of any head class too) and its preprocessor. */
async function loadBackbone(
  model: string | ModelOf<PipelineTask>,
  load: Omit<PipelineOptions, "tokenizer" | "batchSize" | "offsetUnit">,
): Promise<{ backbone: AlbertBackbone; preprocessor: Preprocessor | null }> {
  if (typeof model !== "string") {
    if (model instanceof AlbertBackbone) return { backbone: model, preprocessor: null };
    throw new AlbertConfigError("invalid_argument", `the feature-extraction pipeline needs an AlbertBackbone (or a preset handle), got ${(model as object)?.constructor?.name}`, "model");
  }
  const { dtype, ...resolve } = load;
  const dir = await resolvePreset(model, resolve);
  const backbone = isTransformersPreset(dir)
    ? (await hfTaskBackbone(dir, { loadWeights: true, ...(dtype === undefined ? {} : { dtype }) })).backbone
    : await AlbertBackbone.fromPreset(dir, dtype === undefined ? {} : { dtype });
  try {
    return { backbone, preprocessor: await AlbertTextClassifierPreprocessor.fromPreset(dir) };
  } catch (error) {
    backbone.dispose();
    throw error;
  }
}

/**
 * The tokenizer a pipeline runs: the one given, else the model's preprocessor's. An HF
 * `tokenizer.json` (a preprocessor whose tokenizer reads one) tokenizes as transformers;
 * otherwise KerasHub's tokenizer and the preprocessor's sequence length and truncation.
 */
export function pipelineTokenizer(
  given: PipelineTokenizer | HfTokenizer | AlbertTokenizer | undefined,
  preprocessor: Preprocessor | null,
  backbone: AlbertBackbone,
): PipelineTokenizer {
  const limit = backbone.maxSequenceLength;
  if (given instanceof HfTokenizer) return new HfPipelineTokenizer(given, limit);
  if (given instanceof AlbertTokenizer) return given.hf ? new HfPipelineTokenizer(given.hf, limit) : new KerasPipelineTokenizer(given, Math.min(512, limit));
  if (given !== undefined) return given;
  if (preprocessor === null) {
    throw new AlbertConfigError(
      "invalid_argument",
      "the model has no preprocessor to tokenize with: pass options.tokenizer (an HfTokenizer or AlbertTokenizer)",
      "tokenizer",
    );
  }
  const tokenizer = preprocessor.tokenizer;
  if (tokenizer.hf !== undefined) return new HfPipelineTokenizer(tokenizer.hf, limit);
  return new KerasPipelineTokenizer(tokenizer, Math.min(preprocessor.sequenceLength, limit), preprocessor.truncate);
}
