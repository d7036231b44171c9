// The file operations presets uses, on the in-memory files of browser builds (memory-files.ts).
// Same names, arguments and results as Node's for what the readers and writers call, and
// errors with Node's codes (ENOENT, EISDIR, EBADF), so callers handle both alike.
import {
  getMemoryFile,
  isMemoryFolder,
  makeMemoryFolder,
  memoryPath,
  putMemoryFile,
  removeMemoryEntry,
} from "./memory-files.js";

function fsError(code: string, syscall: string, file: string): Error {
  const what: Record<string, string> = {
    ENOENT: "no such file or directory",
    EISDIR: "illegal operation on a directory",
    EBADF: "bad file descriptor",
    EEXIST: "file already exists",
  };
  return Object.assign(new Error(`${code}: ${what[code] ?? code}, ${syscall} '${file}'`), {
    code,
    syscall,
    path: file,
  });
}

interface Stats {
  size: number;
  isFile(): boolean;
  isDirectory(): boolean;
}

function stats(size: number, folder: boolean): Stats {
  return { size, isFile: () => !folder, isDirectory: () => folder };
}

export function existsSync(file: string): boolean {
  return getMemoryFile(file) !== undefined || isMemoryFolder(file);
}

export function statSync(file: string): Stats {
  const bytes = getMemoryFile(file);
  if (bytes !== undefined) return stats(bytes.byteLength, false);
  if (isMemoryFolder(file)) return stats(0, true);
  throw fsError("ENOENT", "stat", file);
}

function bytesOf(file: string, syscall: string): Uint8Array {
  const bytes = getMemoryFile(file);
  if (bytes !== undefined) return bytes;
  throw fsError(isMemoryFolder(file) ? "EISDIR" : "ENOENT", syscall, file);
}

export function readFileSync(file: string, encoding?: string | { encoding?: string }): Uint8Array | string {
  const bytes = bytesOf(file, "open");
  const text = typeof encoding === "string" ? encoding : encoding?.encoding;
  return text === undefined ? bytes.slice() : new TextDecoder().decode(bytes);
}

function toBytes(data: string | ArrayBufferView): Uint8Array {
  if (typeof data === "string") return new TextEncoder().encode(data);
  return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}

export function writeFileSync(file: string, data: string | ArrayBufferView): void {
  putMemoryFile(file, toBytes(data));
}

export function mkdirSync(dir: string, _options?: unknown): void {
  makeMemoryFolder(dir);
}

/** Folders go with everything in them, with or without `recursive` (memory has no partial folders). */
export function rmSync(entry: string, options: { force?: boolean; recursive?: boolean } = {}): void {
  if (!removeMemoryEntry(entry) && options.force !== true) throw fsError("ENOENT", "rm", entry);
}

export function renameSync(from: string, to: string): void {
  const bytes = bytesOf(from, "rename");
  removeMemoryEntry(from);
  putMemoryFile(to, bytes);
}

// === File descriptors ===

const open = new Map<number, { file: string; writable: boolean }>();
let nextFd = 3;

export function openSync(file: string, flags: string = "r"): number {
  const writable = flags !== "r";
  if (getMemoryFile(file) === undefined) {
    if (flags.startsWith("w")) putMemoryFile(file, new Uint8Array(0));
    else throw fsError(isMemoryFolder(file) ? "EISDIR" : "ENOENT", "open", file);
  }
  const fd = nextFd++;
  open.set(fd, { file: memoryPath(file), writable });
  return fd;
}

function entryOf(fd: number, syscall: string): { file: string; writable: boolean } {
  const entry = open.get(fd);
  if (entry === undefined) throw fsError("EBADF", syscall, String(fd));
  return entry;
}

export function fstatSync(fd: number): Stats {
  return stats(bytesOf(entryOf(fd, "fstat").file, "fstat").byteLength, false);
}

export function closeSync(fd: number): void {
  entryOf(fd, "close");
  open.delete(fd);
}

/** Reads up to `length` bytes at `position` into `buffer` from `offset`; the count read. */
export function readSync(fd: number, buffer: ArrayBufferView, offset = 0, length?: number, position?: number | null): number {
  const bytes = bytesOf(entryOf(fd, "read").file, "read");
  const target = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const start = position ?? 0;
  const count = Math.max(0, Math.min(length ?? target.length - offset, bytes.length - start));
  target.set(bytes.subarray(start, start + count), offset);
  return count;
}

/** Writes `buffer` (from `offset`, `length` bytes) at `position`, growing the file if needed. */
export function writeSync(fd: number, buffer: ArrayBufferView, offset = 0, length?: number, position?: number | null): number {
  const entry = entryOf(fd, "write");
  if (!entry.writable) throw fsError("EBADF", "write", entry.file);
  const source = new Uint8Array(buffer.buffer, buffer.byteOffset + offset, length ?? buffer.byteLength - offset);
  const bytes = bytesOf(entry.file, "write");
  const at = position ?? 0;
  const grown = at + source.length > bytes.length ? new Uint8Array(at + source.length) : bytes;
  if (grown !== bytes) grown.set(bytes);
  grown.set(source, at);
  putMemoryFile(entry.file, grown);
  return source.length;
}
