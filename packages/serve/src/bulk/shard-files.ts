import { existsSync, linkSync, openSync, closeSync, fsyncSync, readdirSync, rmSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { ServeError } from "../errors.js";

/**
 * Shard files in an output folder: `shard-00000.npy` (float32 `[rows, H]`, as `np.save`) and
 * `shard-00000.ids.jsonl` (one `{"index", "id"}` line per row, in the same order). A shard is
 * done once its `.npy` exists; files being written end in `.partial-HOST-PID`, never in `.npy`.
 */
export function shardName(shard: number): string {
  return `shard-${String(shard).padStart(5, "0")}`;
}

export function shardNpyPath(dir: string, shard: number): string {
  return path.join(dir, `${shardName(shard)}.npy`);
}

export function shardIdsPath(dir: string, shard: number): string {
  return path.join(dir, `${shardName(shard)}.ids.jsonl`);
}

export function isShardDone(dir: string, shard: number): boolean {
  return existsSync(shardNpyPath(dir, shard));
}

const PARTIAL = /\.partial-[^/]+$/;

/** Removes what an interrupted run left half-written (only for a folder no one else writes to). */
export function removePartials(dir: string): number {
  const stale = readdirSync(dir).filter((name) => PARTIAL.test(name));
  for (const name of stale) rmSync(path.join(dir, name), { force: true });
  return stale.length;
}

/**
 * Writes `bytes` to `file` at most once, atomically: into a partial file, flushed to disk, then
 * hard-linked to its name, which fails if the name exists. So a reader never sees a partial
 * file under the final name, and of two writers racing for one shard (a worker that lost its
 * lock and the one that took the shard over) exactly one wins. Returns whether this call wrote it.
 */
export function writeOnce(file: string, bytes: Uint8Array): boolean {
  const partial = `${file}.partial-${hostname()}-${process.pid}`;
  try {
    const fd = openSync(partial, "w");
    try {
      for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(partial, file);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw error;
    }
  } catch (error) {
    throw new ServeError("output_conflict", `cannot write ${file}: ${(error as Error).message}`, { cause: error });
  } finally {
    rmSync(partial, { force: true });
  }
}

/** Writes a shard's ids, then its vectors (the `.npy` last: it marks the shard done). */
export function writeShard(dir: string, shard: number, ids: Uint8Array, npy: Uint8Array): boolean {
  writeOnce(shardIdsPath(dir, shard), ids);
  return writeOnce(shardNpyPath(dir, shard), npy);
}
