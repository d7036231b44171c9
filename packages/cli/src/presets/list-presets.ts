import { albertHome, listPresets, resolvePreset, type PresetInfo } from "@albert/presets";
import { formatBytes, formatCount, formatTable } from "../format/table.js";
import { writeText, type Io } from "../io/streams.js";

/** Where a published preset is in the local cache: with its weights, only its config and
 * tokenizer (a `loadWeights: false` load), or not at all. */
export type CacheState = "weights" | "config" | "no";

interface PresetRow {
  name: string;
  params: number;
  /** float32 weights: what a download weighs. */
  downloadBytes: number;
  layers: number;
  hidden: number;
  heads: number;
  kaggle: string;
  hf: string;
  cached: { kaggle: CacheState; hf: CacheState };
  description: string;
}

async function resolvesOffline(handle: string, loadWeights: boolean): Promise<boolean> {
  try {
    await resolvePreset(handle, { loadWeights, progressBar: false });
    return true;
  } catch {
    return false;
  }
}

async function cacheState(handle: string): Promise<CacheState> {
  if (await resolvesOffline(handle, true)) return "weights";
  return (await resolvesOffline(handle, false)) ? "config" : "no";
}

/**
 * Whether each handle resolves from the cache alone. Asking the resolver itself with the
 * network forbidden (rather than reading cache folders here) gives the answer a later load
 * would get, huggingface_hub's and kagglehub's caches included. The presets package reads the
 * environment per call, so `ALBERT_OFFLINE` is set around the (sequential) checks and restored.
 */
async function presetRows(): Promise<PresetRow[]> {
  const saved = process.env["ALBERT_OFFLINE"];
  process.env["ALBERT_OFFLINE"] = "1";
  try {
    const rows: PresetRow[] = [];
    for (const p of listPresets()) rows.push(await presetRow(p));
    return rows;
  } finally {
    if (saved === undefined) delete process.env["ALBERT_OFFLINE"];
    else process.env["ALBERT_OFFLINE"] = saved;
  }
}

async function presetRow(p: PresetInfo): Promise<PresetRow> {
  return {
    name: p.name,
    params: p.params,
    downloadBytes: p.params * 4,
    layers: p.config.num_layers,
    hidden: p.config.hidden_dim,
    heads: p.config.num_heads,
    kaggle: p.kaggleHandle,
    hf: p.hfHandle,
    cached: { kaggle: await cacheState(p.kaggleHandle), hf: await cacheState(p.hfHandle) },
    description: p.description,
  };
}

function describeCache(cached: PresetRow["cached"]): string {
  const parts = (["kaggle", "hf"] as const).flatMap((hub) =>
    cached[hub] === "weights" ? [hub] : cached[hub] === "config" ? [`${hub} (config only)`] : [],
  );
  return parts.length === 0 ? "no" : `yes: ${parts.join(", ")}`;
}

export async function runPresets(options: { json: boolean }, io: Io): Promise<void> {
  const rows = await presetRows();
  if (options.json) {
    await writeText(
      io.stdout,
      `${JSON.stringify({ cache: albertHome(), presets: rows }, null, 2)}\n`,
    );
    return;
  }
  const table = formatTable([
    ["name", "params", "download", "layers", "hidden", "heads", "kaggle", "hf", "cached"],
    ...rows.map((r) => [
      r.name,
      formatCount(r.params),
      formatBytes(r.downloadBytes),
      String(r.layers),
      String(r.hidden),
      String(r.heads),
      r.kaggle,
      r.hf,
      describeCache(r.cached),
    ]),
  ]);
  await writeText(
    io.stdout,
    `${table}\n\nCache: ${albertHome()} (ALBERT_HOME). A built-in name loads from Kaggle, falling back to HF.\n`,
  );
}
