import { createHash } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for the Hugging Face hub and the Kaggle models API, on 127.0.0.1, for
 * tests that must never touch the internet. It follows the wire protocols described in
 * `shared/notes/HUBS.md`:
 *
 * - HF: `HEAD|GET /{repo}/resolve/{revision}/{file}` with `X-Repo-Commit`, `ETag` (git blob
 *   sha1) for small files, and for large ("LFS") files a 302 to `/cdn/{sha256}` with
 *   `X-Linked-Etag` and `X-Linked-Size`; errors carry `X-Error-Code` (`RepoNotFound`,
 *   `RevisionNotFound`, `EntryNotFound`, `GatedRepo`).
 * - Kaggle: `POST /v1/models.ModelApiService/{GetModelInstance,ListModelInstanceVersionFiles,
 *   DownloadModelInstanceVersion}` with camelCase JSON; downloads answer 302 to a signed
 *   `/gcs/...` URL serving the bytes with `x-goog-hash` (md5), `Accept-Ranges` and 206 ranges;
 *   errors are JSON `{code, message}`.
 *
 * Every request is recorded, and `faults` inject failures (resets, 5xx, truncated bodies,
 * wrong lengths, stalls, corrupted bytes) into matching requests.
 */

export type FileData = Uint8Array | string;

export interface HfRepo {
  /** Files of the repository at its commit. */
  files: Record<string, FileData>;
  /** 40-hex commit id (default: derived from the repo id). */
  commit?: string;
  /** Branches/tags → commit; `main` always points at `commit`. */
  revisions?: Record<string, string>;
  /** Needs `authorization: Bearer <token>` with this token (401 GatedRepo otherwise). */
  gatedToken?: string;
  /** Which files are served like LFS files (redirect to /cdn). Default: not .json/.txt/.md. */
  isLfs?: (file: string) => boolean;
  /** Where LFS redirects point (default: this server), to test redirect checks. */
  redirectBase?: string;
}

export interface KaggleVersion {
  files: Record<string, FileData>;
  /** Serve as one archive (the listing then has a next page, as for > 25 files). */
  archive?: Uint8Array;
}

export interface KaggleModel {
  versions: Record<number, KaggleVersion>;
  /** Needs this `authorization` header value (403 "not consented" otherwise). */
  requireAuthorization?: string;
}

export interface RecordedRequest {
  method: string;
  /** Path and query. */
  url: string;
  /** Parsed JSON body of POSTs. */
  body?: Record<string, unknown>;
  authorization?: string;
  range?: string;
}

export type FaultKind =
  /** Answer with `status` (and a JSON error body). */
  | "status"
  /** Send headers and `afterBytes` bytes, then destroy the connection. */
  | "reset"
  /** Announce a Content-Length `delta` bytes off the real one; send min(real, announced). */
  | "wrong-length"
  /** Send headers and `afterBytes` bytes, then nothing for `ms`, then the rest. */
  | "stall"
  /** Flip one byte of the body (the announced hashes no longer match). */
  | "corrupt"
  /** Ignore a `Range` header: answer 200 with the whole body. */
  | "ignore-range";

export interface Fault {
  match: (request: RecordedRequest) => boolean;
  kind: FaultKind;
  /** How many matching requests it applies to (default 1). */
  times?: number;
  status?: number;
  afterBytes?: number;
  delta?: number;
  ms?: number;
}

export interface HubServer {
  /** `http://127.0.0.1:<port>`: use as `HF_ENDPOINT` and `KAGGLE_API_ENDPOINT`. */
  url: string;
  requests: RecordedRequest[];
  faults: Fault[];
  hf: Record<string, HfRepo>;
  kaggle: Record<string, KaggleModel>;
  close(): Promise<void>;
}

const toBuffer = (data: FileData) =>
  typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data);
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const gitSha1 = (b: Buffer) =>
  createHash("sha1").update(`blob ${b.length}\0`).update(b).digest("hex");
const md5Base64 = (b: Buffer) => createHash("md5").update(b).digest("base64");

