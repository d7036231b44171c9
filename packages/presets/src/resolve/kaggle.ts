import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import path from "node:path";
import { PresetError } from "../errors.js";
import { isJsonObject } from "../json-file.js";
import { safeJoin } from "../safe-paths.js";
import { detectArchive, extractArchive } from "./archive.js";
import {
  isComplete,
  kaggleVariationDir,
  kaggleVersionDir,
  kagglehubVersionDir,
  latestCachedKaggleVersion,
  writeMarker,
} from "./cache.js";
import { downloadFile, withRetries } from "./download.js";
import {
  albertHome,
  isOffline,
  kaggleAuthorization,
  kaggleCredentials,
  kaggleEndpoint,
} from "./env.js";
import {
  KERAS_EXTRA_FILES,
  TRANSFORMERS_EXTRA_FILES,
  fetchPresetFiles,
  hasPresetFiles,
  type PresetFileSource,
} from "./files.js";
import {
  kaggleFrameworkEnum,
  kaggleHandleText,
  parseKaggleHandle,
  type KaggleHandle,
} from "./handles.js";
import {
  HttpStatusError,
  checkUrlAllowed,
  followRedirects,
  header,
  httpRequest,
  rangeHeader,
  readBodyText,
  redactUrl,
  sameOrigin,
  serverText,
} from "./http.js";
import { withLock } from "./lock.js";
import type { RemoteOptions } from "./options.js";
import { startFileProgress } from "./progress.js";

const SERVICE = "models.ModelApiService";
/** kagglehub lists 25 files; more than that (a next page) means "download the archive". */
const PAGE_SIZE = 25;

interface KaggleContext {
  h: KaggleHandle;
  label: string;
  endpoint: URL;
  authorization: string | undefined;
  options: RemoteOptions;
}

function rpcUrl(ctx: KaggleContext, method: string): URL {
  return new URL(`${ctx.endpoint.href.replace(/\/$/, "")}/v1/${SERVICE}/${method}`);
}

/** Credentials go only to the API host, never to the storage host a download redirects to. */
function authHeaders(ctx: KaggleContext, url: URL): Record<string, string> {
  return ctx.authorization !== undefined && sameOrigin(url, ctx.endpoint)
    ? { authorization: ctx.authorization }
    : {};
}

/** kagglesdk's error rule: a JSON reply with a numeric `code` ≥ 400 is an error, whatever the status. */
function jsonError(text: string): { code: number; message: string } | undefined {
  try {
    const json = JSON.parse(text) as unknown;
    if (isJsonObject(json) && typeof json["code"] === "number" && json["code"] >= 400) {
      return {
        code: json["code"],
        message: typeof json["message"] === "string" ? json["message"] : "",
      };
    }
  } catch {
    // not JSON
  }
  return undefined;
}

/** Turns a Kaggle API error into a `PresetError` that says what to do. */
function kaggleError(ctx: KaggleContext, error: HttpStatusError, file?: string): PresetError {
  const message = serverText(jsonError(error.body)?.message ?? error.body);
  const detail = message === "" ? "" : ` (Kaggle says: ${message})`;
  const modelPage = `https://www.kaggle.com/models/${ctx.h.owner}/${ctx.h.model}`;
  const what = file === undefined ? ctx.label : `${file} of ${ctx.label}`;
  if (error.status === 401 || error.status === 403) {
    return new PresetError(
      "access_denied",
      `Kaggle refused access to ${what} (HTTP ${error.status})${detail}. If the model asks you to accept its ` +
        `terms, accept them at ${modelPage} while logged in, and make credentials available: KAGGLE_API_TOKEN, ` +
        "KAGGLE_USERNAME and KAGGLE_KEY, or ~/.kaggle/kaggle.json" +
        (ctx.authorization === undefined ? " (none were found)" : ""),
    );
  }
  if (error.status === 404) {
    return new PresetError(
      file === undefined ? "not_found" : "missing_file",
      `${what} was not found on Kaggle${detail}: check the handle (owner/model/framework/variation/version)`,
    );
  }
  return new PresetError(
    "download_failed",
    `Kaggle answered HTTP ${error.status} for ${what} (${redactUrl(error.url)})${detail}`,
  );
}

