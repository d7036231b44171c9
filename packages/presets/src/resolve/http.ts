import http, { type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import { PresetError } from "../errors.js";

export const USER_AGENT = `albert-ts-presets (node ${process.version})`;

/** Redirect hops a request follows before it gives up. */
export const MAX_REDIRECTS = 5;

/** A failure worth retrying: a network error, a timeout, or a 408/429/5xx answer. */
export class RetryableError extends Error {
  override readonly name = "RetryableError";
}

/** An HTTP answer that is not what the caller wanted (kept for the caller to explain). */
export class HttpStatusError extends Error {
  override readonly name = "HttpStatusError";
  constructor(
    readonly status: number,
    readonly headers: IncomingHttpHeaders,
    readonly url: URL,
    readonly body: string,
  ) {
    super(`HTTP ${status} from ${redactUrl(url)}`);
  }
  /** 408, 429 and 5xx are worth retrying; other statuses will not change. */
  get retryable(): boolean {
    return this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

/** Whether a host name is this machine: `localhost`, 127.0.0.0/8 or ::1. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  if (isIP(host) === 6) return host === "::1" || host === "0:0:0:0:0:0:0:1";
  return false;
}

/**
 * A URL as it may appear in a message: scheme, host and path only. Signed download URLs carry
 * credentials in their query string, and a URL may carry a user and password.
 */
export function redactUrl(url: URL | string): string {
  try {
    const u = typeof url === "string" ? new URL(url) : url;
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "<invalid URL>";
  }
}

/**
 * Refuses URLs we must not talk to: anything but https, except plain http to this machine
 * (test servers, local mirrors). A download may be redirected anywhere, so redirect targets
 * are checked too.
 */
export function checkUrlAllowed(url: URL, what: string): void {
  if (url.protocol === "https:") return;
  if (url.protocol === "http:" && isLoopbackHost(url.hostname)) return;
  throw new PresetError(
    "invalid_handle",
    `${what}: refusing ${redactUrl(url)}; only https URLs are used (plain http only for localhost)`,
  );
}

export interface HttpRequestOptions {
  method: "GET" | "HEAD" | "POST";
  url: URL;
  headers?: Record<string, string>;
  body?: string;
  /** Fails when the server sends nothing for this long (connect, headers or body). */
  timeoutMs: number;
}

/** Why a response's connection was cut by us (a stall timeout), to explain the interruption. */
const cutReasons = new WeakMap<IncomingMessage, string>();

/** The reason a response was cut short by its stall timeout, if it was. */
export function cutReason(res: IncomingMessage): string | undefined {
  return cutReasons.get(res);
}

/**
 * Sends one request (no redirects followed) and resolves with the response once its headers
 * arrive. Network errors and timeouts reject with `RetryableError`. A fresh connection is used
 * for every request, so a connection reset never poisons the next one.
 */
export function httpRequest(options: HttpRequestOptions): Promise<IncomingMessage> {
  const { method, url, body, timeoutMs } = options;
  const headers: Record<string, string> = {
    "user-agent": USER_AGENT,
    "accept-encoding": "identity",
    ...options.headers,
  };
  if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
  const transport = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    let response: IncomingMessage | undefined;
    const req = transport.request(url, { method, headers, agent: false }, (res) => {
      response = res;
      res.on("error", () => undefined); // errors while streaming are handled by the reader
      resolve(res);
    });
    req.setTimeout(timeoutMs, () => {
      const reason = `no data from ${redactUrl(url)} for ${timeoutMs} ms`;
      if (response !== undefined) cutReasons.set(response, reason);
      req.destroy(new RetryableError(reason));
    });
    req.on("error", (error: NodeJS.ErrnoException) => {
      // A host name that does not resolve will not resolve a second later either: say so at
      // once instead of backing off through every retry (offline machines hit this first).
      if (error.code === "ENOTFOUND") {
        reject(
          new PresetError(
            "download_failed",
            `${method} ${redactUrl(url)} failed: the host ${url.hostname} cannot be resolved (no network or DNS?). ` +
              "Cached presets load without it; set ALBERT_OFFLINE=1 to use only the cache.",
            { cause: error },
          ),
        );
        return;
      }
      reject(
        error instanceof RetryableError
          ? error
          : new RetryableError(
              `${method} ${redactUrl(url)} failed: ${error.code ?? error.message}`,
              {
                cause: error,
              },
            ),
      );
    });
    req.end(body);
  });
}

/** Reads a whole (small) response body as text, refusing more than `limit` bytes. */
export async function readBodyText(
  res: IncomingMessage,
  limit = 16 * 1024 * 1024,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res) {
      size += (chunk as Buffer).length;
      if (size > limit) {
        res.destroy();
        throw new PresetError(
          "download_failed",
          `the server sent more than ${limit} bytes where a small reply was expected`,
        );
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (error instanceof PresetError) throw error;
    throw new RetryableError(`reading a reply failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (!res.complete)
    throw new RetryableError("the connection closed before the reply was complete");
  return Buffer.concat(chunks).toString("utf8");
}

/** Discards a response body (so the socket is released). */
export function discard(res: IncomingMessage): void {
  res.resume();
  res.on("error", () => undefined);
}

/** A response header as one string. */
export function header(res: { headers: IncomingHttpHeaders }, name: string): string | undefined {
  const value = res.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(", ") : value;
}

/** Whether two URLs share scheme, host and port (where credentials may follow a redirect). */
export function sameOrigin(a: URL, b: URL): boolean {
  return a.protocol === b.protocol && a.host === b.host;
}

/** Text from a server (an error message), made safe and short enough to put in our message. */
export function serverText(text: string | undefined): string {
  let out = "";
  for (const ch of text ?? "") {
    const code = ch.charCodeAt(0);
    out += code < 0x20 || code === 0x7f ? " " : ch;
  }
  return out.trim().slice(0, 300);
}

/** The `Range` header that resumes a download after `start` bytes (none from the start). */
export function rangeHeader(start: number): Record<string, string> {
  return start > 0 ? { range: `bytes=${start}-` } : {};
}

/**
 * Follows `first`'s redirects by hand, a `GET` per hop, so that each target is checked and
 * carries only the headers `headersFor` gives it (a token stays with its own host). Returns
 * the first response that is not a redirect, and its URL.
 */
export async function followRedirects(
  first: IncomingMessage,
  url: URL,
  options: { label: string; timeoutMs: number; headersFor: (url: URL) => Record<string, string> },
): Promise<{ response: IncomingMessage; url: URL }> {
  let res = first;
  for (let redirects = 0; ; redirects++) {
    const location = header(res, "location");
    const status = res.statusCode ?? 0;
    if (!(status >= 300 && status < 400 && location !== undefined)) return { response: res, url };
    discard(res);
    if (redirects >= MAX_REDIRECTS) {
      throw new PresetError("download_failed", `${options.label}: too many redirects`);
    }
    url = new URL(location, url);
    checkUrlAllowed(url, options.label);
    res = await httpRequest({
      method: "GET",
      url,
      headers: options.headersFor(url),
      timeoutMs: options.timeoutMs,
    });
  }
}
