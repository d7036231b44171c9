import { existsSync, statSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PresetError } from "./errors.js";
import { getPreset, isBuiltinPreset } from "./registry.js";
import { DEFAULT_RETRY_POLICY } from "./resolve/download.js";
import { handleScheme } from "./resolve/handles.js";
import { resolveHf } from "./resolve/hf.js";
import { HttpStatusError, RetryableError } from "./resolve/http.js";
import { resolveKaggle } from "./resolve/kaggle.js";
import type { RemoteOptions } from "./resolve/options.js";
import type { DownloadProgress, ProgressOptions } from "./resolve/progress.js";

export type { DownloadProgress } from "./resolve/progress.js";
export { handleScheme } from "./resolve/handles.js";

export interface ResolveOptions extends ProgressOptions {
  /** For built-in names: which hub to try first (default `"kaggle"`); the other is the fallback. */
  source?: "kaggle" | "hf";
  /** For hf:// handles: a branch, tag or commit (also `hf://org/name@revision`). */
  revision?: string;
  /**
   * Download the weights (default true). `false` fetches only the config and tokenizer files,
   * for `loadWeights: false` loads; a later call with weights completes the same folder.
   */
  loadWeights?: boolean;
  /** Called as download data arrives: `{ handle, file, loaded, total? }`. */
  onProgress?: (progress: DownloadProgress) => void;
  /** A request that sends nothing for this many ms fails and is retried (default 30 000). */
  timeoutMs?: number;
  /** Retries after a network error, timeout or 408/429/5xx answer (default 5). */
  retries?: number;
  /** First retry delay in ms, doubled each time up to 10 s (default 500). */
  retryDelayMs?: number;
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

function remoteOptions(options: ResolveOptions): RemoteOptions {
  const count = (
    value: number | undefined,
    fallback: number,
    name: string,
    min: number,
  ): number => {
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !Number.isFinite(value) || value < min) {
      throw new PresetError(
        "invalid_handle",
        `resolvePreset: option ${name}=${String(value)} must be a number ≥ ${min}`,
      );
    }
    return value;
  };
  return {
    ...(options.revision === undefined ? {} : { revision: options.revision }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    ...(options.progressBar === undefined ? {} : { progressBar: options.progressBar }),
    loadWeights: options.loadWeights !== false,
    policy: {
      timeoutMs: count(options.timeoutMs, DEFAULT_RETRY_POLICY.timeoutMs, "timeoutMs", 1),
      retries: Math.floor(count(options.retries, DEFAULT_RETRY_POLICY.retries, "retries", 0)),
      retryDelayMs: count(
        options.retryDelayMs,
        DEFAULT_RETRY_POLICY.retryDelayMs,
        "retryDelayMs",
        0,
      ),
    },
  };
}

/** Every error leaving `resolvePreset` is a `PresetError` naming the handle. */
function asPresetError(handle: string, error: unknown): PresetError {
  if (error instanceof PresetError) return error;
  if (error instanceof RetryableError || error instanceof HttpStatusError) {
    return new PresetError("download_failed", `Cannot download ${handle}: ${error.message}`, {
      cause: error,
    });
  }
  return new PresetError(
    "download_failed",
    `Cannot resolve ${handle}: ${(error as Error)?.message ?? String(error)}`,
    {
      cause: error,
    },
  );
}

async function resolveRemote(handle: string, options: ResolveOptions): Promise<string> {
  const remote = remoteOptions(options);
  try {
    return handleScheme(handle) === "kaggle"
      ? await resolveKaggle(handle, remote)
      : await resolveHf(handle, remote);
  } catch (error) {
    throw asPresetError(handle, error);
  }
}

/**
 * A built-in preset from its first source, falling back to the other: Kaggle (KerasHub's
 * own copy) then the Hugging Face hub (the same weights as an HF checkpoint), or the reverse
 * with `source: "hf"`.
 */
async function resolveBuiltin(name: string, options: ResolveOptions): Promise<string> {
  const preset = getPreset(name);
  const order =
    options.source === "hf"
      ? [preset.hfHandle, preset.kaggleHandle]
      : [preset.kaggleHandle, preset.hfHandle];
  const { revision: _ignored, ...rest } = options;
  let first: PresetError | undefined;
  for (const handle of order) {
    try {
      return await resolveRemote(handle, rest);
    } catch (error) {
      const e = asPresetError(handle, error);
      if (first === undefined) {
        first = e;
        continue;
      }
      throw new PresetError(
        first.code,
        `Cannot load preset '${name}' from ${order[0]} (${first.message}) nor from ${handle} (${e.message})`,
        { cause: first },
      );
    }
  }
  throw first!;
}

/**
 * Turns a preset handle into a local directory: a built-in preset name, a `kaggle://` or
 * `hf://` handle (downloaded into the cache under `ALBERT_HOME` once, then reused, also
 * offline), or a local directory (returned as an absolute path). Fails with a `PresetError`
 * naming the handle and what to do.
 *
 * @example
 * const dir = await resolvePreset("hf://albert/albert-base-v2", { onProgress: console.log });
 * const same = await resolvePreset("albert_base_en_uncased", { source: "hf" });
 * const local = await resolvePreset("./my_preset");
 */
export async function resolvePreset(handle: string, options: ResolveOptions = {}): Promise<string> {
  if (typeof handle !== "string" || handle.length === 0) {
    throw new PresetError(
      "unknown_preset",
      `preset must be a non-empty string (a preset name, a directory, kaggle:// or hf://), got ${JSON.stringify(handle)}`,
    );
  }
  if (options.source !== undefined && options.source !== "kaggle" && options.source !== "hf") {
    throw new PresetError(
      "unsupported_handle",
      `resolvePreset: source=${JSON.stringify(options.source)}; allowed: "kaggle" or "hf"`,
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
  if (isBuiltinPreset(handle) && !existsSync(handle)) return resolveBuiltin(handle, options);
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
