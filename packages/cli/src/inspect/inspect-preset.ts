import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import {
  backboneWeightSpecs,
  countBackboneParams,
  getPreset,
  isBuiltinPreset,
  readPreset,
  type AlbertBackboneConfig,
  type StoredDtype,
} from "@albert/presets";
import { AlbertTokenizer } from "@albert/tokenizer";
import { formatInteger, formatTable } from "../format/table.js";
import type { InspectOptions } from "../commands/inspect.js";
import { handleNamesUncased } from "../preset-options.js";
import { resolvePresetDir } from "../preset-resolve.js";

interface WeightRow {
  name: string;
  shape: number[];
  /** How the file stores it (it is float32 in memory); absent when weights were not read. */
  dtype?: string;
}

interface TokenizerSummary {
  vocabularySize: number;
  /** What `albert encode` does by default for this preset. */
  lowercase: boolean;
}

/** Everything `inspect` reports, also its `--json` output. */
export interface InspectReport {
  preset: string;
  /** The local folder, absent for a built-in config that was not downloaded. */
  dir?: string;
  format: "keras" | "transformers" | "built-in";
  config: AlbertBackboneConfig;
  parameterCount: number;
  storedDtypes: StoredDtype[];
  weightsLoaded: boolean;
  weights: WeightRow[];
  tokenizer: TokenizerSummary | null;
  files: string[];
  metadata?: Record<string, unknown>;
}

/** The preset's own files: the top level and its assets (not other folders, nor cache markers). */
function listFiles(dir: string, prefix = ""): string[] {
  return readdirSync(path.join(dir, prefix))
    .filter((name) => !name.startsWith(".albert-") && !name.endsWith(".lock"))
    .sort()
    .flatMap((name) => {
      const rel = prefix === "" ? name : `${prefix}/${name}`;
      if (!statSync(path.join(dir, rel)).isDirectory()) return [rel];
      return prefix !== "" || name === "assets" ? listFiles(dir, rel) : [];
    });
}

async function tokenizerSummary(dir: string, handle: string): Promise<TokenizerSummary | null> {
  try {
    const tokenizer = await AlbertTokenizer.fromPreset(
      dir,
      handleNamesUncased(handle) ? { lowercase: true } : {},
    );
    return { vocabularySize: tokenizer.vocabularySize(), lowercase: tokenizer.lowercase };
  } catch (error) {
    if ((error as { code?: string }).code === "missing_file") return null;
    throw error;
  }
}

export async function inspectPreset(
  handle: string,
  options: InspectOptions,
): Promise<InspectReport> {
  if (!options.weights && isBuiltinPreset(handle) && !existsSync(handle)) {
    // As `AlbertBackbone.fromPreset(name, { loadWeights: false })`: the bundled config, no network.
    const config = getPreset(handle).config;
    return {
      preset: handle,
      format: "built-in",
      config,
      parameterCount: countBackboneParams(config),
      storedDtypes: [],
      weightsLoaded: false,
      weights: backboneWeightSpecs(config).map((s) => ({ name: s.name, shape: s.shape })),
      tokenizer: null,
      files: [],
    };
  }
  const dir = await resolvePresetDir(handle, options, options.weights);
  const contents = await readPreset(dir, { loadWeights: options.weights });
  const specs = backboneWeightSpecs(contents.config);
  // One dtype per file is what the readers report; a mixed file says which dtypes it holds.
  const dtype =
    contents.storedDtypes.length === 1 ? contents.storedDtypes[0] : contents.storedDtypes.join("|");
  const weights = options.weights
    ? specs.map((s) => ({
        name: s.name,
        shape: contents.weights.get(s.name)?.shape ?? s.shape,
        ...(dtype ? { dtype } : {}),
      }))
    : specs.map((s) => ({ name: s.name, shape: s.shape }));
  const loadedCount = [...contents.weights.values()].reduce((n, w) => n + w.data.length, 0);
  return {
    preset: handle,
    dir,
    format: contents.format,
    config: contents.config,
    parameterCount: options.weights ? loadedCount : countBackboneParams(contents.config),
    storedDtypes: contents.storedDtypes,
    weightsLoaded: options.weights,
    weights,
    tokenizer: await tokenizerSummary(dir, handle),
    files: listFiles(dir),
    ...(contents.metadata === undefined ? {} : { metadata: contents.metadata }),
  };
}

export function formatInspectReport(r: InspectReport): string {
  const lines = [
    `Preset:      ${r.preset}`,
    ...(r.dir === undefined ? [] : [`Folder:      ${r.dir}`]),
    `Format:      ${r.format === "keras" ? "KerasHub preset" : r.format === "transformers" ? "HF transformers checkpoint" : "built-in config (no download; weights not read)"}`,
    `Parameters:  ${formatInteger(r.parameterCount)}`,
    `Stored as:   ${r.weightsLoaded ? r.storedDtypes.join(", ") || "-" : "- (weights not read)"}`,
    `Tokenizer:   ${r.tokenizer === null ? (r.format === "built-in" ? "- (not downloaded)" : "none") : `SentencePiece, ${r.tokenizer.vocabularySize} pieces, lowercase ${r.tokenizer.lowercase ? "on" : "off"} by default`}`,
  ];
  if (r.files.length > 0) lines.push(`Files:       ${r.files.join(", ")}`);
  lines.push("", "Config:");
  for (const [key, value] of Object.entries(r.config)) {
    lines.push(
      `  ${key.padEnd(22)} ${typeof value === "object" ? JSON.stringify(value) : String(value)}`,
    );
  }
  lines.push(
    "",
    `Weights (${r.weights.length}${r.weightsLoaded ? "" : ", shapes from the config"}):`,
  );
  const table = formatTable([
    ["name", "shape", "dtype"],
    ...r.weights.map((w) => [w.name, `[${w.shape.join(", ")}]`, w.dtype ?? "-"]),
  ]);
  lines.push(...table.split("\n").map((l) => `  ${l}`));
  return lines.join("\n");
}
