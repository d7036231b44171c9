import { existsSync } from "../platform/fs.js";
import path from "../platform/path.js";
import type { AlbertBackboneConfig } from "../config.js";
import { PresetError } from "../errors.js";
import { isJsonObject, readJsonFile } from "../json-file.js";
import { safeJoin } from "../safe-paths.js";
import {
  backboneWeightSpecs,
  sameShape,
  sizeOf,
  type WeightMap,
  type WeightSpec,
} from "../weights.js";
import type { StoredDtype } from "../weights.js";
import {
  readSafetensorsHeader,
  readSafetensorsTensor,
  type SafetensorsEntry,
  type SafetensorsHeader,
} from "./safetensors.js";

export const SAFETENSORS_FILE = "model.safetensors";
export const SAFETENSORS_INDEX = "model.safetensors.index.json";
/** PyTorch pickles: never loaded (unpickling runs code from the file). */
export const PICKLE_WEIGHT_FILES = ["pytorch_model.bin", "pytorch_model.bin.index.json"] as const;

/** How one KerasHub variable is found in an HF checkpoint. */
export interface HfTensorMapping {
  /** The KerasHub variable (the `WeightMap` key) and its Keras shape. */
  spec: WeightSpec;
  /** The HF tensor name, without the `albert.` prefix. */
  hfName: string;
  /** The tensor's shape in the HF checkpoint. */
  hfShape: number[];
  /** torch `Linear.weight` is `(out, in)`, Keras kernels `(in, ...out)`: transpose. */
  transpose: boolean;
}

const DTYPE_NAMES: Record<string, StoredDtype> = {
  F32: "float32",
  F16: "float16",
  BF16: "bfloat16",
};

/** The HF name (without prefix) of a KerasHub variable, per WEIGHT-MAPPING.md. */
function hfNameOf(kerasName: string): { hfName: string; transpose: boolean } {
  const fixed: Record<string, string> = {
    "token_embedding/embeddings": "embeddings.word_embeddings.weight",
    "position_embedding/embeddings": "embeddings.position_embeddings.weight",
    "segment_embedding/embeddings": "embeddings.token_type_embeddings.weight",
    "embeddings_layer_norm/gamma": "embeddings.LayerNorm.weight",
    "embeddings_layer_norm/beta": "embeddings.LayerNorm.bias",
    "embedding_projection/kernel": "encoder.embedding_hidden_mapping_in.weight",
    "embedding_projection/bias": "encoder.embedding_hidden_mapping_in.bias",
    "pooled_dense/kernel": "pooler.weight",
    "pooled_dense/bias": "pooler.bias",
  };
  const direct = fixed[kerasName];
  if (direct !== undefined) return { hfName: direct, transpose: kerasName.endsWith("/kernel") };
  const match = /^group_(\d+)_inner_layer_(\d+)\/(.+)\/(kernel|bias|gamma|beta)$/.exec(kerasName);
  if (match === null) throw new Error(`no HF name for ${kerasName}`);
  const [, g, i, layer, variable] = match;
  const sublayers: Record<string, string> = {
    "self_attention_layer/query": "attention.query",
    "self_attention_layer/key": "attention.key",
    "self_attention_layer/value": "attention.value",
    "self_attention_layer/attention_output": "attention.dense",
    self_attention_layer_norm: "attention.LayerNorm",
    feedforward_intermediate_dense: "ffn",
    feedforward_output_dense: "ffn_output",
    feedforward_layer_norm: "full_layer_layer_norm",
  };
  const suffix = variable === "kernel" || variable === "gamma" ? "weight" : "bias";
  return {
    hfName: `encoder.albert_layer_groups.${g}.albert_layers.${i}.${sublayers[layer!]}.${suffix}`,
    transpose: variable === "kernel",
  };
}

/**
 * Every backbone variable with the HF tensor it comes from, that tensor's shape and whether it
 * is transposed. The head reshapes of WEIGHT-MAPPING.md (`W.T.reshape(H, N, D)`, ...) are only
 * a change of shape on row-major data, so a transpose is the one data transform.
 */
export function hfTensorMappings(config: AlbertBackboneConfig): HfTensorMapping[] {
  return backboneWeightSpecs(config).map((spec) => {
    const { hfName, transpose } = hfNameOf(spec.name);
    let hfShape: number[];
    if (transpose) {
      // attention_output's kernel is (N, D, H): its input is N*D wide; others are (in, ...out).
      const inDim = spec.name.endsWith("attention_output/kernel")
        ? spec.shape[0]! * spec.shape[1]!
        : spec.shape[0]!;
      hfShape = [sizeOf(spec.shape) / inDim, inDim];
    } else {
      hfShape =
        spec.shape.length === 2 && spec.name.endsWith("/bias") ? [sizeOf(spec.shape)] : spec.shape;
    }
    return { spec, hfName, hfShape, transpose };
  });
}

