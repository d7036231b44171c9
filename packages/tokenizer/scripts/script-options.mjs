// Shared by the hand-run check scripts: their paths and `--name value` options.
import path from "node:path";
import { fileURLToPath } from "node:url";

/** This folder (scripts/), the package and the repository root. */
export const here = path.dirname(fileURLToPath(import.meta.url));
export const packageDir = path.resolve(here, "..");
export const repoRoot = path.resolve(packageDir, "../..");

/** Takes `--name value` out of `args` (which keeps what is left): the value, or `fallback`. */
export function takeOption(args, name, fallback) {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const value = args[i + 1];
  args.splice(i, 2);
  return value;
}
