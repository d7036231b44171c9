import { ensureBackendAsync } from "@albert/backends";
import {
  joinPresetPath,
  readPreset,
  readTransformersHeadTensors,
  readTransformersTaskConfig,
  transformersTensorShapes,
  type AlbertActivation,
  type HeadTensorRequest,
  type TransformersTaskConfig,
  type WeightMap,
} from "@albert/presets";
import { AlbertBackbone } from "../albert-backbone.js";
import { toDTypePolicy, type DTypeArgument } from "../dtype/dtype-policy.js";
import { AlbertConfigError } from "../errors.js";

/** An HF transformers checkpoint as a task reads it: its head settings, and whether
 * transformers saved it without a pooler. */
export interface HfTaskCheckpoint {
  dir: string;
  config: TransformersTaskConfig;
  /** The class was built without a pooler (`AlbertForMaskedLM`, `...ForTokenClassification`,
   * `...ForQuestionAnswering`): the backbone got a zero pooler, see `hfTaskBackbone`. */
  poolerMissing: boolean;
  /** The weights were read (`loadWeights`); false: heads are built with random weights. */
  weightsLoaded: boolean;
}

/**
 * The backbone of an HF checkpoint loaded for a task head. transformers builds
 * `AlbertForMaskedLM`, `AlbertForTokenClassification` and `AlbertForQuestionAnswering` without
 * a pooler (`add_pooling_layer=False`), so their files have no `albert.pooler.*`. KerasHub's
 * backbone always has `pooled_dense`; here it gets zeros (kernel and bias), so `pooledOutput`
 * is all zeros instead of a made-up value, and the heads that need the pooled output refuse
 * such a checkpoint (`checkHfHead`). `AlbertBackbone.fromPreset` still refuses it.
 */
export async function hfTaskBackbone(
  dir: string,
  options: { loadWeights: boolean; dtype?: DTypeArgument },
): Promise<{ backbone: AlbertBackbone; checkpoint: HfTaskCheckpoint }> {
  const policy = toDTypePolicy(options.dtype);
  await ensureBackendAsync();
  const contents = await readPreset(dir, { loadWeights: options.loadWeights, allowMissingPooler: true });
  let weights: WeightMap | undefined;
  let poolerMissing = contents.poolerMissing === true;
  if (options.loadWeights) {
    weights = new Map(contents.weights);
    if (poolerMissing) {
      const hidden = contents.config.hidden_dim;
      weights.set("pooled_dense/kernel", { shape: [hidden, hidden], data: new Float32Array(hidden * hidden) });
      weights.set("pooled_dense/bias", { shape: [hidden], data: new Float32Array(hidden) });
    }
  } else {
    poolerMissing = ![...tensorShapesOrEmpty(dir).keys()].some((n) => n.endsWith("pooler.weight"));
  }
  const backbone = AlbertBackbone.fromConfig({ ...contents.config, dtype: policy.serialize() }, weights ? { weights } : {});
  return { backbone, checkpoint: { dir, config: readTransformersTaskConfig(dir), poolerMissing, weightsLoaded: options.loadWeights } };
}

/** Tensor shapes when the weights file is there (a config-only download has none). */
function tensorShapesOrEmpty(dir: string): Map<string, number[]> {
  try {
    return transformersTensorShapes(dir);
  } catch {
    return new Map();
  }
}

/** Which transformers heads a task loads. */
export interface HfHeadSpec {
  /** Our task class (`AlbertTokenClassifier`). */
  task: string;
  /** The transformers classes whose head the task reads, its own first. */
  architectures: readonly string[];
  /** The head reads the backbone's pooled output (needs a checkpoint with a pooler). */
  readsPooler: boolean;
}

/** One head tensor of a checkpoint and the task variable it becomes. */
export interface HfHeadTensor extends HeadTensorRequest {
  /** The task's variable path (`logits/kernel`). */
  path: string;
}

