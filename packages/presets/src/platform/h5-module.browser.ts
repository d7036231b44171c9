// The HDF5 library in browser bundles: h5wasm's ESM build (loaded on first use, so pages that
// read only safetensors never download it), which keeps files in its own in-memory file
// system. A preset's .h5 file is copied there from memory-files.ts for the moment it is opened;
// once open, HDF5 holds it and the name is removed, so no second copy lingers.
import type * as H5 from "h5wasm/node";
import { getMemoryFile } from "./memory-files.js";

export type H5Module = typeof H5;

interface EmscriptenFs {
  writeFile(path: string, data: Uint8Array): void;
  unlink(path: string): void;
}

export function importH5Module(): Promise<H5Module> {
  return import("h5wasm") as unknown as Promise<H5Module>;
}

let staged = 0;

export function withH5Path<T>(lib: H5Module, file: string, mode: "r" | "w", open: (path: string) => T): T {
  if (mode === "w") {
    throw new Error("writing HDF5 files needs Node: writePreset and saveToPreset are not available in browsers");
  }
  const bytes = getMemoryFile(file);
  if (bytes === undefined) throw new Error(`ENOENT: no such file, open '${file}'`);
  const fs = (lib as unknown as { FS: EmscriptenFs }).FS;
  const local = `/albert-h5-${staged++}.h5`;
  fs.writeFile(local, bytes);
  try {
    return open(local);
  } finally {
    fs.unlink(local);
  }
}