/** One RPC of the Kaggle models service (`POST <endpoint>/v1/models.ModelApiService/<method>`). */
async function rpc(
  ctx: KaggleContext,
  method: string,
  body: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const url = rpcUrl(ctx, method);
  return withRetries(ctx.options.policy, async () => {
    const res = await httpRequest({
      method: "POST",
      url,
      headers: { "content-type": "application/json", ...authHeaders(ctx, url) },
      body: JSON.stringify(body),
      timeoutMs: ctx.options.policy.timeoutMs,
    });
    const text = await readBodyText(res);
    const status = res.statusCode ?? 0;
    const failed = jsonError(text);
    if (failed !== undefined) throw new HttpStatusError(failed.code, res.headers, url, text);
    if (status >= 400) throw new HttpStatusError(status, res.headers, url, text);
    try {
      const json = JSON.parse(text) as unknown;
      if (isJsonObject(json)) return json;
    } catch {
      // fall through
    }
    throw new PresetError(
      "download_failed",
      `Kaggle's ${method} reply for ${ctx.label} is not a JSON object`,
    );
  }).catch((error: unknown) => {
    throw error instanceof HttpStatusError ? kaggleError(ctx, error) : error;
  });
}

function instanceBody(ctx: KaggleContext): Record<string, unknown> {
  return {
    ownerSlug: ctx.h.owner,
    modelSlug: ctx.h.model,
    framework: kaggleFrameworkEnum(ctx.h.framework),
    instanceSlug: ctx.h.variation,
  };
}

/**
 * Opens a `DownloadModelInstanceVersion` download (the whole bundle, or one `file`): the
 * service answers with a redirect to signed storage URL, which is fetched with `GET` (and a
 * `Range` when resuming), without the Kaggle credentials when it is another host.
 */
async function openDownload(
  ctx: KaggleContext,
  version: number,
  file: string | undefined,
  rangeStart: number,
  onUrl: (url: URL) => void,
): Promise<{ response: IncomingMessage; url: URL }> {
  const rpcTarget = rpcUrl(ctx, "DownloadModelInstanceVersion");
  const body = JSON.stringify({
    ...instanceBody(ctx),
    versionNumber: version,
    ...(file === undefined ? {} : { path: file }),
  });
  const timeoutMs = ctx.options.policy.timeoutMs;
  const rpc = await httpRequest({
    method: "POST",
    url: rpcTarget,
    headers: { "content-type": "application/json", ...authHeaders(ctx, rpcTarget) },
    body,
    timeoutMs,
  });
  const { response: res, url } = await followRedirects(rpc, rpcTarget, {
    label: ctx.label,
    timeoutMs,
    headersFor: (url) => ({ ...authHeaders(ctx, url), ...rangeHeader(rangeStart) }),
  });
  const status = res.statusCode ?? 0;
  if (url === rpcTarget && (header(res, "content-type") ?? "").includes("application/json")) {
    // An error reply of the service itself (kagglesdk checks `code` even on HTTP 200).
    const text = await readBodyText(res, 1024 * 1024);
    const failed = jsonError(text);
    throw new HttpStatusError(
      failed?.code ?? (status >= 400 ? status : 502),
      res.headers,
      url,
      text,
    );
  }
  onUrl(url);
  return { response: res, url };
}

