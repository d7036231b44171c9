// How the HDF5 library is loaded and how it reaches a file: in Node, h5wasm's Node build, which
// opens files of the real file system by path. Browser bundles swap in h5-module.browser.ts.
import type * as H5 from "h5wasm/node";

export type H5Module = typeof H5;

export function importH5Module(): Promise<H5Module> {
  return import("h5wasm/node");
}

/**
 * Runs `open` on the path h5wasm should open for `file`: here the file itself. (In browsers,
 * a copy in h5wasm's own file system.)
 */
export function withH5Path<T>(_lib: H5Module, file: string, _mode: "r" | "w", open: (path: string) => T): T {
  return open(file);
}
