import { existsSync, statSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PresetError } from "./errors.js";
import { getPreset, isBuiltinPreset } from "./registry.js";

export interface ResolveOptions {
  /** For built-in names: which hub to fetch from first. */
  source?: "kaggle" | "hf";
  /** For hf:// handles: a branch, tag or commit (also `hf://org/name@revision`). */
  revision?: string;
  /** Called with download progress. */
  onProgress?: (progress: { file: string; loaded: number; total?: number }) => void;
}

/** The scheme of a handle (`kaggle`, `hf`, `file`), or `undefined` for a bare name or path. */
export function handleScheme(handle: string): string | undefined {
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(handle);
  return match?.[1]?.toLowerCase();
}

function looksLikePath(handle: string): boolean {
  return (
    handle.startsWith(".") ||
    handle.startsWith("/") ||
    handle.startsWith("~") ||
    handle.includes(path.sep) ||
    handle.includes("/")
  );
}

function expandHome(p: string): string {
  return p === "~" || p.startsWith("~/") ? path.join(homedir(), p.slice(1)) : p;
}

/**
 * Turns a preset handle into a local directory: a built-in preset name, a `kaggle://` or
 * `hf://` handle (downloaded into the cache), or a local directory (returned as an absolute
 * path). Fails with a `PresetError` naming the handle when it cannot.
 */
export async function resolvePreset(handle: string, options: ResolveOptions = {}): Promise<string> {
  if (typeof handle !== "string" || handle.length === 0) {
    throw new PresetError(
      "unknown_preset",
      `preset must be a non-empty string (a preset name, a directory, kaggle:// or hf://), got ${JSON.stringify(handle)}`,
    );
  }
  const scheme = handleScheme(handle);
  if (scheme === "file") return resolveLocalDirectory(fileURLToPath(handle));
  if (scheme === "kaggle" || scheme === "hf") return resolveRemote(handle, options);
  if (scheme !== undefined) {
    throw new PresetError(
      "unsupported_handle",
      `Unsupported preset handle scheme '${scheme}://' in '${handle}'; allowed: kaggle://, hf://, file://, a preset name or a local directory`,
    );
  }
  if (isBuiltinPreset(handle) && !existsSync(handle)) {
    const preset = getPreset(handle);
    return resolveRemote(options.source === "hf" ? preset.hfHandle : preset.kaggleHandle, options);
  }
  if (looksLikePath(handle) || existsSync(handle)) return resolveLocalDirectory(handle);
  return getPreset(handle).name; // throws: unknown name
}

function resolveLocalDirectory(handle: string): string {
  const dir = path.resolve(expandHome(handle));
  if (!existsSync(dir)) {
    throw new PresetError("not_found", `Preset directory ${dir} does not exist`, { path: dir });
  }
  if (!statSync(dir).isDirectory()) {
    throw new PresetError(
      "not_found",
      `Preset ${dir} is a file; a preset is a directory holding config.json`,
      { path: dir },
    );
  }
  return dir;
}

async function resolveRemote(handle: string, _options: ResolveOptions): Promise<string> {
  throw new PresetError(
    "unsupported_handle",
    `Cannot resolve '${handle}': downloading from Kaggle and the Hugging Face Hub is not available ` +
      "in this version of @albert/presets. Download the preset yourself and pass its directory.",
  );
}
