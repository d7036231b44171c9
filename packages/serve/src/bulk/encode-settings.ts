import { createHash } from "node:crypto";
import { existsSync, mkdirSync, openSync, readFileSync, readSync, closeSync, readdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Pooling } from "@albert/core";
import { ServeError } from "../errors.js";
import type { CorpusFormat } from "./corpus-reader.js";

/** Everything that decides a bulk run's numbers and layout: the same settings give the same files. */
export interface EncodeSettings {
  /** The preset handle (workers must serve the same). */
  preset: string;
  pooling: Pooling;
  normalize: boolean;
  /** Tokens per text with `[CLS]` and `[SEP]`; null: the preset's. */
  sequenceLength: number | null;
  /** null: the preset's casing. */
  lowercase: boolean | null;
  /** Rows per shard (the window sorted by length). */
  shardSize: number;
  /** Padded tokens per model call at most. */
  maxBatchTokens: number;
  /** Rows per model call at most. */
  maxBatchSize: number;
  /** KerasHub dtype policy; null: float32. */
  dtype: string | null;
}

/** What `manifest.json` in an output folder records. */
export interface Manifest {
  format: "albert-bulk-encode/1";
  input: { name: string; bytes: number; format: CorpusFormat; head_sha256: string };
  settings: EncodeSettings;
  /** Filled in when every shard is written. */
  complete?: { rows: number; shards: number; dim: number };
}

const MANIFEST = "manifest.json";
const HEAD_BYTES = 1 << 20;

/** Identifies an input file cheaply: its size and a hash of its first MiB. */
function inputIdentity(file: string, format: CorpusFormat): Manifest["input"] {
  const bytes = statSync(file).size;
  const head = Buffer.alloc(Math.min(bytes, HEAD_BYTES));
  const fd = openSync(file, "r");
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  return { name: path.basename(file), bytes, format, head_sha256: createHash("sha256").update(head).digest("hex") };
}

/** A short id for a run (its queue jobs' prefix): the hash of its manifest and output folder. */
export function runId(manifest: Manifest, dir: string): string {
  return createHash("sha256").update(JSON.stringify({ input: manifest.input, settings: manifest.settings, dir: path.resolve(dir) })).digest("hex").slice(0, 16);
}

/**
 * Prepares an output folder for a run: creates it with a manifest, or, when it holds one,
 * checks that it describes the same input and settings (so a rerun resumes exactly), else
 * refuses, naming what differs. A folder with other files and no manifest is refused too.
 */
export function openOutput(dir: string, file: string, format: CorpusFormat, settings: EncodeSettings): Manifest {
  if (!existsSync(file)) throw new ServeError("invalid_input", `${file}: no such file`);
  const manifest: Manifest = { format: "albert-bulk-encode/1", input: inputIdentity(file, format), settings };
  const at = path.join(dir, MANIFEST);
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new ServeError("output_conflict", `output ${dir} is a file; give a folder (it is created if missing)`);
  }
  mkdirSync(dir, { recursive: true });
  if (!existsSync(at)) {
    const others = readdirSync(dir).filter((name) => !name.startsWith("."));
    if (others.length > 0) {
      throw new ServeError("output_conflict", `output folder ${dir} holds files (${others.slice(0, 3).join(", ")}${others.length > 3 ? ", ..." : ""}) but no ${MANIFEST}; give an empty or new folder`);
    }
    writeManifest(dir, manifest);
    return manifest;
  }
  const existing = JSON.parse(readFileSync(at, "utf8")) as Manifest;
  const differences: string[] = [];
  for (const [key, value] of Object.entries(manifest.input)) {
    const old = (existing.input as Record<string, unknown>)[key];
    if (old !== value) differences.push(`input ${key} ${JSON.stringify(old)} → ${JSON.stringify(value)}`);
  }
  for (const [key, value] of Object.entries(settings)) {
    const old = (existing.settings as unknown as Record<string, unknown>)[key];
    if (old !== value) differences.push(`${key} ${JSON.stringify(old)} → ${JSON.stringify(value)}`);
  }
  if (differences.length > 0) {
    throw new ServeError(
      "output_conflict",
      `output folder ${dir} holds a run with other input or settings (${differences.join("; ")}); rerun with the same ones to resume, or use a new folder`,
    );
  }
  return existing;
}

/** Writes the manifest atomically (a rename), so a crash leaves the old or the new one. */
export function writeManifest(dir: string, manifest: Manifest): void {
  const at = path.join(dir, MANIFEST);
  const partial = `${at}.partial-${process.pid}`;
  writeFileSync(partial, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(partial, at);
}
