// graph-engine.browser.ts stands in for graph-engine.ts in browser bundles (package.json's
// "browser" field): every name the Node module exports must exist there too, or bundling core
// for browsers fails (examples/browser bundles it with esbuild and runs it in Chromium).
import { describe, expect, it } from "vitest";

describe("graph-engine's browser twin", () => {
  it("exports every name graph-engine.ts exports", async () => {
    const node = Object.keys(await import("./graph-engine.js"));
    const browser = Object.keys(await import("./graph-engine.browser.js"));
    expect(node.filter((name) => !browser.includes(name))).toEqual([]);
  });

  it("never has a session: models run op by op", async () => {
    const { GraphInference, sessionBackend } = await import("./graph-engine.browser.js");
    const graph = new GraphInference({} as never, "float32", () => new Map(), () => true);
    expect(sessionBackend()).toBeUndefined();
    expect(graph.get()).toBeUndefined();
    expect(graph.status).toBe("unavailable");
    expect(graph.compute).toBe("float32");
  });
});
