import { crc32, deflateRawSync, gzipSync } from "node:zlib";

/** One entry of a test archive. `type` other than "file" makes links and folders. */
export interface ArchiveEntry {
  name: string;
  data?: Uint8Array | string;
  type?: "file" | "directory" | "symlink" | "hardlink";
  /** Target of a link. */
  linkTarget?: string;
}

function bytes(data: Uint8Array | string | undefined): Buffer {
  if (data === undefined) return Buffer.alloc(0);
  return typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data);
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, "0") + "\0";
}

/**
 * A ustar archive, gzipped unless `gzip: false`. Hand-written so tests can also build what a
 * well-behaved archiver would not (`../` names, absolute paths, links).
 */
export function makeTar(entries: ArchiveEntry[], options: { gzip?: boolean } = {}): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const data =
      entry.type === undefined || entry.type === "file" ? bytes(entry.data) : Buffer.alloc(0);
    const header = Buffer.alloc(512);
    let name = entry.name;
    let prefix = "";
    if (Buffer.byteLength(name) > 100) {
      const cut = name.lastIndexOf("/", name.length - 1 - 0);
      prefix = name.slice(0, cut);
      name = name.slice(cut + 1);
    }
    header.write(name, 0, 100, "utf8");
    header.write(octal(entry.type === "directory" ? 0o755 : 0o644, 8), 100, "latin1");
    header.write(octal(0, 8), 108, "latin1");
    header.write(octal(0, 8), 116, "latin1");
    header.write(octal(data.length, 12), 124, "latin1");
    header.write(octal(0, 12), 136, "latin1");
    header.fill(" ", 148, 156);
    const typeflag = { file: "0", hardlink: "1", symlink: "2", directory: "5" }[
      entry.type ?? "file"
    ];
    header.write(typeflag, 156, "latin1");
    if (entry.linkTarget !== undefined) header.write(entry.linkTarget, 157, 100, "utf8");
    header.write("ustar\0", 257, "latin1");
    header.write("00", 263, "latin1");
    header.write(prefix, 345, 155, "utf8");
    let sum = 0;
    for (const b of header) sum += b;
    header.write(octal(sum, 7) + " ", 148, "latin1");
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  const tar = Buffer.concat(blocks);
  return options.gzip === false ? tar : gzipSync(tar);
}

/** A zip archive (deflated entries). Symlinks get Unix mode 0o120777 in their attributes. */
export function makeZip(entries: ArchiveEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const isDir = entry.type === "directory";
    const raw = entry.type === "symlink" ? bytes(entry.linkTarget) : bytes(entry.data);
    const compressed = isDir ? Buffer.alloc(0) : deflateRawSync(raw);
    const name = Buffer.from(
      isDir && !entry.name.endsWith("/") ? `${entry.name}/` : entry.name,
      "utf8",
    );
    const crc = crc32(raw);
    const method = isDir ? 0 : 8;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, compressed);
    const mode = entry.type === "symlink" ? 0o120777 : isDir ? 0o040755 : 0o100644;
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((mode << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + compressed.length;
  }
  const centralDir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralDir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, centralDir, end]);
}