/**
 * Whether an HF checkpoint holds this task's head: `true` when it was saved from one of
 * `spec.architectures` (or names no class); `false` for a backbone alone (`AlbertModel`), which
 * gets a new head, as KerasHub does for backbone presets. A checkpoint of another head, or a
 * pooler-less one for a head that reads the pooled output, is an `AlbertConfigError` naming both.
 */
export function checkHfHead(checkpoint: HfTaskCheckpoint, spec: HfHeadSpec, options: { newHead?: boolean } = {}): boolean {
  const actual = checkpoint.config.architecture;
  const file = joinPresetPath(checkpoint.dir, "config.json");
  if (spec.readsPooler && checkpoint.poolerMissing) {
    throw new AlbertConfigError(
      "weights_mismatch",
      `${checkpoint.dir} is ${actual === undefined ? "a checkpoint" : `an ${actual} checkpoint`} without pooler weights ` +
        `(transformers builds that class without a pooler), but ${spec.task} reads the pooled output; ` +
        `load it as ${spec.architectures[0]}'s counterpart only from a checkpoint with albert.pooler.*`,
      "preset",
    );
  }
  if (actual === undefined) return true;
  if (actual === "AlbertModel") return false;
  if (spec.architectures.includes(actual)) return true;
  if (options.newHead === true) return false;
  throw new AlbertConfigError(
    "weights_mismatch",
    `${checkpoint.dir} is an ${actual} checkpoint (${file} architectures), not ${spec.architectures.join(" or ")}: ` +
      `${spec.task} cannot use its head. Load it with the task class of its own head.`,
    "preset",
  );
}

/** A head's weights from an HF checkpoint, renamed to the task's variable paths. */
export function hfHeadWeights(checkpoint: HfTaskCheckpoint, spec: HfHeadSpec, tensors: readonly HfHeadTensor[]): WeightMap {
  const read = readTransformersHeadTensors(checkpoint.dir, tensors, {
    task: spec.task,
    expected: spec.architectures[0]!,
    actual: checkpoint.config.architecture,
  });
  return new Map(tensors.map((t) => [t.path, read.get(t.name)!]));
}

/** Labels in index order from `id2label` (`{ "0": "O", ... }`), checked to name `count` classes. */
export function hfLabels(checkpoint: HfTaskCheckpoint, count: number): string[] | undefined {
  const id2label = checkpoint.config.id2label;
  if (id2label === undefined) return undefined;
  const labels = Array.from({ length: count }, (_, i) => id2label[String(i)]);
  if (labels.some((l) => l === undefined) || Object.keys(id2label).length !== count) {
    throw new AlbertConfigError(
      "weights_mismatch",
      `${checkpoint.config.file}: id2label names ${Object.keys(id2label).length} classes (${Object.keys(id2label).join(", ")}), ` +
        `but the checkpoint's head has ${count} outputs`,
      "preset",
    );
  }
  return labels as string[];
}

/** The number of outputs of an HF head's `Linear` (`classifier.weight` is `[labels, hidden]`):
 * from the checkpoint, else (config only) `id2label`'s size, transformers' `num_labels`. */
export function hfHeadOutputs(checkpoint: HfTaskCheckpoint, tensor: string): number {
  const shape = tensorShapesOrEmpty(checkpoint.dir).get(tensor);
  if (shape !== undefined) return shape[0]!;
  return checkpoint.config.id2label === undefined ? 2 : Object.keys(checkpoint.config.id2label).length;
}

/** A transformers `Linear` head (`classifier`, `qa_outputs`) as the task's Dense layer. */
export interface HfLinearHead {
  /** Its number of outputs (`num_labels`). */
  outputs: number;
  /** `<layer>/kernel` ([hidden, outputs], the torch weight transposed) and `<layer>/bias`;
   * undefined when the weights were not loaded. */
  weights: WeightMap | undefined;
}

/**
 * The `Linear` head of an HF checkpoint (`tensor` = `classifier` or `qa_outputs`, read from the
 * backbone's hidden size) as the task's Dense layer `layer` (default `logits`), or undefined
 * when the checkpoint holds no head of this task (`AlbertModel`, or `newHead`), so that the task
 * builds a new one. Checks as `checkHfHead`.
 */
