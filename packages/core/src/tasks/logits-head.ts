import type { AlbertBackbone } from "../albert-backbone.js";
import type { Dense } from "../layers/dense.js";
import type { TaskPresetFilesOf } from "./task.js";
import { taskConfigJson, variableValues, type HeadVariableSpec, type KerasTaskClass } from "./task-presets.js";

// What the tasks whose head is dropout and a Dense layer named `logits` share (KerasHub's
// classifier layout): its preset groups, where `task.weights.h5` keeps it, and class labels.

/** `task.weights.h5`'s `layers/dense` group as the `logits` layer's kernel and bias. */
export function logitsHeadSpecs(hiddenDim: number, units: number): HeadVariableSpec[] {
  return [
    { group: "layers/dense", index: 0, path: "logits/kernel", shape: [hiddenDim, units] },
    { group: "layers/dense", index: 1, path: "logits/bias", shape: [units] },
  ];
}

/** `task.json`, the `logits` layer and KerasHub's empty dropout group, and the labels. */
export function logitsHeadPresetFiles(
  cls: KerasTaskClass,
  config: Record<string, unknown>,
  backbone: AlbertBackbone,
  dense: Dense,
  labels: readonly string[] | undefined,
): TaskPresetFilesOf {
  return {
    task: taskConfigJson(cls, config, backbone, ["dropout"]),
    headGroups: [
      { group: "layers/dense", layerName: "logits", vars: variableValues([dense.kernel, dense.bias], backbone.dtypePolicy.variableDtype) },
      { group: "layers/dropout", layerName: "output_dropout", vars: [] },
    ],
    ...(labels ? { extras: { id2label: Object.fromEntries(labels.map((l, i) => [String(i), l])) } } : {}),
  };
}

/** Class names by index (`id2label`), when there are labels. */
export function labelsById(labels: readonly string[] | undefined): Record<number, string> | undefined {
  return labels && Object.fromEntries(labels.map((l, i) => [i, l]));
}

/** Class indexes by name (`label2id`), when there are labels. */
export function idsByLabel(labels: readonly string[] | undefined): Record<string, number> | undefined {
  return labels && Object.fromEntries(labels.map((l, i) => [l, i]));
}
