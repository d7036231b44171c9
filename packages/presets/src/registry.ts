import { dtypePolicy, type AlbertBackboneConfig } from "./config.js";
import { PresetError } from "./errors.js";
import { parseKaggleHandle } from "./resolve/handles.js";

/** One of the published ALBERT presets, as KerasHub's `albert_presets.py` lists it. */
export interface PresetInfo {
  name: string;
  /** Parameter count of the backbone (KerasHub's documented figure). */
  params: number;
  description: string;
  /** The backbone config, exactly what the preset's `config.json` holds. */
  config: AlbertBackboneConfig;
  /** Where KerasHub downloads it from. */
  kaggleHandle: string;
  /** The same weights in HF transformers format (the second source). */
  hfHandle: string;
}

const DESCRIPTION = "ALBERT model where all input is lowercased. Trained on English Wikipedia + BooksCorpus.";

function albertConfig(
  dims: Pick<AlbertBackboneConfig, "num_layers" | "num_heads" | "hidden_dim" | "intermediate_dim">,
): AlbertBackboneConfig {
  return {
    name: "albert_backbone",
    trainable: true,
    dtype: dtypePolicy("float32"),
    vocabulary_size: 30000,
    num_layers: dims.num_layers,
    num_heads: dims.num_heads,
    num_groups: 1,
    num_inner_repetitions: 1,
    embedding_dim: 128,
    hidden_dim: dims.hidden_dim,
    intermediate_dim: dims.intermediate_dim,
    dropout: 0,
    max_sequence_length: 512,
    num_segments: 2,
  };
}

function preset(
  name: string,
  version: number,
  hfName: string,
  params: number,
  dims: Parameters<typeof albertConfig>[0],
): PresetInfo {
  return {
    name,
    params,
    description: `${dims.num_layers}-layer ${DESCRIPTION}`,
    config: albertConfig(dims),
    kaggleHandle: `kaggle://keras/albert/keras/${name}/${version}`,
    hfHandle: `hf://albert/${hfName}`,
  };
}

const PRESETS: readonly PresetInfo[] = [
  preset("albert_base_en_uncased", 5, "albert-base-v2", 11683584, {
    num_layers: 12, num_heads: 12, hidden_dim: 768, intermediate_dim: 3072,
  }),
  preset("albert_large_en_uncased", 3, "albert-large-v2", 17683968, {
    num_layers: 24, num_heads: 16, hidden_dim: 1024, intermediate_dim: 4096,
  }),
  preset("albert_extra_large_en_uncased", 3, "albert-xlarge-v2", 58724864, {
    num_layers: 24, num_heads: 16, hidden_dim: 2048, intermediate_dim: 8192,
  }),
  preset("albert_extra_extra_large_en_uncased", 3, "albert-xxlarge-v2", 222595584, {
    num_layers: 12, num_heads: 64, hidden_dim: 4096, intermediate_dim: 16384,
  }),
];

/** The four published ALBERT presets (copies: changing them changes nothing here). */
export function listPresets(): PresetInfo[] {
  return PRESETS.map((p) => structuredClone(p));
}

/** Whether `name` is one of the published presets' names. */
export function isBuiltinPreset(name: string): boolean {
  return PRESETS.some((p) => p.name === name);
}

/**
 * Whether `handle` names one of the published `*_uncased` presets (whose text the model saw
 * lowercased): by name (`albert_base_en_uncased`) or by its Kaggle handle at any version
 * (`kaggle://keras/albert/keras/albert_base_en_uncased/5`). A folder's name never counts: a
 * local folder holds whatever its tokenizer files say.
 */
export function isBuiltinUncasedHandle(handle: string): boolean {
  if (isBuiltinPreset(handle)) return handle.endsWith("_uncased");
  if (!/^kaggle:\/\//i.test(handle)) return false;
  let base: string;
  try {
    const h = parseKaggleHandle(handle);
    base = `kaggle://${h.owner}/${h.model}/${h.framework}/${h.variation}`;
  } catch {
    return false;
  }
  return PRESETS.some(
    (p) => p.name.endsWith("_uncased") && p.kaggleHandle.replace(/\/\d+$/, "") === base,
  );
}

/** A published preset by name, or a `PresetError` listing the names that exist. */
export function getPreset(name: string): PresetInfo {
  const found = PRESETS.find((p) => p.name === name);
  if (found === undefined) {
    throw new PresetError(
      "unknown_preset",
      `Unknown preset '${name}'. Built-in presets: ${PRESETS.map((p) => p.name).join(", ")}; ` +
        "or pass a local directory, a kaggle:// or an hf:// handle.",
    );
  }
  return structuredClone(found);
}