/** The response headers the hub lets pages read (its `Access-Control-Expose-Headers`). */
const CORS_EXPOSED_HEADERS =
  "X-Repo-Commit, X-Request-Id, X-Error-Code, X-Error-Message, ETag, Accept-Ranges, Content-Range, X-Linked-Size, X-Linked-ETag";

export function defaultCommit(repoId: string): string {
  return createHash("sha1").update(`commit:${repoId}`).digest("hex");
}

function defaultIsLfs(file: string): boolean {
  return !/\.(json|txt|md)$/.test(file);
}

/** Starts the server on 127.0.0.1 and a free port. */
export async function startHubServer(
  options: { hf?: Record<string, HfRepo>; kaggle?: Record<string, KaggleModel> } = {},
): Promise<HubServer> {
  const state = {
    requests: [] as RecordedRequest[],
    faults: [] as Fault[],
    hf: options.hf ?? {},
    kaggle: options.kaggle ?? {},
  };
  const blobs = new Map<string, Buffer>();
  const sockets = new Set<import("node:net").Socket>();
  let base = "";

  const takeFault = (req: RecordedRequest): Fault | undefined => {
    const fault = state.faults.find((f) => (f.times ?? 1) > 0 && f.match(req));
    if (fault !== undefined) fault.times = (fault.times ?? 1) - 1;
    return fault;
  };

  /** Sends file bytes with Range support, applying a fault if one matches. */
  const sendBytes = (
    req: IncomingMessage,
    res: ServerResponse,
    recorded: RecordedRequest,
    data: Buffer,
    headers: Record<string, string>,
  ) => {
    const fault = takeFault(recorded);
    if (fault?.kind === "status") {
      res.writeHead(fault.status ?? 500, { "content-type": "application/json" });
      res.end(JSON.stringify({ code: fault.status ?? 500, message: "injected failure" }));
      return;
    }
    let start = 0;
    const range =
      fault?.kind === "ignore-range" ? null : /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
    let status = 200;
    if (range !== null) {
      start = Number(range[1]);
      if (start >= data.length) {
        res.writeHead(416, { "content-range": `bytes */${data.length}` });
        res.end();
        return;
      }
      status = 206;
    }
    let body = data.subarray(start);
    if (fault?.kind === "corrupt") {
      body = Buffer.from(body);
      body[Math.floor(body.length / 2)]! ^= 0xff;
    }
    const out: Record<string, string> = {
      ...headers,
      "accept-ranges": "bytes",
      "content-length": String(body.length),
    };
    if (status === 206) out["content-range"] = `bytes ${start}-${data.length - 1}/${data.length}`;
    if (fault?.kind === "wrong-length")
      out["content-length"] = String(Math.max(0, body.length + (fault.delta ?? -1)));
    res.writeHead(status, out);
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    if (fault?.kind === "reset") {
      res.write(body.subarray(0, fault.afterBytes ?? Math.floor(body.length / 2)), () => {
        setTimeout(() => res.socket?.destroy(), 20);
      });
      return;
    }
    if (fault?.kind === "wrong-length") {
      const announced = Number(out["content-length"]);
      if (announced < body.length) res.end(body.subarray(0, announced));
      else res.write(body, () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    if (fault?.kind === "stall") {
      const first = fault.afterBytes ?? 0;
      res.write(body.subarray(0, first));
      const timer = setTimeout(() => {
        if (!res.destroyed) res.end(body.subarray(first));
      }, fault.ms ?? 1000);
      res.on("close", () => clearTimeout(timer));
      return;
    }
    res.end(body);
  };

  const hfError = (
    res: ServerResponse,
    status: number,
    code: string,
    extra: Record<string, string> = {},
  ) => {
    res.writeHead(status, {
      "x-error-code": code,
      "x-error-message": `${code} (test hub)`,
      ...extra,
    });
    res.end();
  };

  const handleHf = (
    req: IncomingMessage,
    res: ServerResponse,
    recorded: RecordedRequest,
    pathname: string,
  ) => {
    const match = /^\/(.+?)\/resolve\/([^/]+)\/(.+)$/.exec(pathname);
    if (match === null) return false;
    const [, repoId, revisionEncoded, fileEncoded] = match as unknown as [
      string,
      string,
      string,
      string,
    ];
    const repo = state.hf[repoId];
    if (repo === undefined) {
      hfError(res, 401, "RepoNotFound");
      return true;
    }
    if (
      repo.gatedToken !== undefined &&
      req.headers.authorization !== `Bearer ${repo.gatedToken}`
    ) {
      hfError(res, 401, "GatedRepo");
      return true;
    }
    const commit = repo.commit ?? defaultCommit(repoId);
    const revision = decodeURIComponent(revisionEncoded);
    const revisions: Record<string, string> = { main: commit, ...repo.revisions };
    const at = Object.values(revisions).includes(revision) ? revision : revisions[revision];
    if (at === undefined) {
      hfError(res, 404, "RevisionNotFound");
      return true;
    }
    const file = fileEncoded.split("/").map(decodeURIComponent).join("/");
    const data = repo.files[file];
    if (data === undefined) {
      hfError(res, 404, "EntryNotFound", { "x-repo-commit": at });
      return true;
    }
    const bytes = toBuffer(data);
    if ((repo.isLfs ?? defaultIsLfs)(file)) {
      const oid = sha256(bytes);
      blobs.set(oid, bytes);
      const fault = takeFault(recorded);
      if (fault?.kind === "status") {
        hfError(res, fault.status ?? 500, "Injected");
        return true;
      }
      res.writeHead(302, {
        location: `${repo.redirectBase ?? base}/cdn/${oid}?signature=test-signature`,
        "x-repo-commit": at,
        "x-linked-etag": `"${oid}"`,
        "x-linked-size": String(bytes.length),
        etag: `"${gitSha1(Buffer.from("pointer"))}"`,
      });
      res.end();
      return true;
    }
    sendBytes(req, res, recorded, bytes, {
      "x-repo-commit": at,
      etag: `"${gitSha1(bytes)}"`,
      "content-type": "application/octet-stream",
    });
    return true;
  };

  const kaggleJson = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };

  const handleKaggle = (res: ServerResponse, recorded: RecordedRequest, method: string) => {
    const body = recorded.body ?? {};
    const key = `${body["ownerSlug"]}/${body["modelSlug"]}/${frameworkFromEnum(String(body["framework"]))}/${body["instanceSlug"]}`;
    const model = state.kaggle[key];
    if (model === undefined) {
      kaggleJson(res, 404, { code: 404, message: `Model ${key} not found` });
      return;
    }
    if (
      model.requireAuthorization !== undefined &&
      recorded.authorization !== model.requireAuthorization
    ) {
      kaggleJson(res, 403, { code: 403, message: "User has not consented to terms of use." });
      return;
    }
    const fault = takeFault(recorded);
    if (fault?.kind === "status") {
      kaggleJson(res, fault.status ?? 500, {
        code: fault.status ?? 500,
        message: "injected failure",
      });
      return;
    }
    const versions = Object.keys(model.versions).map(Number);
    if (method === "GetModelInstance") {
      kaggleJson(res, 200, {
        id: 1,
        slug: body["instanceSlug"],
        versionNumber: Math.max(...versions),
      });
      return;
    }
    const version = model.versions[Number(body["versionNumber"])];
    if (version === undefined) {
      kaggleJson(res, 404, {
        code: 404,
        message: `Version ${String(body["versionNumber"])} not found`,
      });
      return;
    }
    if (method === "ListModelInstanceVersionFiles") {
      const files = Object.entries(version.files).map(([name, data]) => ({
        name,
        size: toBuffer(data).length,
        creationDate: "2026-01-01T00:00:00Z",
      }));
      kaggleJson(res, 200, {
        files: files.slice(0, 25),
        nextPageToken: version.archive ? "page-2" : "",
      });
      return;
    }
    if (method === "DownloadModelInstanceVersion") {
      const file = body["path"];
      const name = typeof file === "string" ? file : "archive.tar.gz";
      if (typeof file === "string" && version.files[file] === undefined) {
        kaggleJson(res, 404, { code: 404, message: `File ${file} not found` });
        return;
      }
      const gcsPath = `/gcs/${key}/${String(body["versionNumber"])}/${name.split("/").map(encodeURIComponent).join("/")}`;
      res.writeHead(302, {
        location: `${base}${gcsPath}?X-Goog-Signature=secret-signature`,
        "content-length": "0",
      });
      res.end();
      return;
    }
    kaggleJson(res, 404, { code: 404, message: `Unknown method ${method}` });
  };

  const handleGcs = (
    req: IncomingMessage,
    res: ServerResponse,
    recorded: RecordedRequest,
    pathname: string,
  ) => {
    const match = /^\/gcs\/([^/]+\/[^/]+\/[^/]+\/[^/]+)\/(\d+)\/(.+)$/.exec(pathname);
    if (match === null) return false;
    const [, key, versionText, fileEncoded] = match as unknown as [string, string, string, string];
    const version = state.kaggle[key]?.versions[Number(versionText)];
    const file = fileEncoded.split("/").map(decodeURIComponent).join("/");
    const data =
      file === "archive.tar.gz" && version?.archive ? version.archive : version?.files[file];
    if (data === undefined) {
      res.writeHead(404, { "content-type": "application/xml" });
      res.end("<Error><Code>NoSuchKey</Code></Error>");
      return true;
    }
    const bytes = toBuffer(data);
    sendBytes(req, res, recorded, bytes, {
      "content-type": "application/octet-stream",
      "x-goog-hash": `crc32c=AAAAAA==,md5=${md5Base64(bytes)}`,
    });
    return true;
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const recorded: RecordedRequest = {
        method: req.method ?? "GET",
        url: `${url.pathname}${url.search}`,
      };
      if (req.headers.authorization !== undefined)
        recorded.authorization = req.headers.authorization;
      if (req.headers.range !== undefined) recorded.range = req.headers.range;
      if (chunks.length > 0) {
        try {
          recorded.body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<
            string,
            unknown
          >;
        } catch {
          // not JSON
        }
      }
      state.requests.push(recorded);
      // CORS as the Hugging Face hub answers it, so pages on another origin can fetch files.
      res.setHeader("access-control-allow-origin", "*");
      res.setHeader("access-control-expose-headers", CORS_EXPOSED_HEADERS);
      if (req.method === "OPTIONS") {
        res.writeHead(204, {
          "access-control-allow-headers": "authorization, range, content-type",
          "access-control-allow-methods": "GET, HEAD, POST, OPTIONS",
        });
        res.end();
        return;
      }
      try {
        const rpc = /^\/v1\/models\.ModelApiService\/(\w+)$/.exec(url.pathname);
        if (rpc !== null && req.method === "POST") {
          handleKaggle(res, recorded, rpc[1]!);
          return;
        }
        if (url.pathname.startsWith("/cdn/")) {
          const oid = url.pathname.slice(5);
          const data =
            blobs.get(oid) ??
            Object.values(state.hf)
              .flatMap((repo) => Object.values(repo.files).map(toBuffer))
              .find((b) => sha256(b) === oid);
          if (data === undefined) {
            res.writeHead(404);
            res.end();
          } else
            sendBytes(req, res, recorded, data, { "content-type": "application/octet-stream" });
          return;
        }
        if (handleGcs(req, res, recorded, url.pathname)) return;
        if (handleHf(req, res, recorded, url.pathname)) return;
        res.writeHead(404);
        res.end();
      } catch (error) {
        res.writeHead(500);
        res.end(String(error));
      }
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests: state.requests,
    faults: state.faults,
    hf: state.hf,
    kaggle: state.kaggle,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** `MODEL_FRAMEWORK_KERAS` → `keras` (the framework as written in handles, lower-cased). */
function frameworkFromEnum(value: string): string {
  return value
    .replace(/^MODEL_FRAMEWORK_/, "")
    .toLowerCase()
    .replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}
