import type * as H5 from "h5wasm/node";
import { PresetError } from "../errors.js";
import { sizeOf, type StoredDtype } from "../weights.js";
import { importH5Module, withH5Path } from "../platform/h5-module.js";
import { decodeHalf } from "./half-precision.js";

export type { StoredDtype };

let loading: Promise<typeof H5> | undefined;
let loaded: typeof H5 | undefined;

/**
 * Loads the HDF5 module on first use, not at import: compiling its WebAssembly costs about
 * 70 ms and some MB that users of safetensors or random weights should not pay. HDF5 errors
 * then throw instead of printing to stderr.
 */
function loadH5wasm(): Promise<typeof H5> {
  loading ??= importH5Module().then(async (lib) => {
    (await lib.ready).activate_throwing_error_handler();
    loaded = lib;
    return lib;
  });
  return loading;
}

/** The loaded h5wasm module, for code that holds a file `openH5` returned. */
export function h5wasm(): typeof H5 {
  if (loaded === undefined) throw new Error("h5wasm is loaded by openH5; open a file first");
  return loaded;
}

/** The most specific line of an HDF5 error stack (the last `#NNN:` entry). */
export function hdf5Reason(error: unknown): string {
  const text = String(error instanceof Error ? error.message : error);
  const entries = [...text.matchAll(/#\d+: .*? in [^(]+\(\): (.*)/g)];
  return entries.at(-1)?.[1]?.trim() ?? text.split("\n")[0] ?? text;
}

/** An open HDF5 file; close it with `close()`. */
export type H5File = H5.File;

/**
 * Opens an HDF5 file. Mode "w" creates (or truncates) it with the library version bounds h5py
 * uses by default (`earliest` to `v114`), so the files we write read like the ones Keras writes.
 */
export async function openH5(path: string, mode: "r" | "w" = "r"): Promise<H5File> {
  const lib = await loadH5wasm();
  if (mode === "w") {
    try {
      return withH5Path(lib, path, "w", (file) => new lib.File(file, "w", { libver: ["earliest", "v114"] }));
    } catch (error) {
      throw new PresetError("write_failed", `Cannot create ${path}: ${hdf5Reason(error)}`, {
        path,
        cause: error,
      });
    }
  }
  try {
    return withH5Path(lib, path, mode, (file) => new lib.File(file, mode));
  } catch (error) {
    throw new PresetError(
      "corrupt_weights",
      `${path} is not a readable HDF5 weights file: ${hdf5Reason(error)}`,
      { path, cause: error },
    );
  }
}

/** A dataset's raw bytes, bypassing h5wasm's decoding (which has no float16 on Node 20). */
function rawBytes(dataset: H5.Dataset): Uint8Array {
  const module = h5wasm().Module;
  const metadata = dataset.metadata;
  const nbytes = metadata.size * metadata.total_size;
  const pointer = module._malloc(nbytes);
  try {
    module.get_dataset_data(dataset.file_id, dataset.path, null, null, null, BigInt(pointer));
    return module.HEAPU8.slice(pointer, pointer + nbytes);
  } finally {
    module._free(pointer);
  }
}

/** The 16-bit patterns of a 2-byte dataset. */
export function rawDatasetHalves(dataset: H5.Dataset): Uint16Array {
  const bytes = rawBytes(dataset);
  return new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
}

/**
 * Reads a float dataset as float32, widening float16, bfloat16 (an opaque 2-byte type with a
 * `dtype="bfloat16"` attribute, as Keras writes it) and float64 the way KerasHub's loader
 * upcasts them.
 */
export function readFloatDataset(
  dataset: H5.Dataset,
  where: string,
): { shape: number[]; data: Float32Array; dtype: StoredDtype } {
  const metadata = dataset.metadata;
  const shape = metadata.shape ?? [];
  const fail = (what: string): never => {
    throw new PresetError("corrupt_weights", `${where}: ${what}`, { path: where });
  };
  try {
    let data: Float32Array;
    let dtype: StoredDtype;
    if (metadata.type === 1 && metadata.size === 4) {
      dtype = "float32";
      data = dataset.value as Float32Array;
    } else if (metadata.type === 1 && metadata.size === 8) {
      dtype = "float64";
      data = Float32Array.from(dataset.value as Float64Array);
    } else if (metadata.type === 1 && metadata.size === 2) {
      dtype = "float16";
      data = decodeHalf(rawDatasetHalves(dataset), "float16");
    } else if (metadata.size === 2 && dataset.attrs["dtype"]?.value === "bfloat16") {
      dtype = "bfloat16";
      data = decodeHalf(rawDatasetHalves(dataset), "bfloat16");
    } else {
      return fail(
        `unsupported dtype (HDF5 class ${metadata.type}, ${metadata.size} bytes); ` +
          "allowed: float32, float16, bfloat16, float64",
      );
    }
    if (data.length !== sizeOf(shape)) {
      fail(`holds ${data.length} values, its shape [${shape}] needs ${sizeOf(shape)}`);
    }
    return { shape, data, dtype };
  } catch (error) {
    if (error instanceof PresetError) throw error;
    return fail(`unreadable dataset: ${hdf5Reason(error)}`);
  }
}