/** `(rows, cols)` row-major → `(cols, rows)` row-major. */
export function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) {
    const row = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[row + c]!;
  }
  return out;
}

/** Where each tensor of a checkpoint is: one safetensors file or the shards of an index. */
export interface TensorLocator {
  label: string;
  names: string[];
  locate(name: string): { header: SafetensorsHeader; entry: SafetensorsEntry };
}

function singleFileLocator(file: string): TensorLocator {
  const header = readSafetensorsHeader(file);
  return {
    label: file,
    names: [...header.tensors.keys()],
    locate: (name) => ({ header, entry: header.tensors.get(name)! }),
  };
}

function indexLocator(dir: string, indexPath: string): TensorLocator {
  const json = readJsonFile(indexPath);
  const weightMap = isJsonObject(json) ? json["weight_map"] : undefined;
  if (!isJsonObject(weightMap) || !Object.values(weightMap).every((v) => typeof v === "string")) {
    throw new PresetError(
      "corrupt_weights",
      `${indexPath} is not a safetensors index: it needs a "weight_map" object from tensor names to shard files`,
      { path: indexPath },
    );
  }
  const files = new Map<string, string>();
  for (const shard of new Set(Object.values(weightMap) as string[])) {
    files.set(shard, safeJoin(dir, shard, indexPath));
  }
  const headers = new Map<string, SafetensorsHeader>();
  return {
    label: indexPath,
    names: Object.keys(weightMap),
    locate(name) {
      const shard = weightMap[name] as string;
      let header = headers.get(shard);
      if (header === undefined) {
        const file = files.get(shard)!;
        if (!existsSync(file)) {
          throw new PresetError(
            "missing_file",
            `${file} is missing: ${indexPath} lists it as the shard holding ${name}. Download the whole checkpoint again.`,
            { path: file },
          );
        }
        header = readSafetensorsHeader(file);
        headers.set(shard, header);
      }
      const entry = header.tensors.get(name);
      if (entry === undefined) {
        throw new PresetError(
          "corrupt_weights",
          `${header.file} does not hold ${name}, although ${indexPath} says it does`,
          { path: header.file },
        );
      }
      return { header, entry };
    },
  };
}

/**
 * The tensors of the HF checkpoint in `dir`: `model.safetensors`, or
 * `model.safetensors.index.json` and its shards (PyTorch pickles are refused).
 */
export function openTransformersCheckpoint(dir: string): TensorLocator {
  const indexPath = path.join(dir, SAFETENSORS_INDEX);
  const singlePath = path.join(dir, SAFETENSORS_FILE);
  if (existsSync(indexPath)) return indexLocator(dir, indexPath);
  if (existsSync(singlePath)) return singleFileLocator(singlePath);
  throw missingSafetensors(dir);
}

/** The prefix in front of the backbone's tensor names: `albert.`, none, or another one. */
export function backbonePrefix(names: readonly string[], label: string): string {
  const anchor = "embeddings.word_embeddings.weight";
  const set = new Set(names);
  if (set.has(`albert.${anchor}`)) return "albert.";
  if (set.has(anchor)) return "";
  const candidates = names.filter((n) => n.endsWith(`.${anchor}`));
  if (candidates.length === 1) return candidates[0]!.slice(0, -anchor.length);
  throw new PresetError(
    "weights_mismatch",
    candidates.length === 0
      ? `${label} holds no ALBERT embeddings (albert.${anchor} or ${anchor}); it is not an ALBERT checkpoint`
      : `${label} holds several ALBERT models (${candidates.join(", ")}); cannot tell which one is the backbone`,
    { path: label },
  );
}

export interface TransformersWeightsReadResult {
  weights: WeightMap;
  storedDtypes: Set<StoredDtype>;
  /** True when the checkpoint has no pooler and `allowMissingPooler` let it through: `weights`
   * then lacks `pooled_dense/*`. */
  poolerMissing?: boolean;
}

export interface ReadTransformersWeightsOptions {
  /**
   * Accept a checkpoint without `pooler.*` (transformers' AlbertForMaskedLM,
   * AlbertForTokenClassification and AlbertForQuestionAnswering are built without one) and
   * return the other weights, with `poolerMissing: true`. Default false: refused, as KerasHub
   * refuses it, because a backbone's pooled output needs them.
   */
  allowMissingPooler?: boolean;
}

