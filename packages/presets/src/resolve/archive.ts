import {
  closeSync,
  createReadStream,
  createWriteStream,
  mkdirSync,
  openSync,
  readSync,
} from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { Parser, type ReadEntry } from "tar";
import yauzl from "yauzl";
import { PresetError } from "../errors.js";
import { safeJoin, unsafeRelativePathReason } from "../safe-paths.js";

/** The archive formats a Kaggle model bundle may come in, told apart by their first bytes. */
export type ArchiveKind = "tar" | "zip";

/** What an archive's first bytes say it is: gzip or plain tar, zip, or neither. */
export function detectArchive(file: string): ArchiveKind | undefined {
  const fd = openSync(file, "r");
  try {
    const head = Buffer.alloc(512);
    const n = readSync(fd, head, 0, 512, 0);
    if (n >= 2 && head[0] === 0x1f && head[1] === 0x8b) return "tar"; // gzip: tar.gz
    if (n >= 4 && head.readUInt32LE(0) === 0x04034b50) return "zip";
    if (n >= 262 && head.toString("latin1", 257, 262) === "ustar") return "tar";
    return undefined;
  } finally {
    closeSync(fd);
  }
}

function refuse(archive: string, name: string, reason: string): never {
  throw new PresetError(
    "unsafe_path",
    `${archive} is refused: its entry ${JSON.stringify(name)} ${reason}. Archive entries must be plain ` +
      "files and folders with relative paths inside the archive.",
    { path: archive },
  );
}

/** An entry name without the `./` prefix and trailing `/` archivers add. */
function normalizeEntryName(name: string): string {
  return name.replace(/^(\.\/)+/, "").replace(/\/+$/, "");
}

function checkEntryName(archive: string, raw: string, isDirectory = false): string {
  const name = normalizeEntryName(raw);
  if (isDirectory && name === "" && raw.startsWith(".")) return name; // "./", the archive's root
  const reason = unsafeRelativePathReason(name);
  if (reason !== undefined) refuse(archive, raw, `is unsafe: ${reason}`);
  return name;
}

/**
 * Extracts the entries of a tar (optionally gzipped) or zip archive for which `wanted(name)`
 * is true into `dir`, keeping their relative paths. Every entry is checked, wanted or not:
 * absolute paths, `..`, links, devices and other special entries make the whole archive
 * refused, so nothing can be written (or later read) outside `dir`. Returns the names
 * extracted.
 */
export async function extractArchive(
  archive: string,
  dir: string,
  wanted: (name: string) => boolean,
): Promise<string[]> {
  const kind = detectArchive(archive);
  if (kind === undefined) {
    throw new PresetError(
      "corrupt_weights",
      `${archive} is neither a tar(.gz) nor a zip archive; the download is damaged or not a model bundle`,
      { path: archive },
    );
  }
  mkdirSync(dir, { recursive: true });
  return kind === "tar" ? extractTar(archive, dir, wanted) : extractZip(archive, dir, wanted);
}

async function extractTar(
  archive: string,
  dir: string,
  wanted: (name: string) => boolean,
): Promise<string[]> {
  const extracted: string[] = [];
  const writes: Promise<void>[] = [];
  let failure: unknown;
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      try {
        if (failure !== undefined) {
          entry.resume();
          return;
        }
        const name = checkEntryName(archive, entry.path, entry.type === "Directory");
        if (entry.type === "Directory") {
          entry.resume();
          return;
        }
        if (entry.type !== "File" && entry.type !== "OldFile" && entry.type !== "ContiguousFile") {
          refuse(archive, entry.path, `is a ${entry.type}, not a plain file`);
        }
        if (!wanted(name)) {
          entry.resume();
          return;
        }
        const dest = safeJoin(dir, name, archive);
        mkdirSync(path.dirname(dest), { recursive: true });
        extracted.push(name);
        writes.push(pipeline(entry, createWriteStream(dest)));
      } catch (error) {
        failure ??= error;
        entry.resume();
      }
    },
  });
  try {
    await pipeline(createReadStream(archive), parser);
    await Promise.all(writes);
  } catch (error) {
    failure ??= error;
  }
  if (failure !== undefined) {
    if (failure instanceof PresetError) throw failure;
    throw new PresetError(
      "corrupt_weights",
      `${archive} is not a readable tar archive: ${(failure as Error).message}`,
      {
        path: archive,
        cause: failure,
      },
    );
  }
  return extracted;
}

/** Unix file type bits of a zip entry made on Unix (`S_IFLNK` marks a symbolic link). */
function zipEntryMode(entry: yauzl.Entry): number {
  return (entry.externalFileAttributes >>> 16) & 0o170000;
}

function extractZip(
  archive: string,
  dir: string,
  wanted: (name: string) => boolean,
): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(
      archive,
      // Names are decoded and checked by us (decodeStrings: false), like tar entries.
      { lazyEntries: true, autoClose: true, validateEntrySizes: true, decodeStrings: false },
      (openError, zip) => {
        if (openError || zip === undefined) {
          reject(
            new PresetError(
              "corrupt_weights",
              `${archive} is not a readable zip archive: ${openError?.message}`,
              {
                path: archive,
                cause: openError,
              },
            ),
          );
          return;
        }
        const extracted: string[] = [];
        const fail = (error: unknown) => {
          zip.close();
          reject(
            error instanceof PresetError
              ? error
              : new PresetError("corrupt_weights", `${archive}: ${(error as Error).message}`, {
                  path: archive,
                  cause: error,
                }),
          );
        };
        zip.on("error", fail);
        zip.on("end", () => resolve(extracted));
        zip.on("entry", (entry: yauzl.Entry) => {
          try {
            const rawName = Buffer.from(entry.fileName as unknown as Uint8Array).toString("utf8");
            const isDir = rawName.endsWith("/");
            const name = checkEntryName(archive, rawName, isDir);
            const mode = zipEntryMode(entry);
            if (mode === 0o120000) refuse(archive, rawName, "is a symbolic link");
            if (mode !== 0 && mode !== 0o100000 && mode !== 0o040000) {
              refuse(archive, rawName, "is not a plain file");
            }
            if (isDir || !wanted(name)) {
              zip.readEntry();
              return;
            }
            const dest = safeJoin(dir, name, archive);
            mkdirSync(path.dirname(dest), { recursive: true });
            zip.openReadStream(entry, (streamError, stream) => {
              if (streamError || stream === undefined) {
                fail(streamError);
                return;
              }
              pipeline(stream, createWriteStream(dest)).then(() => {
                extracted.push(name);
                zip.readEntry();
              }, fail);
            });
          } catch (error) {
            fail(error);
          }
        });
        zip.readEntry();
      },
    );
  });
}
