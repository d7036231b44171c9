import path from "./path.browser.js";

/**
 * The files of browser builds: presets fetched from a hub or a URL, and files the user picked,
 * are placed here under a folder of their own, and read back through fs.browser.ts by the same
 * readers Node uses on disk. Paths are absolute POSIX paths; folders exist implicitly above
 * every file and explicitly once created.
 */
const files = new Map<string, Uint8Array>();
const folders = new Set<string>(["/"]);

/** The absolute form of a path (relative paths are taken from "/"). */
export function memoryPath(p: string): string {
  return path.resolve(p);
}

function addFolders(dir: string): void {
  for (let d = dir; !folders.has(d); d = path.dirname(d)) folders.add(d);
}

/** Places a file (replacing one there), creating its folders. */
export function putMemoryFile(file: string, bytes: Uint8Array): void {
  const p = memoryPath(file);
  addFolders(path.dirname(p));
  files.set(p, bytes);
}

export function getMemoryFile(file: string): Uint8Array | undefined {
  return files.get(memoryPath(file));
}

export function isMemoryFolder(dir: string): boolean {
  return folders.has(memoryPath(dir));
}

export function makeMemoryFolder(dir: string): void {
  addFolders(memoryPath(dir));
}

/** Removes a file, or a folder and everything under it; false when nothing was there. */
export function removeMemoryEntry(entry: string): boolean {
  const p = memoryPath(entry);
  if (files.delete(p)) return true;
  if (!folders.has(p) || p === "/") return false;
  const prefix = `${p}/`;
  for (const f of [...files.keys()]) if (f.startsWith(prefix)) files.delete(f);
  for (const d of [...folders]) if (d === p || d.startsWith(prefix)) folders.delete(d);
  return true;
}

/** The files under a folder, relative to it, sorted. */
export function listMemoryFiles(dir: string): string[] {
  const prefix = `${memoryPath(dir).replace(/\/$/, "")}/`;
  return [...files.keys()].filter((f) => f.startsWith(prefix)).map((f) => f.slice(prefix.length)).sort();
}

/** Bytes held in memory under a folder (all of them for "/"). */
export function memoryBytes(dir = "/"): number {
  const prefix = memoryPath(dir) === "/" ? "/" : `${memoryPath(dir)}/`;
  let total = 0;
  for (const [f, bytes] of files) if (f.startsWith(prefix)) total += bytes.byteLength;
  return total;
}
