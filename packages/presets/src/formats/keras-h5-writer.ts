import { dtypeName, type AlbertBackboneConfig } from "../config.js";
import {
  backboneWeightSpecs,
  encoderH5Group,
  encoderLayerName,
  type WeightMap,
} from "../weights.js";
import type { HalfDtype } from "./half-precision.js";
import { writeKerasVarGroups, type KerasVarGroup } from "./keras-vars-h5.js";

/** A layer's place in `model.weights.h5`: its group and the Keras layer name it stores. */
export interface KerasLayerGroup {
  /** The group holding the layer's `vars` (`""` for the model itself). */
  group: string;
  /** The Keras layer name, the `name` attribute of `<group>/vars`. */
  layerName: string;
}

/**
 * Every layer group Keras 3 writes for a KerasHub `AlbertBackbone`, in the order
 * `save_weights` visits them, including the layers without variables (inputs, add, dropout,
 * the attention's softmax and dropout): Keras writes an empty `vars` group with a `name`
 * attribute for each (see the fixtures' `weights-layout.txt`). The attention's own softmax and
 * dropout layers get Keras' automatic names, which count up within a Python session; these are
 * the names a fresh session gives (`softmax`, `softmax_1`, ...). Keras' loader ignores them.
 */
export function kerasLayerGroups(config: AlbertBackboneConfig): KerasLayerGroup[] {
  const groups: KerasLayerGroup[] = [
    { group: "", layerName: config.name ?? "albert_backbone" },
    { group: "layers/input_layer", layerName: "token_ids" },
    { group: "layers/input_layer_1", layerName: "segment_ids" },
    { group: "layers/input_layer_2", layerName: "padding_mask" },
    { group: "layers/reversible_embedding", layerName: "token_embedding" },
    { group: "layers/position_embedding", layerName: "position_embedding" },
    { group: "layers/embedding", layerName: "segment_embedding" },
    { group: "layers/add", layerName: "embeddings_add" },
    { group: "layers/layer_normalization", layerName: "embeddings_layer_norm" },
    { group: "layers/dropout", layerName: "embeddings_dropout" },
    { group: "layers/dense", layerName: "embedding_projection" },
  ];
  for (let g = 0; g < config.num_groups; g++) {
    for (let i = 0; i < config.num_inner_repetitions; i++) {
      const k = g * config.num_inner_repetitions + i;
      const base = encoderH5Group(k);
      const auto = (name: string) => (k === 0 ? name : `${name}_${k}`);
      groups.push(
        { group: base, layerName: encoderLayerName(g, i) },
        { group: `${base}/_self_attention_layer`, layerName: "self_attention_layer" },
        { group: `${base}/_self_attention_layer/query_dense`, layerName: "query" },
        { group: `${base}/_self_attention_layer/key_dense`, layerName: "key" },
        { group: `${base}/_self_attention_layer/value_dense`, layerName: "value" },
        { group: `${base}/_self_attention_layer/_softmax`, layerName: auto("softmax") },
        { group: `${base}/_self_attention_layer/_dropout_layer`, layerName: auto("dropout") },
        { group: `${base}/_self_attention_layer/output_dense`, layerName: "attention_output" },
        { group: `${base}/_self_attention_layer_norm`, layerName: "self_attention_layer_norm" },
        { group: `${base}/_self_attention_dropout`, layerName: "self_attention_dropout" },
        { group: `${base}/_feedforward_layer_norm`, layerName: "feedforward_layer_norm" },
        {
          group: `${base}/_feedforward_intermediate_dense`,
          layerName: "feedforward_intermediate_dense",
        },
        { group: `${base}/_feedforward_output_dense`, layerName: "feedforward_output_dense" },
        { group: `${base}/_feedforward_dropout`, layerName: "feedforward_dropout" },
      );
    }
  }
  groups.push({ group: "layers/dense_1", layerName: "pooled_dense" });
  return groups;
}

/**
 * The dtype Keras stores a model's variables in under a dtype policy (its variable dtype):
 * `bfloat16` and `float16` for those pure policies, float32 for `float32` and the mixed ones.
 */
export function storedWeightDtype(dtype: AlbertBackboneConfig["dtype"]): "float32" | HalfDtype {
  const name = dtypeName(dtype);
  return name === "bfloat16" || name === "float16" ? name : "float32";
}

/**
 * Writes a Keras 3 `model.weights.h5` for a KerasHub `AlbertBackbone`: the groups, `name`
 * attributes and datasets `save_weights` writes, with h5py's default file format bounds. The
 * datasets are in the variable dtype of the config's dtype policy, as Keras stores them:
 * float32, float16 (HDF5's half type) or bfloat16 (2-byte opaque, `dtype="bfloat16"`
 * attribute), float32 values being rounded to nearest even. Weights must already be checked
 * against the config (see `checkWeightMap`).
 */
export async function writeKerasWeights(
  file: string,
  config: AlbertBackboneConfig,
  weights: WeightMap,
): Promise<void> {
  const specs = backboneWeightSpecs(config);
  const dtype = storedWeightDtype(config.dtype);
  const groups: KerasVarGroup[] = kerasLayerGroups(config).map(({ group, layerName }) => ({
    group,
    layerName,
    vars: specs
      .filter((spec) => spec.h5Group === group)
      .sort((a, b) => a.h5Index - b.h5Index)
      .map((spec) => ({ shape: spec.shape, data: weights.get(spec.name)!.data, dtype })),
  }));
  await writeKerasVarGroups(file, groups);
}
