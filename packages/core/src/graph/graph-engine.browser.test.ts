// graph-engine.browser.ts stands in for graph-engine.ts in browser bundles (package.json's
// "browser" field; that its exports match is checked in src/browser-twins.test.ts).
import { describe, expect, it } from "vitest";

describe("graph-engine's browser twin", () => {
  it("never has a session: models run op by op", async () => {
    const { GraphInference, sessionBackend } = await import("./graph-engine.browser.js");
    const graph = new GraphInference({} as never, "float32", () => new Map(), () => true);
    expect(sessionBackend()).toBeUndefined();
    expect(graph.get()).toBeUndefined();
    expect(graph.status).toBe("unavailable");
    expect(graph.compute).toBe("float32");
  });
});
