import path from "../platform/path.js";
import type { AlbertActivation } from "../config.js";
import { PresetError } from "../errors.js";
import { isJsonObject, readJsonFile } from "../json-file.js";
import { sameShape, type WeightMap } from "../weights.js";
import { existsSync } from "../platform/fs.js";
import { activationOfHiddenAct, isTransformersConfig } from "./hf-config.js";
import { openTransformersCheckpoint, transpose2d } from "./hf-weights.js";
import { readSafetensorsTensor } from "./safetensors.js";

/**
 * The head tensors of each transformers ALBERT class (top-level names: heads carry no
 * `albert.` prefix). `AlbertForMaskedLM` ties `predictions.decoder.*` to the word embeddings
 * and `predictions.bias`, so its files hold neither decoder tensor.
 */
export const HF_HEAD_TENSORS: Readonly<Record<string, readonly string[]>> = {
  AlbertModel: [],
  AlbertForMaskedLM: [
    "predictions.dense.weight",
    "predictions.dense.bias",
    "predictions.LayerNorm.weight",
    "predictions.LayerNorm.bias",
    "predictions.bias",
  ],
  AlbertForPreTraining: [
    "predictions.dense.weight",
    "predictions.dense.bias",
    "predictions.LayerNorm.weight",
    "predictions.LayerNorm.bias",
    "predictions.bias",
    "sop_classifier.classifier.weight",
    "sop_classifier.classifier.bias",
  ],
  AlbertForSequenceClassification: ["classifier.weight", "classifier.bias"],
  AlbertForTokenClassification: ["classifier.weight", "classifier.bias"],
  AlbertForMultipleChoice: ["classifier.weight", "classifier.bias"],
  AlbertForQuestionAnswering: ["qa_outputs.weight", "qa_outputs.bias"],
};

/** Whether `dir` holds an HF transformers checkpoint (a `config.json` with `model_type`), not a
 * KerasHub preset. */
export function isTransformersPreset(dir: string): boolean {
  const file = path.join(dir, "config.json");
  if (!existsSync(file)) return false;
  try {
    return isTransformersConfig(readJsonFile(file));
  } catch {
    return false;
  }
}

/** What a transformers `config.json` says about the task head beside the backbone. */
export interface TransformersTaskConfig {
  /** The config file read. */
  file: string;
  /** `architectures[0]`: the transformers class that saved the checkpoint, when recorded. */
  architecture: string | undefined;
  /** `id2label` with string keys, as transformers writes it, when there are labels. */
  id2label: Record<string, string> | undefined;
  /** `hidden_act` (transformers' default `gelu_new` when absent). */
  hiddenAct: string;
  /** What `hidden_act` computes (the tanh GELUs are `gelu_approximate`). */
  activation: AlbertActivation;
  /** `layer_norm_eps` (default 1e-12). */
  layerNormEps: number;
  /** `problem_type` (`single_label_classification`, `multi_label_classification`,
   * `regression`), when set. */
  problemType: string | undefined;
  /** `tie_word_embeddings` (default true). */
  tieWordEmbeddings: boolean;
}

/**
 * Reads the head settings of an HF transformers checkpoint's `config.json`: the saving class
 * (`architectures`), the labels, and the activation and LayerNorm epsilon its MLM head uses.
 *
 * @example
 * readTransformersTaskConfig("./testdata/tasks/hf/sequence_classification").id2label
 * // { "0": "negative", "1": "neutral", "2": "positive" }
 */
