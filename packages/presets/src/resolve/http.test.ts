import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { caught } from "@albert/test-utils";
import { PresetError } from "../errors.js";
import { MAX_REDIRECTS, followRedirects, httpRequest, rangeHeader, readBodyText } from "./http.js";

// /hop/N redirects to /hop/N-1 down to /hop/0, which answers; /loop always redirects.
const seen: { url: string; headers: http.IncomingHttpHeaders }[] = [];
const server = http.createServer((req, res) => {
  seen.push({ url: req.url ?? "", headers: req.headers });
  const hop = /^\/hop\/(\d+)$/.exec(req.url ?? "");
  if (hop && hop[1] === "0") res.end("arrived");
  else if (hop) res.writeHead(302, { location: `/hop/${Number(hop[1]) - 1}` }).end();
  else res.writeHead(302, { location: "/loop" }).end();
});
let base = "";
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const follow = async (path: string) => {
  const url = new URL(path, base);
  const headersFor = (u: URL) => ({ "x-hop": u.pathname, ...rangeHeader(10) });
  const first = await httpRequest({
    method: "GET",
    url,
    headers: headersFor(url),
    timeoutMs: 5000,
  });
  return followRedirects(first, url, { label: "test", timeoutMs: 5000, headersFor });
};

describe("followRedirects", () => {
  test("follows each hop with the headers chosen for its URL", async () => {
    seen.length = 0;
    const { response, url } = await follow("/hop/3");
    expect(url.pathname).toBe("/hop/0");
    expect(await readBodyText(response, 100)).toBe("arrived");
    expect(seen.map((s) => [s.url, s.headers["x-hop"], s.headers["range"]])).toEqual(
      [3, 2, 1, 0].map((n) => [`/hop/${n}`, `/hop/${n}`, "bytes=10-"]),
    );
  });

  test(`gives up after ${MAX_REDIRECTS} redirects`, async () => {
    seen.length = 0;
    const error = await caught(() => follow("/loop"), PresetError);
    expect(error).toMatchObject({ code: "download_failed", message: "test: too many redirects" });
    expect(seen).toHaveLength(MAX_REDIRECTS + 1);
  });
});

test("rangeHeader asks for the rest of a file, and nothing from its start", () => {
  expect(rangeHeader(0)).toEqual({});
  expect(rangeHeader(42)).toEqual({ range: "bytes=42-" });
});