/** Downloads one file (or the bundle when `file` is undefined) of a version into `dest`. */
async function download(
  ctx: KaggleContext,
  version: number,
  file: string | undefined,
  dest: string,
): Promise<URL | undefined> {
  const name = file ?? `${ctx.h.variation}/${version} (archive)`;
  const progress = startFileProgress(ctx.label, name, ctx.options);
  let finalUrl: URL | undefined;
  try {
    await downloadFile({
      label: ctx.label,
      file: name,
      dest,
      open: (start) => openDownload(ctx, version, file, start, (u) => (finalUrl = u)),
      policy: ctx.options.policy,
      onProgress: (e) => progress.update(e.loaded, e.total),
      describeStatus: (error) => kaggleError(ctx, error, file),
    });
  } finally {
    progress.finish();
  }
  return finalUrl;
}

/** Files of a version downloaded one by one, as kagglehub does when the listing fits one page. */
function perFileSource(
  ctx: KaggleContext,
  version: number,
  dir: string,
  listed: Set<string>,
): PresetFileSource {
  return {
    has: async (file) => listed.has(file),
    async fetch(file) {
      const dest = safeJoin(dir, file, ctx.label);
      if (existsSync(dest)) return true;
      if (!listed.has(file)) return false;
      mkdirSync(path.dirname(dest), { recursive: true });
      const finalUrl = await download(ctx, version, file, dest);
      await unzipSingleFile(dest, file, finalUrl);
      return true;
    },
  };
}

/**
 * kagglehub's rule for single files: when the signed URL's last segment is `<file name>.zip`
 * and the data is a zip, the file was served compressed and is the archive's member of that
 * name.
 */