export function readTransformersTaskConfig(dir: string): TransformersTaskConfig {
  const file = path.join(dir, "config.json");
  const json = readJsonFile(file);
  if (!isJsonObject(json)) {
    throw new PresetError("invalid_config", `${file} must hold a JSON object`, { path: file });
  }
  const architectures = json["architectures"];
  const architecture =
    Array.isArray(architectures) && typeof architectures[0] === "string"
      ? architectures[0]
      : undefined;
  const labels = json["id2label"];
  let id2label: Record<string, string> | undefined;
  if (labels !== undefined && labels !== null) {
    if (!isJsonObject(labels) || Object.values(labels).some((v) => typeof v !== "string")) {
      throw new PresetError(
        "invalid_config",
        `${file}: id2label must map class indexes to label strings, got ${JSON.stringify(labels)?.slice(0, 120)}`,
        { path: file },
      );
    }
    id2label = labels as Record<string, string>;
  }
  const hiddenAct = json["hidden_act"] ?? "gelu_new";
  const activation = activationOfHiddenAct(hiddenAct, file);
  const layerNormEps = json["layer_norm_eps"] ?? 1e-12;
  if (typeof layerNormEps !== "number" || !(layerNormEps > 0)) {
    throw new PresetError(
      "invalid_config",
      `${file}: layer_norm_eps must be a positive number, got ${JSON.stringify(layerNormEps)}`,
      { path: file },
    );
  }
  const problemType = json["problem_type"];
  return {
    file,
    architecture,
    id2label,
    hiddenAct: hiddenAct as string,
    activation,
    layerNormEps,
    problemType: typeof problemType === "string" ? problemType : undefined,
    tieWordEmbeddings: json["tie_word_embeddings"] !== false,
  };
}

/** One head tensor to read, and the shape the task needs (in the checkpoint's layout). */
export interface HeadTensorRequest {
  /** The checkpoint's name (`classifier.weight`). */
  name: string;
  /** Names tried, in order, when `name` is absent (`predictions.decoder.bias` for
   * `predictions.bias` in older checkpoints). */
  fallbacks?: readonly string[];
  /** The shape in the checkpoint. */
  shape: number[];
  /** Return a 2-D tensor transposed (torch `Linear.weight` `[out, in]` → a Keras kernel
   * `[in, out]`). */
  transpose?: boolean;
}

/** Which head is being loaded, for the messages. */
export interface HeadRequestContext {
  /** The task class asking (`AlbertTokenClassifier`). */
  task: string;
  /** The transformers class whose head it reads (`AlbertForTokenClassification`). */
  expected: string;
  /** The class the checkpoint says it is (`architectures[0]`). */
  actual: string | undefined;
}

/**
 * Reads a task head's tensors from the HF checkpoint in `dir` as float32, keyed by the
 * requested names, in the checkpoint's layout unless `transpose` asks for a Keras kernel. A tensor
 * that is missing or of another shape is a `PresetError` (`weights_mismatch`) naming the tensor,
 * the head that needs it and the class the checkpoint was saved from.
 */
export function readTransformersHeadTensors(
  dir: string,
  tensors: readonly HeadTensorRequest[],
  context: HeadRequestContext,
): WeightMap {
  const locator = openTransformersCheckpoint(dir);
  const names = new Set(locator.names);
  const saved =
    context.actual === undefined
      ? "its config.json names no architecture"
      : `it was saved from ${context.actual} (config.json architectures)`;
  const out: WeightMap = new Map();
  for (const request of tensors) {
    const found = [request.name, ...(request.fallbacks ?? [])].find((n) => names.has(n));
    if (found === undefined) {
      throw new PresetError(
        "weights_mismatch",
        `${locator.label} has no ${request.name}, which ${context.task} reads from an ${context.expected} ` +
          `checkpoint; ${saved}. Load it with the task class of its own head, or pass the options that build a new head.`,
        { path: locator.label },
      );
    }
    const { header, entry } = locator.locate(found);
    if (!sameShape(entry.shape, request.shape)) {
      throw new PresetError(
        "weights_mismatch",
        `${locator.label}: ${found} has shape [${entry.shape}], but ${context.task} with this backbone needs [${request.shape}]`,
        { path: locator.label },
      );
    }
    const data = readSafetensorsTensor(header, entry);
    const [rows, cols] = entry.shape as [number, number];
    out.set(
      request.name,
      request.transpose === true && entry.shape.length === 2
        ? { shape: [cols, rows], data: transpose2d(data, rows, cols) }
        : { shape: [...entry.shape], data },
    );
  }
  return out;
}

/** Every tensor of an HF checkpoint with its shape (to tell which head it holds and its size). */
export function transformersTensorShapes(dir: string): Map<string, number[]> {
  const locator = openTransformersCheckpoint(dir);
  return new Map(locator.names.map((name) => [name, [...locator.locate(name).entry.shape]]));
}