/**
 * Reads the backbone weights of an HF transformers ALBERT checkpoint in `dir`
 * (`model.safetensors`, or `model.safetensors.index.json` and its shards) and converts them
 * to KerasHub variable names and shapes. Tensor names may carry the `albert.` prefix
 * (`AlbertForPreTraining`, `AlbertForMaskedLM`) or none (`AlbertModel`); heads
 * (`predictions.*`, `sop_classifier.*`) are ignored. Every shape is checked against the config
 * before any tensor is read. A checkpoint without pooler weights is refused, as KerasHub does:
 * the backbone's pooled output needs them and inventing them would give wrong outputs.
 */
export function readTransformersWeights(
  dir: string,
  config: AlbertBackboneConfig,
  options: ReadTransformersWeightsOptions = {},
): TransformersWeightsReadResult {
  const locator = openTransformersCheckpoint(dir);

  const mismatch = (message: string): never => {
    throw new PresetError("weights_mismatch", `${locator.label}: ${message}`, {
      path: locator.label,
    });
  };
  const prefix = backbonePrefix(locator.names, locator.label);
  const names = new Set(locator.names);
  let mappings = hfTensorMappings(config);

  let missing = mappings.filter((m) => !names.has(prefix + m.hfName));
  const poolerMissing =
    missing.length > 0 && missing.every((m) => m.hfName.startsWith("pooler."));
  if (poolerMissing && options.allowMissingPooler === true) {
    mappings = mappings.filter((m) => !m.hfName.startsWith("pooler."));
    missing = [];
  }
  if (missing.length > 0) {
    if (poolerMissing) {
      mismatch(
        `it has no pooler weights (${prefix}pooler.weight, ${prefix}pooler.bias): it was saved from a ` +
          "model without a pooling layer, such as transformers' AlbertForMaskedLM. KerasHub's AlbertBackbone " +
          "always has the pooler (pooled_dense), and KerasHub's converter refuses such checkpoints too; " +
          "pooler weights are not invented here. Use a checkpoint saved from AlbertModel or " +
          "AlbertForPreTraining, which keep the pooler.",
      );
    }
    mismatch(
      `missing ${missing.length} tensor(s) that config.json implies, e.g. ` +
        `${missing
          .slice(0, 3)
          .map((m) => prefix + m.hfName)
          .join(", ")}; the checkpoint does not match its config`,
    );
  }
  const layerPattern = new RegExp(
    `^${prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}encoder\\.albert_layer_groups\\.(\\d+)\\.albert_layers\\.(\\d+)\\.`,
  );
  for (const name of locator.names) {
    const m = layerPattern.exec(name);
    if (
      m !== null &&
      (Number(m[1]) >= config.num_groups || Number(m[2]) >= config.num_inner_repetitions)
    ) {
      mismatch(
        `holds ${name}, but config.json implies ${config.num_groups} group(s) of ` +
          `${config.num_inner_repetitions} layer(s) (num_hidden_groups, inner_group_num)`,
      );
    }
  }
  const located = mappings.map((m) => ({ mapping: m, ...locator.locate(prefix + m.hfName) }));
  for (const { mapping, entry } of located) {
    if (!sameShape(entry.shape, mapping.hfShape)) {
      mismatch(
        `tensor ${entry.name} has shape [${entry.shape}], config.json implies [${mapping.hfShape}]`,
      );
    }
  }
  const weights: WeightMap = new Map();
  const storedDtypes = new Set<StoredDtype>();
  for (const { mapping, header, entry } of located) {
    let data = readSafetensorsTensor(header, entry);
    if (mapping.transpose) data = transpose2d(data, mapping.hfShape[0]!, mapping.hfShape[1]!);
    const stored = DTYPE_NAMES[entry.dtype];
    if (stored !== undefined) storedDtypes.add(stored);
    weights.set(mapping.spec.name, { shape: [...mapping.spec.shape], data });
  }
  return { weights, storedDtypes, ...(poolerMissing ? { poolerMissing: true } : {}) };
}

function missingSafetensors(dir: string): PresetError {
  const pickle = PICKLE_WEIGHT_FILES.find((f) => existsSync(path.join(dir, f)));
  if (pickle !== undefined) return pickleRefusal(path.join(dir, pickle));
  return new PresetError(
    "missing_file",
    `${dir} has a transformers config.json but no ${SAFETENSORS_FILE} or ${SAFETENSORS_INDEX}`,
    { path: path.join(dir, SAFETENSORS_FILE) },
  );
}

/** The error for a checkpoint that only has PyTorch pickle weights. */
export function pickleRefusal(file: string): PresetError {
  return new PresetError(
    "unsupported_format",
    `${file} is a PyTorch pickle and this checkpoint has no safetensors weights. Pickles are never ` +
      "loaded here, because unpickling a downloaded file can run arbitrary code. Convert it once in a " +
      "trusted environment (transformers: `AutoModel.from_pretrained(dir).save_pretrained(out, " +
      "safe_serialization=True)`), or use a revision of the repository that has model.safetensors.",
    { path: file },
  );
}
