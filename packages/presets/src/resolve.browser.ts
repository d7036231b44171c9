// resolvePreset in browser bundles (package.json's "browser" field swaps it in for resolve.ts):
// presets are fetched (CORS) into the page's in-memory files, which readPreset reads as Node
// reads a folder, and kept in the Cache API so that a reload downloads nothing.
import { fetchPresetFile } from "./browser/fetch-file.js";
import { PresetError } from "./errors.js";
import { isMemoryFolder, removeMemoryEntry } from "./platform/memory-files.js";
import path from "./platform/path.browser.js";
import { getPreset, isBuiltinPreset, listPresets } from "./registry.js";
import type { ResolveOptions } from "./resolve.js";
import { albertHome, hfEndpoint, hfToken, isOffline } from "./resolve/env.browser.js";
import { fetchPresetFiles, hasPresetFiles } from "./resolve/files.js";
import { handleScheme, parseHfHandle } from "./resolve/handles.js";

export type { DownloadProgress } from "./resolve/progress.js";
export type { ResolveOptions } from "./resolve.js";
export { handleScheme } from "./resolve/handles.js";

interface Remote {
  /** The preset's folder in the in-memory files. */
  dir: string;
  /** The URL of a file of the preset. */
  urlOf(file: string): string;
  headersFor(url: string): Record<string, string>;
}

function count(value: number | undefined, fallback: number, name: string, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min) {
    throw new PresetError("invalid_handle", `resolvePreset: option ${name}=${String(value)} must be a number ≥ ${min}`);
  }
  return value;
}

async function fetchRemote(handle: string, remote: Remote, options: ResolveOptions): Promise<string> {
  const weights = options.loadWeights !== false;
  // Already placed by an earlier call in this page: nothing to fetch, not even from the cache.
  if (hasPresetFiles(remote.dir, weights)) return remote.dir;
  const policy = {
    retries: Math.floor(count(options.retries, 5, "retries", 0)),
    retryDelayMs: count(options.retryDelayMs, 500, "retryDelayMs", 0),
    timeoutMs: count(options.timeoutMs, 30_000, "timeoutMs", 1),
  };
  const fetchOne = (file: string) => {
    const url = remote.urlOf(file);
    return fetchPresetFile({
      url,
      target: path.join(remote.dir, file),
      handle,
      file,
      headers: remote.headersFor(url),
      offline: isOffline(),
      ...policy,
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    });
  };
  // `has` only asks (HEAD): it is used to explain the refusal of PyTorch pickles.
  const has = async (file: string) => {
    const url = remote.urlOf(file);
    if (isOffline()) return false;
    try {
      return (await fetch(url, { method: "HEAD", headers: remote.headersFor(url) })).ok;
    } catch {
      return false;
    }
  };
  await fetchPresetFiles(remote.dir, { fetch: fetchOne, has }, handle, weights);
  return remote.dir;
}

function hfRemote(handle: string, options: ResolveOptions): Remote {
  const h = parseHfHandle(handle, options.revision);
  const revision = h.revision ?? "main";
  const endpoint = hfEndpoint();
  const token = hfToken();
  return {
    dir: path.join(albertHome(), "hf", h.repoId, revision),
    urlOf: (file) =>
      `${endpoint}/${h.repoId}/resolve/${encodeURIComponent(revision)}/${file.split("/").map(encodeURIComponent).join("/")}`,
    // The token goes to the hub itself only, never to a host it redirects to.
    headersFor: (url): Record<string, string> =>
      token !== undefined && new URL(url).origin === new URL(endpoint).origin ? { authorization: `Bearer ${token}` } : {},
  };
}

function urlRemote(handle: string): Remote {
  let base: URL;
  try {
    base = new URL(handle.endsWith("/") ? handle : `${handle}/`);
  } catch {
    throw new PresetError("invalid_handle", `Invalid preset URL ${JSON.stringify(handle)}`);
  }
  return {
    dir: path.join(albertHome(), "url", encodeURIComponent(base.href)),
    urlOf: (file) => new URL(file, base).href,
    headersFor: () => ({}),
  };
}

/**
 * Turns a preset handle into a folder of the page's in-memory files, which `readPreset` and
 * every `fromPreset` read: `hf://org/name[@revision]` and the built-in names (from the Hugging
 * Face hub, `HF_ENDPOINT`), an `http(s)://` URL of a folder holding a preset's files (or a
 * path on the page's server: `/models/tiny/`, `./my_preset`), or a folder made by
 * `presetFromFiles`. Files come from the Cache API when an earlier visit
 * fetched them (a reload makes no request), else through `fetch` (the server must allow the
 * page's origin: CORS), with `onProgress`. `kaggle://` needs Node (the Kaggle API serves
 * archives to programs, not pages).
 *
 * @example
 * const dir = await resolvePreset("hf://albert/albert-base-v2", { onProgress: console.log });
 * const { config, weights } = await readPreset(dir);
 */
export async function resolvePreset(handle: string, options: ResolveOptions = {}): Promise<string> {
  if (typeof handle !== "string" || handle.length === 0) {
    throw new PresetError(
      "unknown_preset",
      `preset must be a non-empty string (a preset name, hf://, an https:// URL or a presetFromFiles folder), got ${JSON.stringify(handle)}`,
    );
  }
  const scheme = handleScheme(handle);
  if (scheme === "hf") return fetchRemote(handle, hfRemote(handle, options), options);
  if (scheme === "http" || scheme === "https") return fetchRemote(handle, urlRemote(handle), options);
  if (scheme === "kaggle") {
    const builtin = listPresets().find((p) => p.kaggleHandle.replace(/\/\d+$/, "") === handle.replace(/\/\d+$/, ""));
    throw new PresetError(
      "unsupported_handle",
      `${handle}: kaggle:// handles need Node (Kaggle's API serves archives to programs, not to web pages); in a browser use ` +
        (builtin === undefined ? "an hf:// handle or an https:// URL" : `"${builtin.name}" or ${builtin.hfHandle}`),
    );
  }
  if (scheme !== undefined) {
    throw new PresetError(
      "unsupported_handle",
      `Unsupported preset handle scheme '${scheme}://' in '${handle}'; allowed in a browser: hf://, http(s)://, a preset name or a presetFromFiles folder`,
    );
  }
  if (isMemoryFolder(handle) && handle !== "/") return path.resolve(handle);
  if (isBuiltinPreset(handle)) {
    // Kaggle cannot be reached from a page: the hub copy of the same weights.
    const { revision: _ignored, ...rest } = options;
    return fetchRemote(handle, hfRemote(getPreset(handle).hfHandle, rest), rest);
  }
  if (handle.includes("/") || handle.startsWith(".")) {
    // A path in a page is a URL path on the page's server: "/models/tiny/", "./my_preset".
    const page = (globalThis as { location?: { href: string } }).location?.href;
    if (page !== undefined) return fetchRemote(handle, urlRemote(new URL(handle, page).href), options);
    throw new PresetError(
      "not_found",
      `Preset folder ${handle} does not exist here; in a browser a preset is an hf:// handle, a built-in name, ` +
        "an https:// URL or a path on the page's server, or the folder presetFromFiles returns",
      { path: handle },
    );
  }
  return getPreset(handle).name; // throws: unknown name
}

/** Frees the in-memory files of a preset folder (the Cache API keeps its copy). */
export function forgetPreset(dir: string): boolean {
  return removeMemoryEntry(dir);
}
