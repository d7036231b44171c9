import { createReadStream, existsSync, statSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".map": "application/json",
  ".png": "image/png",
};

export interface StaticServerOptions {
  /** URL path prefix → folder, e.g. `{ "/": siteDir, "/testdata/": testdataDir }`. */
  roots: Record<string, string>;
  /** Send COOP/COEP so pages are cross-origin isolated (threaded WebAssembly). */
  crossOriginIsolated?: boolean;
  /** Answer with `Access-Control-Allow-Origin: *`, as the Hugging Face hub does. */
  cors?: boolean;
}

export interface StaticServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Every request so far: method and path. */
  requests: { method: string; path: string }[];
  close(): Promise<void>;
}

/**
 * A static file server on 127.0.0.1 (a free port) for the pages and the files they fetch, with
 * the MIME types browsers insist on (`application/wasm`), optional cross-origin isolation and
 * CORS, and a log of requests (the cache tests check that a reload asks for nothing).
 */
export async function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
  const requests: { method: string; path: string }[] = [];
  const prefixes = Object.keys(options.roots).sort((a, b) => b.length - a.length);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const pathname = decodeURIComponent(url.pathname);
    requests.push({ method: req.method ?? "GET", path: pathname });
    if (options.crossOriginIsolated === true) {
      res.setHeader("cross-origin-opener-policy", "same-origin");
      res.setHeader("cross-origin-embedder-policy", "require-corp");
    }
    if (options.cors === true) res.setHeader("access-control-allow-origin", "*");
    const prefix = prefixes.find((p) => pathname.startsWith(p));
    const root = prefix === undefined ? undefined : path.resolve(options.roots[prefix]!);
    let file = root === undefined ? undefined : path.resolve(root, `.${pathname.slice(prefix!.length - 1)}`);
    if (file !== undefined && existsSync(file) && statSync(file).isDirectory()) file = path.join(file, "index.html");
    if (root === undefined || file === undefined || !file.startsWith(root) || !existsSync(file)) {
      res.writeHead(404, { "content-type": "text/plain" }).end(`not found: ${pathname}`);
      return;
    }
    res.writeHead(200, {
      "content-type": TYPES[path.extname(file)] ?? "application/octet-stream",
      "content-length": statSync(file).size,
      "cache-control": "no-store",
    });
    if (req.method === "HEAD") res.end();
    else createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
