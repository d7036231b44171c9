import { randomBytes } from "../platform/crypto.js";
import { closeSync, openSync, readFileSync, writeSync } from "../platform/fs.js";
import type * as H5 from "h5wasm/node";
import { PresetError } from "../errors.js";
import { encodeHalf, type HalfDtype } from "./half-precision.js";
import { h5wasm, hdf5Reason, openH5, rawDatasetHalves } from "./h5.js";

/**
 * Writing float16 and bfloat16 datasets with h5wasm, which can only create 4- and 8-byte
 * floats. Keras stores float16 weights as HDF5's IEEE half type and bfloat16 ones as a 2-byte
 * opaque type (NumPy's `|V2`) with a `dtype="bfloat16"` attribute.
 *
 * How: each such dataset is first created as a one-member compound of `uint16` (2 bytes per
 * element, so its storage and shape are final and its values are the 16-bit patterns), with a
 * member name unique to the file. Once the file is closed, the datatype message of each is
 * found by that name and its body rewritten in place with the half or opaque type h5py
 * writes, byte for byte, zeros padding the rest of the (unchanged) message size. This relies on
 * the layout `openH5(..., "w")` produces (version 1 object headers, no checksums) and checks
 * it before changing a byte; the file is then reopened and every patched dataset checked.
 */

/** A dataset waiting for its datatype (see `HalfDatasets.patch`). */
interface PendingHalfDataset {
  /** The member name marking its datatype message. */
  marker: string;
  dtype: HalfDtype;
  /** Its path in the file, for the final check. */
  path: string;
  bits: Uint16Array;
}

/** The datatype message bodies h5py writes (version 1, little-endian), padded to 8 bytes. */
const DATATYPE_BODY: Record<HalfDtype, Uint8Array> = {
  // IEEE float16: class 1, sign at bit 15, exponent 10..14 (bias 15), mantissa 0..9.
  float16: Uint8Array.from([
    0x11, 0x20, 0x0f, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x0a, 0x05, 0x00, 0x0a,
    0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  ]),
  // Opaque, 2 bytes, empty tag: NumPy's |V2 as h5py stores it.
  bfloat16: Uint8Array.from([0x15, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00]),
};

const DATATYPE_MESSAGE = 0x0003;
const COMPOUND_V1 = 0x16;
const MESSAGE_HEADER = 8;

/** The float16/bfloat16 datasets of one file being written. */
export class HalfDatasets {
  /** Markers share a random prefix, so weight bytes cannot be mistaken for one, and have a
   * fixed width, so none is a prefix of another. */
  private readonly prefix = `@albert-half-${randomBytes(8).toString("hex")}-`;
  private readonly pending: PendingHalfDataset[] = [];

  /**
   * Creates `name` in `group` holding `values` rounded to `dtype` (round-to-nearest-even), with
   * a placeholder datatype until `patch` runs on the closed file. bfloat16 datasets get Keras'
   * `dtype="bfloat16"` attribute.
   */
  create(
    group: H5.Group,
    name: string,
    values: Float32Array,
    shape: number[],
    dtype: HalfDtype,
  ): void {
    const marker = `${this.prefix}${String(this.pending.length).padStart(10, "0")}`;
    const bits = encodeHalf(values, dtype);
    const dataset = group.create_dataset({
      name,
      data: new Map([[marker, bits]]),
      shape,
      dtype: [[marker, "<H"]],
    }) as H5.Dataset;
    if (dtype === "bfloat16") dataset.create_attribute("dtype", "bfloat16");
    this.pending.push({
      marker,
      dtype,
      path: `${group.path === "/" ? "" : group.path}/${name}`,
      bits,
    });
  }

  /** Rewrites the placeholder datatypes of the closed file, then checks the result. */
  async patch(file: string): Promise<void> {
    if (this.pending.length === 0) return;
    const bytes = readFileSync(file);
    const fd = openSync(file, "r+");
    try {
      for (const dataset of this.pending) writeSync(fd, ...halfTypePatch(bytes, dataset, file));
    } finally {
      closeSync(fd);
    }
    await checkHalfDatasets(file, this.pending);
  }
}

/** The bytes replacing a placeholder's datatype message, and where they go. */
function halfTypePatch(
  bytes: Buffer,
  dataset: PendingHalfDataset,
  file: string,
): [Uint8Array, number, number, number] {
  const broken = (why: string): never => {
    throw new PresetError(
      "write_failed",
      `Writing the ${dataset.dtype} dataset ${dataset.path} of ${file} failed: ${why}`,
      { path: file },
    );
  };
  const name = Buffer.from(dataset.marker, "latin1");
  const at = bytes.indexOf(name);
  if (at < 0 || bytes.indexOf(name, at + 1) >= 0)
    return broken("its datatype message is not found exactly once");
  // Message header (type u16, size u16, flags, 3 reserved), then the compound's body: class
  // and version, member count, element size, then the member's name.
  const header = at - 2 * MESSAGE_HEADER;
  const body = at - MESSAGE_HEADER;
  const size = bytes.readUInt16LE(header + 2);
  if (
    header < 0 ||
    bytes.readUInt16LE(header) !== DATATYPE_MESSAGE ||
    bytes[body] !== COMPOUND_V1 ||
    bytes.readUInt16LE(body + 1) !== 1 ||
    bytes.readUInt32LE(body + 4) !== 2
  ) {
    return broken(
      "the file's layout is not the one expected (version 1 object header, compound datatype)",
    );
  }
  const replacement = DATATYPE_BODY[dataset.dtype];
  if (size < replacement.length) return broken(`its datatype message is too short (${size} bytes)`);
  // The message keeps its size (the header's message count and sizes stay valid); the new
  // type's bytes come first and zeros pad the rest, as any datatype message is padded.
  const patch = Buffer.alloc(size);
  patch.set(replacement);
  return [patch, 0, patch.length, body];
}

/** Reopens the file: each patched dataset must have the right type and its exact bits. */
async function checkHalfDatasets(
  file: string,
  pending: readonly PendingHalfDataset[],
): Promise<void> {
  const h5 = await openH5(file);
  try {
    for (const dataset of pending) {
      const entry = h5.get(dataset.path);
      const metadata = entry instanceof h5wasm().Dataset ? entry.metadata : undefined;
      const expectedClass = dataset.dtype === "float16" ? 1 : 5;
      if (metadata?.type !== expectedClass || metadata.size !== 2) {
        throw new Error(
          `${dataset.path} reads back as HDF5 class ${metadata?.type}, ${metadata?.size} bytes`,
        );
      }
      const stored = rawDatasetHalves(entry as H5.Dataset);
      if (stored.length !== dataset.bits.length || stored.some((v, i) => v !== dataset.bits[i])) {
        throw new Error(`${dataset.path} reads back with other values`);
      }
    }
  } catch (error) {
    throw new PresetError(
      "write_failed",
      `Checking the 16-bit datasets of ${file} failed: ${hdf5Reason(error)}`,
      {
        path: file,
        cause: error,
      },
    );
  } finally {
    h5.close();
  }
}
