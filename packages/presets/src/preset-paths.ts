import { existsSync, readFileSync } from "./platform/fs.js";
import path from "./platform/path.js";

// The files of resolved presets for the packages built on this one (core, tokenizer): on disk
// in Node, in the page's in-memory files in browser bundles (see platform/fs.browser.ts), so
// code that reads a folder `resolvePreset` returned runs unchanged in both.

/** Whether a file or folder exists where presets live. */
export function presetPathExists(file: string): boolean {
  return existsSync(file);
}

/** A file's bytes. */
export function readPresetBytes(file: string): Uint8Array {
  const bytes = readFileSync(file);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A file's text (UTF-8). */
export function readPresetText(file: string): string {
  return readFileSync(file, "utf8");
}

/** Joins path parts the way the platform's preset folders are named. */
export function joinPresetPath(...parts: string[]): string {
  return path.join(...parts);
}