async function unzipSingleFile(
  dest: string,
  file: string,
  finalUrl: URL | undefined,
): Promise<void> {
  const base = path.posix.basename(file);
  if (
    finalUrl === undefined ||
    !finalUrl.pathname.endsWith(`/${base}.zip`) ||
    base.endsWith(".zip")
  )
    return;
  if (detectArchive(dest) !== "zip") return;
  const staging = `${dest}.unzip`;
  rmSync(staging, { recursive: true, force: true });
  try {
    const got = await extractArchive(dest, staging, (name) => name === base);
    if (!got.includes(base)) {
      throw new PresetError(
        "corrupt_weights",
        `${dest}: the zipped download does not contain ${base}`,
        { path: dest },
      );
    }
    renameSync(path.join(staging, base), dest);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Entry names worth extracting from a bundle: everything `fetchPresetFiles` may ask for. */
function mayBeWanted(name: string): boolean {
  const known: readonly string[] = [
    "config.json",
    "model.weights.h5",
    "model.weights.json",
    "model.safetensors",
    "model.safetensors.index.json",
    ...KERAS_EXTRA_FILES,
    ...TRANSFORMERS_EXTRA_FILES,
  ];
  return (
    known.includes(name) ||
    /^model_\d+\.weights\.h5$/.test(name) ||
    /^[^/]+\.safetensors$/.test(name)
  );
}

/** The whole bundle as one archive (more than a page of files), extracted safely. */
async function archiveSource(
  ctx: KaggleContext,
  version: number,
  dir: string,
  staging: string,
): Promise<PresetFileSource> {
  const archive = path.join(kaggleVariationDir(ctx.h), `${version}.archive`);
  await download(ctx, version, undefined, archive);
  const names = new Set<string>();
  rmSync(staging, { recursive: true, force: true });
  try {
    await extractArchive(archive, staging, (name) => {
      names.add(name);
      return mayBeWanted(name);
    });
  } catch (error) {
    if (error instanceof PresetError) {
      throw new PresetError(error.code, `${ctx.label}: ${error.message}`, { cause: error });
    }
    throw error;
  } finally {
    rmSync(archive, { force: true });
  }
  return {
    has: async (file) => names.has(file),
    async fetch(file) {
      const dest = safeJoin(dir, file, ctx.label);
      if (existsSync(dest)) return true;
      const staged = safeJoin(staging, file, ctx.label);
      if (!existsSync(staged)) return false;
      mkdirSync(path.dirname(dest), { recursive: true });
      renameSync(staged, dest);
      return true;
    },
  };
}

function notCachedOffline(label: string): PresetError {
  return new PresetError(
    "offline",
    `${label} is not in the cache (${albertHome()}) and offline mode is on (ALBERT_OFFLINE / HF_HUB_OFFLINE): ` +
      "load it once with network access, or unset offline mode",
  );
}

/**
 * Resolves `kaggle://owner/model/framework/variation[/version]` to a local folder through the
 * Kaggle models API as kagglehub 0.4+ uses it: `GetModelInstance` for the latest version
 * when none is given, `ListModelInstanceVersionFiles`, then `DownloadModelInstanceVersion`
 * per file (or for the whole archive when there are more than 25 files), each a redirect to a
 * signed storage URL whose `x-goog-hash` MD5 is checked. A version complete in the cache needs
 * no network (an unversioned handle asks for the latest version first, unless offline).
 */
export async function resolveKaggle(handle: string, options: RemoteOptions): Promise<string> {
  const h = parseKaggleHandle(handle);
  const weights = options.loadWeights;
  let version = h.version;
  const cachedAt = (v: number): string | undefined => {
    const dir = kaggleVersionDir(h, v);
    if (isComplete(dir, weights)) return dir;
    const theirs = kagglehubVersionDir(h, v);
    return theirs !== undefined && hasPresetFiles(theirs, weights) ? theirs : undefined;
  };
  if (isOffline()) {
    const v = version ?? latestCachedKaggleVersion(h, weights);
    const dir = v === undefined ? undefined : cachedAt(v);
    if (dir !== undefined) return dir;
    throw notCachedOffline(kaggleHandleText(h));
  }
  const endpoint = new URL(kaggleEndpoint());
  checkUrlAllowed(endpoint, `KAGGLE_API_ENDPOINT for ${kaggleHandleText(h)}`);
  const ctx: KaggleContext = {
    h,
    label: kaggleHandleText(h),
    endpoint,
    authorization: kaggleAuthorization(kaggleCredentials()),
    options,
  };
  if (version === undefined) {
    try {
      const instance = await rpc(ctx, "GetModelInstance", instanceBody(ctx));
      const latest = instance["versionNumber"];
      if (typeof latest !== "number" || !Number.isSafeInteger(latest) || latest < 1) {
        throw new PresetError("download_failed", `Kaggle gave no version number for ${ctx.label}`);
      }
      version = latest;
    } catch (error) {
      const fallback = latestCachedKaggleVersion(h, weights);
      const retryable = !(error instanceof PresetError) || error.code === "download_failed";
      if (retryable && fallback !== undefined) return kaggleVersionDir(h, fallback);
      throw error;
    }
  }
  const label = kaggleHandleText(h, version);
  ctx.label = label;
  const cached = cachedAt(version);
  if (cached !== undefined) return cached;

  const dir = kaggleVersionDir(h, version);
  const resolvedVersion = version;
  await withLock(dir, async () => {
    if (isComplete(dir, weights)) return;
    mkdirSync(dir, { recursive: true });
    const listing = await rpc(ctx, "ListModelInstanceVersionFiles", {
      ...instanceBody(ctx),
      versionNumber: resolvedVersion,
      pageSize: PAGE_SIZE,
    });
    const entries = Array.isArray(listing["files"]) ? (listing["files"] as unknown[]) : [];
    const listed = new Set(
      entries
        .map((f) => (isJsonObject(f) && typeof f["name"] === "string" ? f["name"] : undefined))
        .filter((n): n is string => n !== undefined),
    );
    const nextPage = listing["nextPageToken"];
    const staging = `${dir}.staging-${process.pid}`;
    try {
      const source =
        typeof nextPage === "string" && nextPage !== ""
          ? await archiveSource(ctx, resolvedVersion, dir, staging)
          : perFileSource(ctx, resolvedVersion, dir, listed);
      const files = await fetchPresetFiles(dir, source, label, weights);
      writeMarker(dir, { handle: label, weights, files });
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  });
  return dir;
}
