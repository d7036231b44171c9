import { PresetError } from "../errors.js";
import { putMemoryFile } from "../platform/memory-files.js";
import type { DownloadProgress } from "../resolve/progress.js";

/** The Cache API storage fetched preset files are kept in, across page loads. */
export const PRESET_CACHE_NAME = "albert-presets";

// The parts of the Cache API used here (the project's TypeScript settings have no DOM lib).
interface CacheLike {
  match(url: string): Promise<Response | undefined>;
  put(url: string, response: Response): Promise<void>;
}
interface CacheStorageLike {
  open(name: string): Promise<CacheLike>;
  delete(name: string): Promise<boolean>;
}

function cacheStorage(): CacheStorageLike | undefined {
  // Only secure contexts (https, localhost) have it.
  return (globalThis as unknown as { caches?: CacheStorageLike }).caches;
}

let opened: Promise<CacheLike | undefined> | undefined;

function presetCache(): Promise<CacheLike | undefined> {
  opened ??= (async () => {
    try {
      return await cacheStorage()?.open(PRESET_CACHE_NAME);
    } catch {
      return undefined; // storage blocked (private mode, quota): download every time
    }
  })();
  return opened;
}

/** Deletes the page's cached preset files (`caches.delete("albert-presets")`). */
export async function clearPresetCache(): Promise<boolean> {
  opened = undefined;
  return (await cacheStorage()?.delete(PRESET_CACHE_NAME)) ?? false;
}

export interface FetchFileRequest {
  /** Where the file is. */
  url: string;
  /** Its place in the in-memory files. */
  target: string;
  /** For messages and progress: the handle, and the file relative to the preset. */
  handle: string;
  file: string;
  headers?: Record<string, string>;
  offline: boolean;
  retries: number;
  retryDelayMs: number;
  timeoutMs: number;
  onProgress?: (progress: DownloadProgress) => void;
}

/** A cached "the source has no such file", so a reload asks nothing about it either. */
const MISSING_STATUS = 404;

async function readBody(response: Response, request: FetchFileRequest): Promise<Uint8Array> {
  const total = Number(response.headers.get("content-length") ?? NaN);
  const report = (loaded: number) =>
    request.onProgress?.({
      handle: request.handle,
      file: request.file,
      loaded,
      ...(Number.isFinite(total) ? { total } : {}),
    });
  if (response.body === null) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  report(0);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    report(loaded);
  }
  if (chunks.length === 1) return chunks[0]!;
  const bytes = new Uint8Array(loaded);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

class Retryable extends Error {}

async function download(request: FetchFileRequest): Promise<Response> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), request.timeoutMs);
  try {
    const response = await fetch(request.url, {
      headers: request.headers ?? {},
      signal: controller.signal,
    });
    if (response.status === 408 || response.status === 429 || response.status >= 500) {
      throw new Retryable(`${request.url} answered HTTP ${response.status}`);
    }
    return response;
  } catch (error) {
    if (error instanceof Retryable) throw error;
    // fetch rejects with a TypeError for network and CORS failures alike.
    throw new Retryable(`${request.url} could not be fetched (${(error as Error).message}; a network error, or the server does not allow this page's origin: CORS)`);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Places one file of a preset in the in-memory files: from the Cache API when it holds it
 * (a reload asks the network nothing), else fetched (with progress and retries) and cached.
 * `false` when the source has no such file (HTTP 404, which is cached too).
 */
export async function fetchPresetFile(request: FetchFileRequest): Promise<boolean> {
  const cache = await presetCache();
  const cached = await cache?.match(request.url);
  if (cached !== undefined) {
    if (cached.status === MISSING_STATUS) return false;
    putMemoryFile(request.target, new Uint8Array(await cached.arrayBuffer()));
    const size = Number(cached.headers.get("content-length") ?? NaN);
    request.onProgress?.({ handle: request.handle, file: request.file, loaded: size, total: size });
    return true;
  }
  if (request.offline) {
    throw new PresetError(
      "offline",
      `${request.handle}: ${request.file} is not in this browser's preset cache and ALBERT_OFFLINE is set`,
    );
  }
  let response: Response | undefined;
  for (let attempt = 0; response === undefined; attempt++) {
    try {
      response = await download(request);
    } catch (error) {
      if (attempt >= request.retries) {
        throw new PresetError("download_failed", `Cannot download ${request.handle}: ${(error as Error).message}`, {
          cause: error,
        });
      }
      await new Promise((r) => setTimeout(r, Math.min(request.retryDelayMs * 2 ** attempt, 10_000)));
    }
  }
  if (response.status === 404) {
    await cache?.put(request.url, new Response(null, { status: MISSING_STATUS }));
    return false;
  }
  if (response.status === 401 || response.status === 403) {
    throw new PresetError(
      "access_denied",
      `${request.handle}: access to ${request.file} was refused (HTTP ${response.status}); a gated or private ` +
        "repository needs HF_TOKEN (setPresetEnvironment)",
    );
  }
  if (!response.ok) {
    throw new PresetError("download_failed", `${request.handle}: ${request.url} answered HTTP ${response.status}`);
  }
  const bytes = await readBody(response, request);
  const declared = response.headers.get("content-length");
  if (declared !== null && response.headers.get("content-encoding") === null && Number(declared) !== bytes.byteLength) {
    throw new PresetError(
      "integrity_error",
      `${request.handle}: ${request.file} arrived with ${bytes.byteLength} bytes, the server announced ${declared}`,
    );
  }
  putMemoryFile(request.target, bytes);
  try {
    await cache?.put(
      request.url,
      new Response(bytes, { headers: { "content-length": String(bytes.byteLength) } }),
    );
  } catch {
    // Over the storage quota: the preset still loads, it is only not kept for the next visit.
  }
  return true;
}
