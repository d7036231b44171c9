// The modules package.json's "browser" field swaps for browser bundles (the graph engines, which
// need native TensorFlow): each twin must export every name its Node module exports, or bundling
// core for browsers fails (examples/browser bundles it with esbuild and runs it in Chromium).
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { browserTwins, namesMissingFromTwin } from "@albert/test-utils";

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

describe("browser twins", () => {
  it.each(browserTwins(packageDir))("$name: its twin exports every name", async ({ node, browser }) => {
    expect(await namesMissingFromTwin(node, browser)).toEqual([]);
  });
});
