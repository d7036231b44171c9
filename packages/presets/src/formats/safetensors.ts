import { closeSync, fstatSync, openSync, readSync } from "../platform/fs.js";
import { Float16Array } from "@petamoriken/float16";
import { MAX_TENSOR_ELEMENTS } from "../config.js";
import { PresetError } from "../errors.js";
import { isJsonObject } from "../json-file.js";
import { sizeOf } from "../weights.js";

/**
 * Bits per element of every dtype the safetensors format defines (its Rust reader's list).
 * A header naming anything else is refused; of these, F32, F16 and BF16 can be read as
 * weights.
 */
const DTYPE_BITS: Readonly<Record<string, number>> = {
  BOOL: 8,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  F8_E4M3FNUZ: 8,
  F8_E5M2FNUZ: 8,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  I64: 64,
  U64: 64,
  F64: 64,
  C64: 64,
};

/** The safetensors dtypes read as weights (widened to float32). */
export const READABLE_SAFETENSORS_DTYPES = ["F32", "F16", "BF16"] as const;

/** The safetensors Rust reader's cap on the JSON header (100 MB). */
export const MAX_SAFETENSORS_HEADER = 100_000_000;

/** One tensor of a safetensors file, as its header describes it. */
export interface SafetensorsEntry {
  name: string;
  dtype: string;
  shape: number[];
  /** Byte offsets `[begin, end)` relative to the start of the data (after the header). */
  begin: number;
  end: number;
}

/** A validated safetensors header. */
export interface SafetensorsHeader {
  file: string;
  /** Byte offset in the file where the data buffer starts (8 + header length). */
  dataStart: number;
  tensors: Map<string, SafetensorsEntry>;
  /** The optional `__metadata__` string map. */
  metadata: Record<string, string> | undefined;
}

function corrupt(file: string, what: string): never {
  throw new PresetError("corrupt_weights", `${file} is not a valid safetensors file: ${what}`, {
    path: file,
  });
}

function readExactly(fd: number, target: Uint8Array, position: number, file: string): void {
  let done = 0;
  while (done < target.length) {
    const n = readSync(fd, target, done, target.length - done, position + done);
    if (n === 0) corrupt(file, `unexpected end of file at byte ${position + done}`);
    done += n;
  }
}

function parseEntry(file: string, name: string, value: unknown): SafetensorsEntry {
  if (!isJsonObject(value)) corrupt(file, `tensor ${JSON.stringify(name)} is not an object`);
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (typeof dtype !== "string" || DTYPE_BITS[dtype] === undefined) {
    corrupt(file, `tensor ${JSON.stringify(name)} has unknown dtype ${JSON.stringify(dtype)}`);
  }
  const isCount = (n: unknown): n is number =>
    typeof n === "number" && Number.isSafeInteger(n) && n >= 0;
  if (!Array.isArray(shape) || shape.length > 16 || !shape.every(isCount)) {
    corrupt(file, `tensor ${JSON.stringify(name)} has an invalid shape ${JSON.stringify(shape)}`);
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every(isCount) ||
    offsets[0]! > offsets[1]!
  ) {
    corrupt(
      file,
      `tensor ${JSON.stringify(name)} has invalid data_offsets ${JSON.stringify(offsets)}`,
    );
  }
  let elements = 1;
  for (const d of shape as number[]) {
    elements *= d;
    if (!Number.isSafeInteger(elements))
      corrupt(file, `tensor ${JSON.stringify(name)} has an absurd shape [${shape}]`);
  }
  const bits = elements * DTYPE_BITS[dtype as string]!;
  if (!Number.isSafeInteger(bits))
    corrupt(file, `tensor ${JSON.stringify(name)} has an absurd shape [${shape}]`);
  if (bits % 8 !== 0) corrupt(file, `tensor ${JSON.stringify(name)} does not fill whole bytes`);
  const [begin, end] = offsets as [number, number];
  if (end - begin !== bits / 8) {
    corrupt(
      file,
      `tensor ${JSON.stringify(name)} (${dtype} [${shape}]) needs ${bits / 8} bytes, its data_offsets span ${end - begin}`,
    );
  }
  return { name, dtype: dtype as string, shape: shape as number[], begin, end };
}