export function hfLinearHead(
  checkpoint: HfTaskCheckpoint,
  spec: HfHeadSpec,
  hiddenDim: number,
  options: { tensor: string; layer?: string; newHead?: boolean },
): HfLinearHead | undefined {
  const newHead = options.newHead === true;
  if (!checkHfHead(checkpoint, spec, { newHead }) || newHead) return undefined;
  const { tensor, layer = "logits" } = options;
  const outputs = hfHeadOutputs(checkpoint, `${tensor}.weight`);
  const weights = checkpoint.weightsLoaded
    ? hfHeadWeights(checkpoint, spec, [
        { name: `${tensor}.weight`, shape: [outputs, hiddenDim], transpose: true, path: `${layer}/kernel` },
        { name: `${tensor}.bias`, shape: [outputs], path: `${layer}/bias` },
      ])
    : undefined;
  return { outputs, weights };
}

/** transformers' masked-LM classes: `AlbertForPreTraining` carries the same `predictions` head. */
const MASKED_LM_HF: HfHeadSpec = { task: "AlbertMaskedLM", architectures: ["AlbertForMaskedLM", "AlbertForPreTraining"], readsPooler: false };

/** HF's `AlbertMLMHead` as KerasHub's `MaskedLMHead`, with HF's activation and epsilon. */
export interface HfMaskedLMHead {
  weights: WeightMap | undefined;
  intermediateActivation: AlbertActivation;
  layerNormEpsilon: number;
}

/**
 * The `predictions.*` head of an HF `AlbertForMaskedLM` (or `AlbertForPreTraining`) checkpoint
 * as the `mlm_head` variables: `dense` (H→E, transposed), `LayerNorm`, and `bias` as the output
 * bias; the decoder is the tied word embedding, as in KerasHub. Its activation is `hidden_act`
 * and its epsilon `layer_norm_eps`, as in HF's `AlbertMLMHead`. Undefined for a backbone alone.
 */
export function hfMaskedLMHead(
  checkpoint: HfTaskCheckpoint,
  dims: { hiddenDim: number; embeddingDim: number; vocabularySize: number },
): HfMaskedLMHead | undefined {
  if (!checkHfHead(checkpoint, MASKED_LM_HF)) return undefined;
  if (!checkpoint.config.tieWordEmbeddings) {
    throw new AlbertConfigError(
      "weights_mismatch",
      `${checkpoint.config.file} has tie_word_embeddings false: its decoder is not the word embedding, ` +
        "and AlbertMaskedLM (as KerasHub's MaskedLMHead) always ties them",
      "preset",
    );
  }
  const { hiddenDim: H, embeddingDim: E, vocabularySize: V } = dims;
  const weights = checkpoint.weightsLoaded
    ? hfHeadWeights(checkpoint, MASKED_LM_HF, [
        { name: "predictions.dense.weight", shape: [E, H], transpose: true, path: "mlm_head/intermediate_dense/kernel" },
        { name: "predictions.dense.bias", shape: [E], path: "mlm_head/intermediate_dense/bias" },
        { name: "predictions.LayerNorm.weight", shape: [E], path: "mlm_head/intermediate_layer_norm/gamma" },
        { name: "predictions.LayerNorm.bias", shape: [E], path: "mlm_head/intermediate_layer_norm/beta" },
        { name: "predictions.bias", fallbacks: ["predictions.decoder.bias"], shape: [V], path: "mlm_head/output_bias" },
      ])
    : undefined;
  return { weights, intermediateActivation: checkpoint.config.activation, layerNormEpsilon: checkpoint.config.layerNormEps };
}

/**
 * What a task's preprocessor takes from an HF checkpoint: its sequence length, at most the
 * model's position table (HF folders carry no `preprocessor.json`, so the default would be 512).
 * Nothing for other presets.
 */
export function hfPreprocessorOptions(loaded: { hf?: HfTaskCheckpoint; backbone: AlbertBackbone }): { sequenceLength?: number } {
  return loaded.hf === undefined ? {} : { sequenceLength: Math.min(512, loaded.backbone.maxSequenceLength) };
}
