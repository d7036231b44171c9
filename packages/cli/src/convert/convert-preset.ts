import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { readPreset, writePreset, type WeightMap } from "@albert/presets";
import { AlbertTextClassifierPreprocessor, AlbertTokenizer } from "@albert/tokenizer";
import type { ConvertOptions } from "../commands/convert.js";
import { CliError, UsageError } from "../errors.js";
import { formatInteger } from "../format/table.js";
import { resolvePresetDir } from "../preset-resolve.js";
import type { Reporter } from "../reporter.js";
import { copyKerasTokenizer, findTokenizer } from "./tokenizer-files.js";

/** What `convert` did, also its `--json` output. */
export interface ConvertReport {
  source: string;
  sourceDir: string;
  sourceFormat: "keras" | "transformers";
  dest: string;
  files: string[];
  parameterCount: number;
  tokenizer: "converted" | "copied" | "none";
  /** Whether the written tokenizer lowercases (recorded in its tokenizer.json); null without one. */
  lowercase: boolean | null;
  /** Whether the written preset was read back and matched the source bit for bit. */
  verified: boolean;
}

/** KerasHub's default packed length, capped by the model's position table. */
const KERAS_DEFAULT_SEQUENCE_LENGTH = 512;

function sameWeights(a: WeightMap, b: WeightMap): string | undefined {
  if (a.size !== b.size) return `${b.size} weights instead of ${a.size}`;
  for (const [name, w] of a) {
    const other = b.get(name);
    if (other === undefined) return `${name} is missing`;
    if (other.shape.join(",") !== w.shape.join(","))
      return `${name} has shape [${other.shape}] instead of [${w.shape}]`;
    const x = new Uint32Array(w.data.buffer, w.data.byteOffset, w.data.length);
    const y = new Uint32Array(other.data.buffer, other.data.byteOffset, other.data.length);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return `${name} differs at element ${i}`;
  }
  return undefined;
}

export async function convertPreset(
  source: string,
  destArg: string,
  options: ConvertOptions,
  cwd: string,
  reporter: Reporter,
): Promise<ConvertReport> {
  const dest = path.resolve(cwd, destArg);
  if (existsSync(dest) && readdirSync(dest).length > 0 && !options.force) {
    throw new UsageError(
      `${dest} already exists and is not empty`,
      "Choose a new folder, or pass --force to write into it.",
    );
  }
  const sourceDir = await resolvePresetDir(source, options);
  if (path.resolve(sourceDir) === dest) {
    throw new UsageError(
      "SRC and DEST are the same folder",
      "Write the KerasHub preset to a new folder.",
    );
  }
  const contents = await readPreset(sourceDir);
  const written = await writePreset(dest, {
    config: contents.config,
    weights: contents.weights,
    onWarning: (message) => reporter.note(`warning: ${message}`),
  });
  const files = [...written.files];

  const found = findTokenizer(sourceDir);
  let tokenizer: ConvertReport["tokenizer"] = "none";
  let lowercase: boolean | null = null;
  if (found.kind === "none") {
    reporter.note(
      `note: ${source} has no tokenizer (spiece.model or tokenizer.json); the preset has only the backbone`,
    );
  } else {
    // Loaded from the handle the user typed, so that the casing defaults as the tokenizer
    // package decides it (recorded casing, HF's do_lower_case, a built-in *_uncased preset).
    const src = await AlbertTokenizer.fromPreset(source, {
      ...(options.source === undefined ? {} : { source: options.source }),
      ...(options.revision === undefined ? {} : { revision: options.revision }),
    });
    if (found.kind === "transformers") {
      const sequenceLength = Math.min(
        KERAS_DEFAULT_SEQUENCE_LENGTH,
        contents.config.max_sequence_length,
      );
      const preprocessor = new AlbertTextClassifierPreprocessor({ tokenizer: src, sequenceLength });
      files.push(...(await preprocessor.saveToPreset(dest)));
      tokenizer = "converted";
    } else {
      files.push(...copyKerasTokenizer(sourceDir, dest));
      // KerasHub's tokenizer.json again, now with the casing recorded.
      await src.saveToPreset(dest);
      tokenizer = "copied";
    }
    lowercase = src.lowercase;
    if (src.vocabularySize() > contents.config.vocabulary_size) {
      reporter.note(
        `warning: the tokenizer has ${src.vocabularySize()} pieces but the model's vocabulary_size is ${contents.config.vocabulary_size}`,
      );
    }
    // Read back with no options: the written preset alone must give the source's ids.
    const back = await AlbertTokenizer.fromPreset(dest);
    const sample = "The quick brown fox jumps over the lazy dog; ALBERT 2.0, e.g. naïve café.";
    if (
      back.lowercase !== src.lowercase ||
      back.tokenize(sample).join(",") !== src.tokenize(sample).join(",")
    ) {
      throw new CliError(`the converted tokenizer in ${dest} gives other ids than ${source}'s`);
    }
  }

  if (options.verify) {
    const back = await readPreset(dest);
    const difference = sameWeights(contents.weights, back.weights);
    if (difference !== undefined)
      throw new CliError(`verification failed: the written preset's ${difference}`);
  }
  const parameterCount = [...contents.weights.values()].reduce((n, w) => n + w.data.length, 0);
  return {
    source,
    sourceDir,
    sourceFormat: contents.format,
    dest,
    files,
    parameterCount,
    tokenizer,
    lowercase,
    verified: options.verify,
  };
}

/** The human-readable summary; `dest` as the user typed it, for the suggested command. */
export function formatConvertReport(r: ConvertReport, dest: string): string {
  return [
    `Converted ${r.source} (${r.sourceFormat === "transformers" ? "HF transformers" : "KerasHub"}) to a KerasHub preset in ${r.dest}`,
    `  files: ${r.files.join(", ")}`,
    `  ${formatInteger(r.parameterCount)} parameters${r.verified ? ", read back bit-exact" : ""}; tokenizer ${r.tokenizer}${r.lowercase === null ? "" : ` (lowercase ${r.lowercase ? "on" : "off"}, recorded in tokenizer.json)`}`,
    r.tokenizer === "none" ? "" : `Use it: albert encode --preset ${dest} "..."`,
    "",
  ]
    .filter((line, i, all) => line !== "" || i === all.length - 1)
    .join("\n");
}
