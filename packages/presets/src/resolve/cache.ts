import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import type { HfHandle, KaggleHandle } from "./handles.js";
import { albertHome, hfHubCacheDir, kagglehubCacheDir } from "./env.js";

/**
 * The cache under `ALBERT_HOME`:
 *
 *     <ALBERT_HOME>/hf/models--<org>--<name>/snapshots/<commit>/...    one folder per commit
 *     <ALBERT_HOME>/hf/models--<org>--<name>/refs/<revision>           the commit it points to
 *     <ALBERT_HOME>/kaggle/<owner>/<model>/<framework>/<variation>/<version>/...
 *
 * A folder is used only when its `.albert-complete.json` marker exists, which is written last,
 * after every file was downloaded, verified and renamed into place. Partial downloads are
 * `<file>.incomplete` files beside their final names, resumed by the next run.
 */

export const COMPLETE_MARKER = ".albert-complete.json";

export interface CompleteMarker {
  /** The handle the folder was downloaded for. */
  handle: string;
  /** Whether the weights were downloaded too (`loadWeights: false` skips them). */
  weights: boolean;
  /** The files of the preset, relative to the folder. */
  files: string[];
  completedAt: string;
}

export function readMarker(dir: string): CompleteMarker | undefined {
  try {
    const marker = JSON.parse(
      readFileSync(path.join(dir, COMPLETE_MARKER), "utf8"),
    ) as CompleteMarker;
    return Array.isArray(marker.files) ? marker : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `dir` holds a complete download (with weights when `needWeights`). */
export function isComplete(dir: string, needWeights: boolean): boolean {
  const marker = readMarker(dir);
  if (marker === undefined || (needWeights && !marker.weights)) return false;
  return marker.files.every((f) => existsSync(path.join(dir, f)));
}

/** Marks `dir` complete (atomically: readers see the old marker or the new one). */
export function writeMarker(dir: string, marker: Omit<CompleteMarker, "completedAt">): void {
  const file = path.join(dir, COMPLETE_MARKER);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ ...marker, completedAt: new Date().toISOString() }, null, 2));
  renameSync(tmp, file);
}

/** huggingface_hub's folder name for a model repo: `models--org--name`. */
function hfRepoFolder(repoId: string): string {
  return `models--${repoId.split("/").join("--")}`;
}

export function hfRepoDir(h: HfHandle): string {
  return path.join(albertHome(), "hf", hfRepoFolder(h.repoId));
}

export function hfSnapshotDir(h: HfHandle, commit: string): string {
  return path.join(hfRepoDir(h), "snapshots", commit);
}

/** The ref file of a revision (`refs/main`, `refs/refs/pr/1`); revisions are validated. */
function refFile(repoDir: string, revision: string): string {
  return path.join(repoDir, "refs", ...revision.split("/"));
}

const COMMIT = /^[0-9a-f]{40}$/;

function readRef(repoDir: string, revision: string): string | undefined {
  try {
    const commit = readFileSync(refFile(repoDir, revision), "utf8").trim();
    return COMMIT.test(commit) ? commit : undefined;
  } catch {
    return undefined;
  }
}

/** The commit our cache last saw for a revision. */
export function readHfRef(h: HfHandle, revision: string): string | undefined {
  return readRef(hfRepoDir(h), revision);
}

export function writeHfRef(h: HfHandle, revision: string, commit: string): void {
  if (revision === commit) return;
  const file = refFile(hfRepoDir(h), revision);
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, commit);
  renameSync(tmp, file);
}

/** huggingface_hub's cache folder of a repo (`$HF_HUB_CACHE/models--org--name`). */
export function hfHubRepoDir(h: HfHandle): string {
  return path.join(hfHubCacheDir(), hfRepoFolder(h.repoId));
}

/** The commit huggingface_hub's cache has for a revision (its `refs/<revision>` file). */
export function readHfHubRef(h: HfHandle, revision: string): string | undefined {
  return COMMIT.test(revision) ? revision : readRef(hfHubRepoDir(h), revision);
}

export function kaggleVariationDir(h: KaggleHandle): string {
  return path.join(albertHome(), "kaggle", h.owner, h.model, h.framework, h.variation);
}

export function kaggleVersionDir(h: KaggleHandle, version: number): string {
  return path.join(kaggleVariationDir(h), String(version));
}

/** The newest version of a Kaggle variation complete in our cache (for offline, unversioned). */
export function latestCachedKaggleVersion(
  h: KaggleHandle,
  needWeights: boolean,
): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync(kaggleVariationDir(h));
  } catch {
    return undefined;
  }
  const versions = entries
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((v) => isComplete(kaggleVersionDir(h, v), needWeights))
    .sort((a, b) => b - a);
  return versions[0];
}

/**
 * kagglehub's cache folder of a complete bundle download, when it has one
 * (`<KAGGLEHUB_CACHE>/models/<owner>/<model>/<framework>/<variation>/<version>` with its
 * `<version>.complete` marker beside it).
 */
export function kagglehubVersionDir(h: KaggleHandle, version: number): string | undefined {
  const variation = path.join(
    kagglehubCacheDir(),
    "models",
    h.owner,
    h.model,
    h.framework,
    h.variation,
  );
  const dir = path.join(variation, String(version));
  return existsSync(path.join(variation, `${version}.complete`)) && existsSync(dir)
    ? dir
    : undefined;
}
