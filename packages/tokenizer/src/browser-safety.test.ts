// fromProto and tokenization must run in browsers: nothing statically reachable from the
// package entry may import a Node built-in (or @albert/presets, which reads files). Node-only
// code (fromPreset) is behind a dynamic import, and package.json's "browser" field swaps that
// module for a stub when bundling for browsers.
import { existsSync, readFileSync } from "node:fs";
import { builtinModules, createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const NODE_ONLY = new Set([
  "@albert/presets",
  ...builtinModules,
  ...builtinModules.map((m) => `node:${m}`),
]);

/** Static (not dynamic, not type-only) import/export specifiers of an ES module. */
function staticImports(source: string): string[] {
  const out: string[] = [];
  const pattern = /^\s*(import|export)\s+(?!type\s)(?:[^'"`;]*?\sfrom\s*)?["']([^"']+)["']/gm;
  for (const match of source.matchAll(pattern)) out.push(match[2]!);
  return out;
}

/** `require("x")` calls with a literal argument in a CommonJS file. */
function requires(source: string): string[] {
  return [...source.matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]!);
}

/** Every module reachable through static imports from `entry`, and the bare specifiers seen. */
function moduleGraph(entry: string, fromSource: boolean): { files: string[]; bare: string[] } {
  const files = new Set<string>();
  const bare = new Set<string>();
  const visit = (file: string, commonJs: boolean) => {
    if (files.has(file) || !existsSync(file)) return;
    files.add(file);
    const source = readFileSync(file, "utf8");
    for (const specifier of commonJs ? requires(source) : staticImports(source)) {
      if (specifier.startsWith(".")) {
        let target = path.resolve(path.dirname(file), specifier);
        if (fromSource && !commonJs) target = target.replace(/\.js$/, ".ts");
        if (commonJs && !target.endsWith(".js"))
          target = existsSync(`${target}.js`) ? `${target}.js` : path.join(target, "index.js");
        visit(target, commonJs);
      } else {
        bare.add(specifier);
        if (NODE_ONLY.has(specifier)) continue;
        // Follow third-party packages too (protobufjs is CommonJS).
        const resolved = createRequire(file).resolve(specifier);
        visit(resolved, resolved.endsWith(".cjs") || !resolved.endsWith(".mjs"));
      }
    }
  };
  visit(entry, false);
  return { files: [...files], bare: [...bare] };
}

describe("browser safety", () => {
  it("the source graph from src/index.ts reaches no Node built-in", () => {
    const { files, bare } = moduleGraph(path.join(packageDir, "src/index.ts"), true);
    expect(files.some((f) => f.endsWith("albert-tokenizer.ts"))).toBe(true);
    expect(files.some((f) => f.endsWith("preset-files.ts"))).toBe(false);
    expect(bare.filter((s) => NODE_ONLY.has(s))).toEqual([]);
    expect(bare).toContain("protobufjs/light.js");
  });

  it.skipIf(!existsSync(path.join(packageDir, "dist/index.js")))(
    "the built graph from dist/index.js reaches no Node built-in",
    () => {
      const { files, bare } = moduleGraph(path.join(packageDir, "dist/index.js"), false);
      expect(files.length).toBeGreaterThan(5);
      expect(bare.filter((s) => NODE_ONLY.has(s))).toEqual([]);
    },
  );

  it("fromPreset's file access is swapped for its browser twin in browser bundles", () => {
    const pkg = JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8")) as {
      browser: Record<string, string>;
    };
    expect(pkg.browser["./dist/preset-files.js"]).toBe("./dist/preset-files.browser.js");
    const stub = moduleGraph(path.join(packageDir, "src/preset-files.browser.ts"), true);
    // It reads through @albert/presets, whose browser build (its "browser" export condition)
    // keeps presets in the page's memory; examples/browser bundles both for Chromium.
    expect(stub.bare).toContain("@albert/presets");
    expect(stub.bare.filter((s) => NODE_ONLY.has(s) && s !== "@albert/presets")).toEqual([]);
    const source = readFileSync(path.join(packageDir, "src/albert-tokenizer.ts"), "utf8");
    expect(source).toMatch(/await import\("\.\/preset-files\.js"\)/);
  });

  it("the browser twin reads presets as Node does and explains why it cannot write", async () => {
    const browser = await import("./preset-files.browser.js");
    const node = await import("./preset-files.js");
    expect(browser.readTokenizerPreset).toBe(node.readTokenizerPreset);
    expect(browser.readHfTokenizerPreset).toBe(node.readHfTokenizerPreset);
    await expect(browser.writeTokenizerFiles("/out", undefined)).rejects.toMatchObject({
      code: "unsupported_environment",
      message: expect.stringMatching(/needs Node/),
    });
  });
});
