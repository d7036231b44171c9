import path from "node:path";
import { ensureBackendAsync } from "@albert/backends";
import {
  readPreset,
  readTransformersHeadTensors,
  readTransformersTaskConfig,
  transformersTensorShapes,
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
  return { backbone, checkpoint: { dir, config: readTransformersTaskConfig(dir), poolerMissing } };
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
  const file = path.join(checkpoint.dir, "config.json");
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
