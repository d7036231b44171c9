import { existsSync, mkdirSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import path from "node:path";
import { PresetError } from "../errors.js";
import { safeJoin } from "../safe-paths.js";
import {
  hfHubRepoDir,
  hfSnapshotDir,
  isComplete,
  readHfHubRef,
  readHfRef,
  writeHfRef,
  writeMarker,
} from "./cache.js";
import { downloadFile, withRetries, type ExpectedHash } from "./download.js";
import { albertHome, hfEndpoint, hfToken, isOffline } from "./env.js";
import { fetchPresetFiles, hasPresetFiles, type PresetFileSource } from "./files.js";
import { hfHandleText, parseHfHandle, type HfHandle } from "./handles.js";
import {
  HttpStatusError,
  MAX_REDIRECTS,
  checkUrlAllowed,
  discard,
  followRedirects,
  header,
  httpRequest,
  rangeHeader,
  redactUrl,
  sameOrigin,
  serverText,
} from "./http.js";
import { withLock } from "./lock.js";
import type { RemoteOptions } from "./options.js";
import { startFileProgress } from "./progress.js";

const COMMIT = /^[0-9a-f]{40}$/;

/** What a `HEAD` of a resolve URL tells about one file (huggingface_hub's file metadata). */
interface HfFileMeta {
  commit: string;
  size: number;
  hash: ExpectedHash | undefined;
  downloadUrl: URL;
}

interface HfContext {
  h: HfHandle;
  label: string;
  endpoint: URL;
  token: string | undefined;
  options: RemoteOptions;
}

function resolveUrl(ctx: HfContext, revision: string, file: string): URL {
  const encodedFile = file.split("/").map(encodeURIComponent).join("/");
  return new URL(
    `${ctx.endpoint.href.replace(/\/$/, "")}/${ctx.h.repoId}/resolve/${encodeURIComponent(revision)}/${encodedFile}`,
  );
}

/** The token goes only to the hub itself, never to a CDN or storage host it redirects to. */
function authHeaders(ctx: HfContext, url: URL): Record<string, string> {
  return ctx.token !== undefined && sameOrigin(url, ctx.endpoint)
    ? { authorization: `Bearer ${ctx.token}` }
    : {};
}

/** Turns an HTTP error of the hub into a `PresetError` that says what to do. */
function hfError(
  ctx: HfContext,
  error: HttpStatusError,
  file: string,
  revision: string,
): PresetError {
  const code = header(error, "x-error-code");
  const message = serverText(header(error, "x-error-message"));
  const detail = message === "" ? "" : ` (the hub says: ${message})`;
  const repoPage = `${ctx.endpoint.origin}/${ctx.h.repoId}`;
  if (code === "GatedRepo") {
    return new PresetError(
      "access_denied",
      `${ctx.label} is a gated repository: accept its conditions at ${repoPage} while logged in, then set ` +
        `HF_TOKEN to a token of that account${ctx.token === undefined ? "" : " (the token in use has no access)"}${detail}`,
    );
  }
  if (code === "RepoNotFound" || (error.status === 401 && code === undefined)) {
    return new PresetError(
      "not_found",
      `${ctx.label} was not found on ${ctx.endpoint.origin}: check the name. If the repository is private or ` +
        `gated, set HF_TOKEN to a token with access${detail}`,
    );
  }
  if (code === "RevisionNotFound") {
    return new PresetError(
      "not_found",
      `${ctx.label}: revision '${revision}' does not exist${detail}`,
    );
  }
  if (error.status === 404) {
    return new PresetError("missing_file", `${ctx.label} has no ${file}${detail}`);
  }
  if (error.status === 401 || error.status === 403) {
    return new PresetError(
      "access_denied",
      `${ctx.label}: access to ${file} was refused (HTTP ${error.status}); set HF_TOKEN to a token with access${detail}`,
    );
  }
  return new PresetError(
    "download_failed",
    `${ctx.label}: ${redactUrl(error.url)} answered HTTP ${error.status} for ${file}${detail}`,
  );
}

/** Whether a `Location` value is relative (the hub's "renamed repository" redirects). */
function isRelativeLocation(location: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:/i.test(location) && !location.startsWith("//");
}

/**
 * `HEAD` of a file's resolve URL, as huggingface_hub does it: relative redirects are followed,
 * an absolute one (to a CDN) is the answer. Returns `undefined` for a file the repository
 * does not have (404 `EntryNotFound`).
 */
async function headFile(
  ctx: HfContext,
  revision: string,
  file: string,
): Promise<HfFileMeta | undefined> {
  return withRetries(ctx.options.policy, async () => {
    let url = resolveUrl(ctx, revision, file);
    for (let redirects = 0; ; redirects++) {
      checkUrlAllowed(url, ctx.label);
      const res = await httpRequest({
        method: "HEAD",
        url,
        headers: authHeaders(ctx, url),
        timeoutMs: ctx.options.policy.timeoutMs,
      });
      discard(res);
      const status = res.statusCode ?? 0;
      const location = header(res, "location");
      if (status >= 300 && status < 400 && location !== undefined && isRelativeLocation(location)) {
        if (redirects >= MAX_REDIRECTS)
          throw new PresetError("download_failed", `${ctx.label}: too many redirects`);
        const next = new URL(location, url);
        url = new URL(`${next.pathname}${url.search}`, url);
        continue;
      }
      if (status === 404 && header(res, "x-error-code") === "EntryNotFound") return undefined;
      if (status >= 400 || status < 200) throw new HttpStatusError(status, res.headers, url, "");
      return fileMeta(ctx, res, status, url, location, file);
    }
  });
}

function fileMeta(
  ctx: HfContext,
  res: IncomingMessage,
  status: number,
  url: URL,
  location: string | undefined,
  file: string,
): HfFileMeta {
  const commit = header(res, "x-repo-commit");
  if (commit === undefined || !COMMIT.test(commit)) {
    throw new PresetError(
      "download_failed",
      `${ctx.label}: ${redactUrl(url)} did not answer like a Hugging Face hub (no X-Repo-Commit header); ` +
        "check HF_ENDPOINT",
    );
  }
  const etag = (header(res, "x-linked-etag") ?? header(res, "etag") ?? "")
    .replace(/^W\//, "")
    .replace(/"/g, "");
  const sizeText =
    header(res, "x-linked-size") ?? (status < 300 ? header(res, "content-length") : undefined);
  if (sizeText === undefined || !/^\d+$/.test(sizeText)) {
    throw new PresetError("download_failed", `${ctx.label}: the hub gave no size for ${file}`);
  }
  const hash: ExpectedHash | undefined = /^[0-9a-f]{64}$/.test(etag)
    ? { algorithm: "sha256", hex: etag }
    : /^[0-9a-f]{40}$/.test(etag)
      ? { algorithm: "git-sha1", hex: etag }
      : undefined;
  // Xet-stored files are downloaded through the resolve URL (which redirects to plain bytes).
  const xet = header(res, "x-xet-hash") !== undefined;
  const redirected = status >= 300 && location !== undefined && !xet;
  const downloadUrl = redirected ? new URL(location, url) : resolveUrl(ctx, commit, file);
  return { commit, size: Number(sizeText), hash, downloadUrl };
}

/** `GET` with redirects followed by hand, so each hop is checked and the token stays home. */
async function openDownload(
  ctx: HfContext,
  start: URL,
  rangeStart: number,
): Promise<{ response: IncomingMessage; url: URL }> {
  const headersFor = (url: URL) => ({ ...authHeaders(ctx, url), ...rangeHeader(rangeStart) });
  const timeoutMs = ctx.options.policy.timeoutMs;
  checkUrlAllowed(start, ctx.label);
  const first = await httpRequest({
    method: "GET",
    url: start,
    headers: headersFor(start),
    timeoutMs,
  });
  return followRedirects(first, start, { label: ctx.label, timeoutMs, headersFor });
}

/** The hub as a source of preset files at one commit (`meta` caches what HEADs told). */
function hubSource(
  ctx: HfContext,
  dir: string,
  commit: string,
  meta: Map<string, HfFileMeta>,
): PresetFileSource {
  const lookup = async (file: string) => {
    if (!meta.has(file)) {
      const found = await headFile(ctx, commit, file).catch((error: unknown) => {
        throw error instanceof HttpStatusError ? hfError(ctx, error, file, commit) : error;
      });
      if (found === undefined) return undefined;
      meta.set(file, found);
    }
    return meta.get(file);
  };
  return {
    has: async (file) => (await lookup(file)) !== undefined,
    async fetch(file) {
      const dest = safeJoin(dir, file, ctx.label);
      if (existsSync(dest)) return true; // verified by an earlier run for this commit
      const info = await lookup(file);
      if (info === undefined) return false;
      mkdirSync(path.dirname(dest), { recursive: true });
      const progress = startFileProgress(ctx.label, file, ctx.options);
      try {
        await downloadFile({
          label: ctx.label,
          file,
          dest,
          open: (start) => openDownload(ctx, info.downloadUrl, start),
          size: info.size,
          ...(info.hash === undefined ? {} : { hash: info.hash }),
          policy: ctx.options.policy,
          onProgress: (e) => progress.update(e.loaded, e.total),
          describeStatus: (error) => hfError(ctx, error, file, commit),
        });
      } finally {
        progress.finish();
      }
      return true;
    },
  };
}

/** A complete local copy of a commit: ours, or huggingface_hub's snapshot of it. */
function cachedSnapshot(h: HfHandle, commit: string, weights: boolean): string | undefined {
  const ours = hfSnapshotDir(h, commit);
  if (isComplete(ours, weights)) return ours;
  const theirs = path.join(hfHubRepoDir(h), "snapshots", commit);
  return hasPresetFiles(theirs, weights) ? theirs : undefined;
}

function cachedForRevision(h: HfHandle, revision: string, weights: boolean): string | undefined {
  for (const commit of [
    COMMIT.test(revision) ? revision : undefined,
    readHfRef(h, revision),
    readHfHubRef(h, revision),
  ]) {
    if (commit === undefined) continue;
    const dir = cachedSnapshot(h, commit, weights);
    if (dir !== undefined) return dir;
  }
  return undefined;
}

/**
 * Resolves `hf://org/name[@revision]` to a local folder: the hub's resolve URLs
 * (`HF_ENDPOINT`, `HF_TOKEN`) give the revision's commit, and the commit's files are
 * downloaded once into `ALBERT_HOME` (or found in huggingface_hub's cache). A commit already
 * complete locally needs no download; a revision given as a commit hash needs no network at
 * all. Offline, or when the hub cannot be reached, the last commit seen for the revision is
 * used.
 */
export async function resolveHf(handle: string, options: RemoteOptions): Promise<string> {
  const h = parseHfHandle(handle, options.revision);
  const revision = h.revision ?? "main";
  const weights = options.loadWeights;
  const label = hfHandleText(h);
  if (COMMIT.test(revision)) {
    const dir = cachedSnapshot(h, revision, weights);
    if (dir !== undefined) return dir;
  }
  if (isOffline()) {
    const dir = cachedForRevision(h, revision, weights);
    if (dir !== undefined) return dir;
    throw new PresetError(
      "offline",
      `${label} is not in the cache (${albertHome()}, or huggingface_hub's) and offline mode is on ` +
        "(ALBERT_OFFLINE / HF_HUB_OFFLINE): load it once with network access, or unset offline mode",
    );
  }
  const endpoint = new URL(hfEndpoint());
  const ctx: HfContext = { h, label, endpoint, token: hfToken(), options };
  checkUrlAllowed(endpoint, `HF_ENDPOINT for ${label}`);

  let configMeta: HfFileMeta | undefined;
  try {
    configMeta = await headFile(ctx, revision, "config.json");
  } catch (error) {
    if (error instanceof HttpStatusError && !error.retryable)
      throw hfError(ctx, error, "config.json", revision);
    if (error instanceof PresetError) throw error;
    // The hub cannot be reached: like huggingface_hub, fall back to what the cache has.
    const dir = cachedForRevision(h, revision, weights);
    if (dir !== undefined) return dir;
    const reason =
      error instanceof HttpStatusError
        ? hfError(ctx, error, "config.json", revision).message
        : (error as Error).message;
    throw new PresetError(
      "download_failed",
      `Cannot reach ${endpoint.origin} for ${label} (${reason}) and it is not in the cache; check the network ` +
        "(and HF_ENDPOINT), then try again",
      { cause: error },
    );
  }
  if (configMeta === undefined) {
    throw new PresetError(
      "missing_file",
      `${label} has no config.json at revision '${revision}': it is not a KerasHub preset nor an HF transformers checkpoint`,
    );
  }
  const commit = configMeta.commit;
  const cached = cachedSnapshot(h, commit, weights);
  if (cached !== undefined) {
    writeHfRef(h, revision, commit);
    return cached;
  }
  const dir = hfSnapshotDir(h, commit);
  await withLock(dir, async () => {
    if (isComplete(dir, weights)) return;
    mkdirSync(dir, { recursive: true });
    const meta = new Map([["config.json", configMeta]]);
    const files = await fetchPresetFiles(dir, hubSource(ctx, dir, commit, meta), label, weights);
    writeMarker(dir, { handle: `hf://${h.repoId}@${commit}`, weights, files });
  });
  writeHfRef(h, revision, commit);
  return dir;
}
