// What a page using the tokenizer + core on WebAssembly downloads (pages/embed-size.ts), as
// Chromium requests it: its scripts and .wasm file, gzipped. Tree shaking and code splitting
// keep WebGL, WebGPU, HDF5 and the native graph engine out of it. The numbers go to
// dist/bundle-size.json and the README.
import { readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import type { Metafile } from "esbuild";
import { afterAll, beforeAll, expect, it } from "vitest";
import { PACKAGE_DIR, SITE_DIR } from "./bundle/paths.js";
import { describeInChromium, startSession, type BrowserSession } from "./test-support.js";

describeInChromium("bundle size", () => {
  let session: BrowserSession;
  beforeAll(async () => {
    session = await startSession();
  });
  afterAll(async () => {
    await session?.close();
  });

  it("tokenizer + core + wasm: what the page loads, gzipped, and nothing it does not use", async () => {
    const { page, errors } = await session.open("/embed-size.html");
    await page.waitForFunction(() => document.body.dataset["done"] === "true", undefined, { timeout: 60_000 });
    expect(await page.textContent("body")).toMatch(/^wasm: /);
    expect(errors()).toEqual([]);

    const loaded = [...new Set(session.server.requests.map((r) => r.path))].filter((p) => /\.(js|wasm|html)$/.test(p));
    const files = loaded.map((p) => {
      const bytes = readFileSync(path.join(SITE_DIR, p));
      return { path: p, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
    });
    const sum = (list: typeof files, key: "bytes" | "gzip") => list.reduce((s, f) => s + f[key], 0);
    const scripts = files.filter((f) => f.path.endsWith(".js"));
    const wasm = files.filter((f) => f.path.endsWith(".wasm"));
    expect(wasm.map((f) => f.path)).toEqual(["/wasm/tfjs-backend-wasm-simd.wasm"]);

    const metafile = JSON.parse(readFileSync(path.join(SITE_DIR, "..", "metafile.json"), "utf8")) as Metafile;
    const sources = scripts.flatMap((f) => Object.keys(metafile.outputs[`dist/site${f.path}`]?.inputs ?? {}));
    expect(sources.some((s) => s.includes("tfjs-backend-wasm"))).toBe(true);
    for (const unused of ["tfjs-backend-webgl", "tfjs-backend-webgpu", "h5wasm", "graph-builder", "albert-graph", "pipelines"]) {
      expect(sources.filter((s) => s.includes(unused))).toEqual([]);
    }

    const report = {
      page: "pages/embed-size.ts (tokenizer + core + wasm backend)",
      scripts: { files: scripts.length, bytes: sum(scripts, "bytes"), gzip: sum(scripts, "gzip") },
      wasm: { files: wasm.length, bytes: sum(wasm, "bytes"), gzip: sum(wasm, "gzip") },
      total: { bytes: sum([...scripts, ...wasm], "bytes"), gzip: sum([...scripts, ...wasm], "gzip") },
      model: statSync(path.join(SITE_DIR, "models/tiny/model.safetensors")).size,
      files,
    };
    writeFileSync(path.join(PACKAGE_DIR, "dist/bundle-size.json"), `${JSON.stringify(report, null, 2)}\n`);
    const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;
    console.log(
      `tokenizer + core + wasm: scripts ${kb(report.scripts.bytes)} (${kb(report.scripts.gzip)} gzip) in ${scripts.length} files, ` +
        `wasm ${kb(report.wasm.bytes)} (${kb(report.wasm.gzip)} gzip); total ${kb(report.total.gzip)} gzip`,
    );
  });
});