/**
 * Reads and validates the header of a safetensors file, as the format's own reader does:
 * the 8-byte little-endian header length must fit in the file (and under 100 MB), the header
 * must be a UTF-8 JSON object, every tensor's dtype, shape and byte span must agree, and the
 * tensors must tile the data buffer exactly (no gaps, no overlaps, nothing after the last).
 * Nothing is allocated from what the file claims before these checks pass.
 */
export function readSafetensorsHeader(file: string): SafetensorsHeader {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (error) {
    throw new PresetError("missing_file", `Cannot open ${file}: ${(error as Error).message}`, {
      path: file,
      cause: error,
    });
  }
  try {
    const size = fstatSync(fd).size;
    if (size < 8) corrupt(file, `it has ${size} bytes, fewer than the 8-byte header length`);
    const lengthBytes = new Uint8Array(8);
    readExactly(fd, lengthBytes, 0, file);
    const headerLength = new DataView(lengthBytes.buffer).getBigUint64(0, true);
    if (headerLength > BigInt(MAX_SAFETENSORS_HEADER)) {
      corrupt(
        file,
        `header length ${headerLength} exceeds the format's limit of ${MAX_SAFETENSORS_HEADER} bytes`,
      );
    }
    const n = Number(headerLength);
    if (8 + n > size) corrupt(file, `header length ${n} is larger than the file (${size} bytes)`);
    const headerBytes = new Uint8Array(n);
    readExactly(fd, headerBytes, 8, file);
    let json: unknown;
    try {
      json = JSON.parse(
        new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(headerBytes),
      );
    } catch (error) {
      corrupt(file, `its header is not UTF-8 JSON (${(error as Error).message})`);
    }
    if (!isJsonObject(json)) corrupt(file, "its header is not a JSON object");
    let metadata: Record<string, string> | undefined;
    const tensors = new Map<string, SafetensorsEntry>();
    for (const [name, value] of Object.entries(json as Record<string, unknown>)) {
      if (name === "__metadata__") {
        if (!isJsonObject(value) || !Object.values(value).every((v) => typeof v === "string")) {
          corrupt(file, "__metadata__ must map strings to strings");
        }
        metadata = value as Record<string, string>;
        continue;
      }
      tensors.set(name, parseEntry(file, name, value));
    }
    const sorted = [...tensors.values()].sort((a, b) => a.begin - b.begin || a.end - b.end);
    let expected = 0;
    for (const entry of sorted) {
      if (entry.begin !== expected) {
        corrupt(
          file,
          `tensor ${JSON.stringify(entry.name)} starts at byte ${entry.begin} of the data, expected ${expected} ` +
            "(tensors must not overlap or leave gaps)",
        );
      }
      expected = entry.end;
    }
    if (8 + n + expected !== size) {
      corrupt(file, `its tensors cover ${8 + n + expected} bytes but the file has ${size}`);
    }
    return { file, dataStart: 8 + n, tensors, metadata };
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads one tensor as float32 values: F32 as stored, F16 and BF16 widened exactly. Other
 * dtypes and tensors larger than a typed array can hold are refused.
 */
export function readSafetensorsTensor(
  header: SafetensorsHeader,
  entry: SafetensorsEntry,
): Float32Array {
  const count = sizeOf(entry.shape);
  if (count > MAX_TENSOR_ELEMENTS) {
    corrupt(
      header.file,
      `tensor ${entry.name} has ${count} elements, more than a typed array can hold`,
    );
  }
  if (!(READABLE_SAFETENSORS_DTYPES as readonly string[]).includes(entry.dtype)) {
    throw new PresetError(
      "corrupt_weights",
      `${header.file}: tensor ${entry.name} is ${entry.dtype}; allowed: ${READABLE_SAFETENSORS_DTYPES.join(", ")}`,
      { path: header.file },
    );
  }
  const fd = openSync(header.file, "r");
  try {
    const position = header.dataStart + entry.begin;
    if (entry.dtype === "F32") {
      // Safetensors data is little-endian, as are the platforms Node runs on: read in place.
      const out = new Float32Array(count);
      readExactly(fd, new Uint8Array(out.buffer), position, header.file);
      return out;
    }
    const halves = new Uint16Array(count);
    readExactly(fd, new Uint8Array(halves.buffer), position, header.file);
    if (entry.dtype === "F16") return Float32Array.from(new Float16Array(halves.buffer));
    const words = new Uint32Array(count);
    for (let i = 0; i < count; i++) words[i] = halves[i]! << 16;
    return new Float32Array(words.buffer);
  } finally {
    closeSync(fd);
  }
}
