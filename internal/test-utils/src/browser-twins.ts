import { readFileSync } from "node:fs";
import path from "node:path";

/** A module a browser bundle swaps for its twin: as `package.json` names it, and both sources. */
export interface BrowserTwin {
  name: string;
  node: string;
  browser: string;
}

/**
 * The module pairs a package's `package.json` "browser" field swaps in browser bundles. A twin
 * must export every name its Node module exports, or bundling the package for a browser fails.
 */
export function browserTwins(packageDir: string): BrowserTwin[] {
  const map = (JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8")) as { browser: Record<string, string> }).browser;
  const toSource = (dist: string) => path.join(packageDir, dist.replace(/^\.\/dist\//, "src/").replace(/\.js$/, ".ts"));
  return Object.entries(map).map(([name, browser]) => ({ name, node: toSource(name), browser: toSource(browser) }));
}

/** The names `node` exports that its browser twin does not (none, when the pair is right). */
export async function namesMissingFromTwin(node: string, browser: string): Promise<string[]> {
  const browserNames = Object.keys(await import(browser));
  return Object.keys(await import(node)).filter((name) => !browserNames.includes(name));
}
