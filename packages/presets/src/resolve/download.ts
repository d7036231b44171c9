import { createHash } from "node:crypto";
import {
  createReadStream,
  createWriteStream,
  existsSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import type { IncomingMessage } from "node:http";
import { pipeline } from "node:stream/promises";
import { Transform } from "node:stream";
import { PresetError } from "../errors.js";
import {
  HttpStatusError,
  RetryableError,
  cutReason,
  discard,
  header,
  readBodyText,
} from "./http.js";

/** A content hash announced by the server, checked after the download. */
export interface ExpectedHash {
  /** `git-sha1` is git's blob hash (`sha1("blob <size>\0" + bytes)`), the hub's small-file etag. */
  algorithm: "sha256" | "md5" | "git-sha1";
  /** Lower-case hex. */
  hex: string;
}

export interface RetryPolicy {
  /** Attempts after the first (default 5). */
  retries: number;
  /** First backoff delay in ms, doubled each time up to 10 s, with jitter (default 500). */
  retryDelayMs: number;
  /** Stall timeout in ms: no data for this long fails the attempt (default 30 000). */
  timeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retries: 5,
  retryDelayMs: 500,
  timeoutMs: 30_000,
};

export interface DownloadProgressEvent {
  /** The file being downloaded, relative to the preset folder. */
  file: string;
  loaded: number;
  total?: number;
}

export interface DownloadRequest {
  /** The preset handle, for messages. */
  label: string;
  /** The file's name within the preset, for messages and progress. */
  file: string;
  /** Where the verified file ends up. */
  dest: string;
  /**
   * Opens the download, asking for bytes from `start` on (a `Range` request when > 0), and
   * returns the final response after any redirects. Called again for each retry.
   */
  open: (start: number) => Promise<{ response: IncomingMessage; url: URL }>;
  /** The size announced beforehand (the hub's metadata), if any. */
  size?: number;
  /** The hash announced beforehand, if any; else the response's `x-goog-hash` md5 is used. */
  hash?: ExpectedHash;
  policy: RetryPolicy;
  onProgress?: (event: DownloadProgressEvent) => void;
  /** Turns an unwanted HTTP status into the error to report (not retried unless retryable). */
  describeStatus: (error: HttpStatusError) => PresetError;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The delay before retry number `attempt` (1-based): doubling, capped, with jitter. */
export function backoffDelay(attempt: number, policy: RetryPolicy): number {
  const base = Math.min(policy.retryDelayMs * 2 ** (attempt - 1), 10_000);
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

/** GCS's `x-goog-hash: crc32c=...,md5=<base64>` md5, as hex. */
export function googMd5(res: IncomingMessage): ExpectedHash | undefined {
  const value = header(res, "x-goog-hash");
  const md5 = value
    ?.split(",")
    .map((part) => part.trim())
    .find((part) => part.startsWith("md5="));
  if (md5 === undefined) return undefined;
  const hex = Buffer.from(md5.slice(4), "base64").toString("hex");
  return hex.length === 32 ? { algorithm: "md5", hex } : undefined;
}

async function hashFile(file: string, hash: ExpectedHash, size: number): Promise<string> {
  const h = createHash(hash.algorithm === "git-sha1" ? "sha1" : hash.algorithm);
  if (hash.algorithm === "git-sha1") h.update(`blob ${size}\0`);
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest("hex");
}

/** `Content-Range: bytes <start>-<end>/<total>` → start and total. */
function contentRange(
  res: IncomingMessage,
): { start: number; total: number | undefined } | undefined {
  const match = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(header(res, "content-range") ?? "");
  if (match === null) return undefined;
  return { start: Number(match[1]), total: match[2] === "*" ? undefined : Number(match[2]) };
}

function contentLength(res: IncomingMessage): number | undefined {
  const value = header(res, "content-length");
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

/**
 * Downloads one file into `dest`: data goes to `<dest>.incomplete` and is renamed into place
 * only when its size (and hash, where the server gives one) is verified, so an interrupted or
 * corrupt download never looks complete. A partial file is resumed with a `Range` request,
 * within this call and across runs; resets, timeouts, truncated bodies and 408/429/5xx answers
 * are retried with exponential backoff. Callers hold the folder's lock, so no other process
 * writes the same `.incomplete` file.
 */
export async function downloadFile(request: DownloadRequest): Promise<void> {
  const { file, dest, policy } = request;
  const partial = `${dest}.incomplete`;
  let lastError: Error | undefined;
  let integrityFailures = 0;
  for (let attempt = 0; attempt <= policy.retries; attempt++) {
    if (attempt > 0) await sleep(backoffDelay(attempt, policy));
    try {
      await downloadAttempt(request, partial);
      renameSync(partial, dest);
      return;
    } catch (error) {
      if (error instanceof PresetError) {
        if (error.code !== "integrity_error") throw error;
        // A complete body that does not match what was announced: start over once more.
        rmSync(partial, { force: true });
        if (++integrityFailures > 1) throw error;
        lastError = error;
        continue;
      }
      if (error instanceof HttpStatusError) {
        if (!error.retryable) throw request.describeStatus(error);
        lastError = error;
        continue;
      }
      if (error instanceof RetryableError) {
        lastError = error;
        continue;
      }
      throw error;
    }
  }
  const reason =
    lastError instanceof HttpStatusError
      ? request.describeStatus(lastError).message
      : lastError?.message;
  throw new PresetError(
    lastError instanceof PresetError ? lastError.code : "download_failed",
    `Downloading ${file} of ${request.label} failed after ${policy.retries + 1} attempts: ${reason}. ` +
      "Check the network and try again; completed files are kept and a partial one is resumed.",
    { path: dest, cause: lastError },
  );
}

async function downloadAttempt(request: DownloadRequest, partial: string): Promise<void> {
  const file = `${request.file} of ${request.label}`;
  let start = existsSync(partial) ? statSync(partial).size : 0;
  if (request.size !== undefined && start > request.size) {
    rmSync(partial, { force: true });
    start = 0;
  }
  const { response: res, url } = await request.open(start);
  if (res.statusCode === 416 && start > 0) {
    discard(res);
    if (start !== request.size) {
      // The partial file does not fit what the server has: start over.
      rmSync(partial, { force: true });
      throw new RetryableError(`the server refused to resume at byte ${start}`);
    }
    // Everything is already here; it is verified below.
  } else if (res.statusCode === 200 || res.statusCode === 206) {
    let offset = 0;
    if (res.statusCode === 206) {
      const range = contentRange(res);
      if (range === undefined || range.start !== start) {
        discard(res);
        rmSync(partial, { force: true });
        throw new RetryableError("the server answered a Range request with the wrong range");
      }
      offset = start;
    }
    const total =
      request.size ??
      (res.statusCode === 206 ? contentRange(res)?.total : undefined) ??
      (contentLength(res) === undefined ? undefined : offset + contentLength(res)!);
    const expectedHere = contentLength(res);
    let received = 0;
    let loaded = offset;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        received += chunk.length;
        loaded += chunk.length;
        if (total !== undefined && loaded > total) {
          callback(
            new PresetError(
              "integrity_error",
              `${file}: the server sent more than the ${total} bytes announced`,
            ),
          );
          return;
        }
        request.onProgress?.({
          file: request.file,
          loaded,
          ...(total === undefined ? {} : { total }),
        });
        callback(null, chunk);
      },
    });
    try {
      await pipeline(res, counter, createWriteStream(partial, { flags: offset > 0 ? "a" : "w" }));
    } catch (error) {
      if (error instanceof PresetError) throw error;
      throw new RetryableError(
        `the transfer was interrupted after ${loaded} bytes (${cutReason(res) ?? (error as Error).message})`,
        { cause: error },
      );
    }
    if (!res.complete || (expectedHere !== undefined && received < expectedHere)) {
      throw new RetryableError(`the connection closed after ${loaded} of ${total ?? "?"} bytes`);
    }
    if (expectedHere !== undefined && received > expectedHere) {
      throw new PresetError(
        "integrity_error",
        `${file}: received ${received} bytes, Content-Length said ${expectedHere}`,
      );
    }
  } else {
    const body = await readBodyText(res, 64 * 1024).catch(() => "");
    throw new HttpStatusError(res.statusCode ?? 0, res.headers, url, body);
  }
  const size = statSync(partial).size;
  const expectedSize = request.size;
  if (expectedSize !== undefined && size !== expectedSize) {
    if (size < expectedSize) throw new RetryableError(`got ${size} of ${expectedSize} bytes`);
    throw new PresetError(
      "integrity_error",
      `${file}: got ${size} bytes, the server announced ${expectedSize}`,
    );
  }
  const hash = request.hash ?? googMd5(res);
  if (hash !== undefined) {
    const actual = await hashFile(partial, hash, size);
    if (actual !== hash.hex) {
      throw new PresetError(
        "integrity_error",
        `${file}: the downloaded data's ${hash.algorithm} is ${actual}, the server announced ${hash.hex}`,
      );
    }
  }
}

/**
 * Runs `fn` until it succeeds, retrying network errors, timeouts and 408/429/5xx answers with
 * exponential backoff; other errors are thrown at once. For the small metadata requests.
 */
export async function withRetries<T>(policy: RetryPolicy, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0) await sleep(backoffDelay(attempt, policy));
    try {
      return await fn();
    } catch (error) {
      const retryable =
        error instanceof RetryableError || (error instanceof HttpStatusError && error.retryable);
      if (!retryable || attempt >= policy.retries) throw error;
    }
  }
}
