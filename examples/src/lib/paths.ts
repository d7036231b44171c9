import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (this file is examples/{src,dist}/lib/paths.{ts,js}). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/** Committed test data: presets made by KerasHub, HF checkpoints, a SentencePiece model. */
export function testdata(...parts: string[]): string {
  return path.join(REPO_ROOT, "testdata", ...parts);
}

/** Where the examples write what they make (gitignored). */
export function outDir(...parts: string[]): string {
  return path.join(REPO_ROOT, "examples", "out", ...parts);
}
