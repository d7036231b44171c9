import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { build, type BuildOptions, type Metafile } from "esbuild";
import { PACKAGE_DIR, SITE_DIR, TINY_MODEL_DIR, TINY_MODEL_FILES } from "./paths.js";

const require = createRequire(import.meta.url);

/** The pages, each an ES module bundle under js/ with the HTML page of the same name. */
export const PAGES = ["demo", "harness", "embed-size"] as const;

/**
 * Bundles page scripts for browsers as an application would: esbuild with `platform: "browser"`
 * (the packages' "browser" export conditions and file maps apply; a `node:` import anywhere
 * fails the build), ES modules with code splitting (backends and HDF5 load as chunks of their
 * own when first used), minified. The benchmark's page is built the same way.
 */
export async function bundleForBrowsers(
  entryPoints: string[],
  outdir: string,
  options: Pick<BuildOptions, "external" | "sourcemap" | "chunkNames"> = {},
): Promise<Metafile> {
  const result = await build({
    entryPoints,
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    metafile: true,
    logLevel: "warning",
    legalComments: "none",
    ...options,
  });
  return result.metafile;
}

/**
 * Builds the site: the pages' scripts (`bundleForBrowsers`) under js/, their HTML, the wasm
 * backend's binaries (wasm/) and the demo's tiny model (models/tiny/).
 */
export async function buildPages(outDir = SITE_DIR): Promise<Metafile> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const result = await bundleForBrowsers(
    PAGES.map((page) => path.join(PACKAGE_DIR, "pages", `${page}.ts`)),
    path.join(outDir, "js"),
    { sourcemap: "linked", chunkNames: "chunks/[name]-[hash]" },
  );
  for (const page of PAGES) copyFileSync(path.join(PACKAGE_DIR, "pages", `${page}.html`), path.join(outDir, `${page}.html`));
  copyFileSync(path.join(PACKAGE_DIR, "pages", "demo.css"), path.join(outDir, "demo.css"));
  copyFileSync(path.join(PACKAGE_DIR, "pages", "demo.html"), path.join(outDir, "index.html"));
  const wasmDir = tfjsWasmDir();
  mkdirSync(path.join(outDir, "wasm"));
  for (const file of readdirSync(wasmDir).filter((f) => f.endsWith(".wasm"))) {
    copyFileSync(path.join(wasmDir, file), path.join(outDir, "wasm", file));
  }
  mkdirSync(path.join(outDir, "models/tiny"), { recursive: true });
  for (const file of TINY_MODEL_FILES) copyFileSync(path.join(TINY_MODEL_DIR, file), path.join(outDir, "models/tiny", file));
  // Which sources each script holds: the bundle-size test checks what a page loads with it.
  writeFileSync(path.join(outDir, "..", "metafile.json"), JSON.stringify(result));
  return result;
}

/** The folder holding the wasm backend's `.wasm` files (the copy @albert/backends depends on). */
export function tfjsWasmDir(): string {
  const backends = path.dirname(require.resolve("@albert/backends/package.json"));
  return path.join(path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json", { paths: [backends] })), "dist");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const metafile = await buildPages();
  const outputs = Object.entries(metafile.outputs).filter(([file]) => file.endsWith(".js"));
  console.log(`built ${PAGES.length} pages, ${outputs.length} scripts into ${path.relative(process.cwd(), SITE_DIR)}`);
}
