import type { AlbertBackboneConfig } from "./config.js";

/** Which float encodings a stored weight may have (what KerasHub and HF write); every one is
 * widened to float32 when read. */
export type StoredDtype = "float32" | "float16" | "bfloat16" | "float64";

/** One weight as plain data: row-major float32 values and their shape. */
export interface WeightTensor {
  shape: number[];
  data: Float32Array;
}

/**
 * Weights by KerasHub variable path (`variable.path` in Keras 3), for example
 * `token_embedding/embeddings` or `group_0_inner_layer_0/self_attention_layer/query/kernel`.
 * Every format is converted to these names and Keras shapes when read.
 */
export type WeightMap = Map<string, WeightTensor>;

/** Where one backbone variable lives: its name, Keras shape, and place in `model.weights.h5`. */
export interface WeightSpec {
  /** KerasHub variable path, the key of a `WeightMap`. */
  name: string;
  shape: number[];
  /** The h5 group of the owning layer (`layers/dense`, `layers/transformer_encoder_3/...`). */
  h5Group: string;
  /** Index of the variable within that layer (`vars/0`, `vars/1`). */
  h5Index: number;
  /** Keras name of the owning layer, stored in the `name` attribute of its `vars` group. */
  layerName: string;
}

/** The encoder layer name KerasHub gives group `g`, inner layer `i`. */
export function encoderLayerName(group: number, inner: number): string {
  return `group_${group}_inner_layer_${inner}`;
}

/** The h5 group of encoder layer `k = g * R + i` (Keras numbers layer groups by class). */
export function encoderH5Group(k: number): string {
  return `layers/transformer_encoder${k === 0 ? "" : `_${k}`}`;
}

/**
 * Every variable of an `AlbertBackbone` with this config, in KerasHub's order. The h5 group
 * names come from the layer classes (Keras 3 names `.weights.h5` groups that way), encoder
 * `k = g * R + i` being `transformer_encoder` for k = 0 and `transformer_encoder_k` after.
 */
export function backboneWeightSpecs(config: AlbertBackboneConfig): WeightSpec[] {
  const { vocabulary_size: V, embedding_dim: E, hidden_dim: H, intermediate_dim: I } = config;
  const N = config.num_heads;
  const D = H / N;
  const specs: WeightSpec[] = [];
  const layer = (layerName: string, h5Group: string, vars: [string, number[]][]) => {
    vars.forEach(([variable, shape], h5Index) =>
      specs.push({ name: `${layerName}/${variable}`, shape, h5Group, h5Index, layerName }),
    );
  };
  const dense = (inDim: number, outDim: number): [string, number[]][] => [
    ["kernel", [inDim, outDim]],
    ["bias", [outDim]],
  ];
  const norm = (dim: number): [string, number[]][] => [
    ["gamma", [dim]],
    ["beta", [dim]],
  ];

  layer("token_embedding", "layers/reversible_embedding", [["embeddings", [V, E]]]);
  layer("position_embedding", "layers/position_embedding", [
    ["embeddings", [config.max_sequence_length, E]],
  ]);
  layer("segment_embedding", "layers/embedding", [["embeddings", [config.num_segments, E]]]);
  layer("embeddings_layer_norm", "layers/layer_normalization", norm(E));
  layer("embedding_projection", "layers/dense", dense(E, H));
  for (let g = 0; g < config.num_groups; g++) {
    for (let i = 0; i < config.num_inner_repetitions; i++) {
      const k = g * config.num_inner_repetitions + i;
      const group = encoderH5Group(k);
      const name = encoderLayerName(g, i);
      const attention = `${name}/self_attention_layer`;
      for (const [keras, h5] of [
        ["query", "query_dense"],
        ["key", "key_dense"],
        ["value", "value_dense"],
      ] as const) {
        layer(`${attention}/${keras}`, `${group}/_self_attention_layer/${h5}`, [
          ["kernel", [H, N, D]],
          ["bias", [N, D]],
        ]);
      }
      layer(`${attention}/attention_output`, `${group}/_self_attention_layer/output_dense`, [
        ["kernel", [N, D, H]],
        ["bias", [H]],
      ]);
      layer(`${name}/self_attention_layer_norm`, `${group}/_self_attention_layer_norm`, norm(H));
      layer(
        `${name}/feedforward_intermediate_dense`,
        `${group}/_feedforward_intermediate_dense`,
        dense(H, I),
      );
      layer(`${name}/feedforward_output_dense`, `${group}/_feedforward_output_dense`, dense(I, H));
      layer(`${name}/feedforward_layer_norm`, `${group}/_feedforward_layer_norm`, norm(H));
    }
  }
  layer("pooled_dense", "layers/dense_1", dense(H, H));
  return specs;
}

/** Number of elements of a tensor with this shape. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Every problem of a weight map for a backbone with this config: missing variables, wrong
 * shapes, data of the wrong length or type, and names the backbone does not have. Empty when
 * the map is exactly the backbone's.
 */
export function findWeightMapProblems(config: AlbertBackboneConfig, weights: WeightMap): string[] {
  const problems: string[] = [];
  const specs = backboneWeightSpecs(config);
  for (const spec of specs) {
    const tensor = weights.get(spec.name);
    if (tensor === undefined) problems.push(`missing weight ${spec.name} [${spec.shape}]`);
    else if (!Array.isArray(tensor.shape) || !sameShape(tensor.shape, spec.shape)) {
      problems.push(`weight ${spec.name} has shape [${tensor.shape}], the config implies [${spec.shape}]`);
    } else if (!(tensor.data instanceof Float32Array)) {
      problems.push(`weight ${spec.name} must hold a Float32Array`);
    } else if (tensor.data.length !== sizeOf(spec.shape)) {
      problems.push(`weight ${spec.name} holds ${tensor.data.length} values, its shape [${spec.shape}] needs ${sizeOf(spec.shape)}`);
    }
  }
  const known = new Set(specs.map((s) => s.name));
  const extra = [...weights.keys()].filter((name) => !known.has(name));
  if (extra.length > 0) {
    problems.push(
      `unknown weights ${extra.slice(0, 5).join(", ")}${extra.length > 5 ? ` and ${extra.length - 5} more` : ""}`,
    );
  }
  return problems;
}
