import { closeSync, openSync, readSync } from "node:fs";

/**
 * NumPy's `.npy` format, version 1.0, as `np.save` writes a little-endian float32 C-order
 * array: the magic `\x93NUMPY`, the version, a 2-byte header length, and a Python dict literal
 * padded with spaces and a newline so that the data starts at a multiple of 64 bytes.
 */

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 0x01, 0x00]);

/** The header `np.save` writes for a float32 array of `shape`. */
export function npyHeader(shape: readonly number[]): Buffer {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // magic (6) + version (2) + length (2) + dict + padding + "\n" ≡ 0 mod 64.
  const unpadded = MAGIC.length + 2 + dict.length + 1;
  const padding = (64 - (unpadded % 64)) % 64;
  const text = `${dict}${" ".repeat(padding)}\n`;
  const length = Buffer.alloc(2);
  length.writeUInt16LE(text.length);
  return Buffer.concat([MAGIC, length, Buffer.from(text, "latin1")]);
}

/** A whole `.npy` file for float32 `data` of `shape` (C order). */
export function npyBytes(data: Float32Array, shape: readonly number[]): Buffer {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new RangeError(`npyBytes: shape [${shape.join(", ")}] holds ${count} values, data has ${data.length}`);
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  // Float32Array is in the platform's byte order; every platform Node runs on is little-endian.
  return Buffer.concat([npyHeader(shape), body]);
}

/** The shape of a float32 `.npy` file from its first bytes, or undefined if it is not one. */
export function readNpyShape(bytes: Buffer): number[] | undefined {
  if (bytes.length < 10 || !bytes.subarray(0, 6).equals(MAGIC.subarray(0, 6))) return undefined;
  const length = bytes.readUInt16LE(8);
  const dict = bytes.subarray(10, 10 + length).toString("latin1");
  if (!dict.includes("'descr': '<f4'")) return undefined;
  const match = /'shape': \(([\d, ]*)\)/.exec(dict);
  return match === null ? undefined : match[1]!.split(",").map((s) => s.trim()).filter((s) => s !== "").map(Number);
}

/** The shape of a float32 `.npy` file, from its header alone. */
export function readNpyFileShape(file: string): number[] | undefined {
  const head = Buffer.alloc(512);
  const fd = openSync(file, "r");
  try {
    const read = readSync(fd, head, 0, head.length, 0);
    return readNpyShape(head.subarray(0, read));
  } finally {
    closeSync(fd);
  }
}
