// The platform modules that package.json's "browser" field swaps for browser bundles: each
// twin must export every name its Node module exports (or bundling fails), and the in-memory
// file system must answer as Node's does for what the readers call.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { browserTwins, namesMissingFromTwin } from "@albert/test-utils";

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

describe("browser twins", () => {
  // resolve/env.ts also serves Node's hub clients; its twin has what browser code reads.
  const pairs = browserTwins(packageDir).filter(({ name }) => name !== "./dist/resolve/env.js");

  it.each(pairs)("$name: its twin exports every name", async ({ node, browser }) => {
    expect(await namesMissingFromTwin(node, browser)).toEqual([]);
  });

  it("the in-memory files read, stat and fail like Node's", async () => {
    const fs = await import("./fs.browser.js");
    const { putMemoryFile } = await import("./memory-files.js");
    putMemoryFile("/albert/test/a/config.json", new TextEncoder().encode('{"x": 1}'));
    expect(fs.existsSync("/albert/test/a")).toBe(true);
    expect(fs.statSync("/albert/test/a").isDirectory()).toBe(true);
    expect(fs.statSync("/albert/test/a/config.json").size).toBe(8);
    expect(fs.readFileSync("/albert/test/a/config.json", "utf8")).toBe('{"x": 1}');
    const fd = fs.openSync("/albert/test/a/config.json", "r");
    const part = new Uint8Array(3);
    expect(fs.readSync(fd, part, 0, 3, 2)).toBe(3);
    expect(new TextDecoder().decode(part)).toBe('x":');
    fs.closeSync(fd);
    expect(() => fs.readFileSync("/albert/test/a/missing.json")).toThrow(expect.objectContaining({ code: "ENOENT" }));
    expect(() => fs.readSync(fd, part, 0, 1, 0)).toThrow(expect.objectContaining({ code: "EBADF" }));
    fs.rmSync("/albert/test", { recursive: true });
    expect(fs.existsSync("/albert/test/a/config.json")).toBe(false);
  });

  it("POSIX paths as Node's path.posix gives them", async () => {
    const { default: browser } = await import("./path.browser.js");
    for (const parts of [["/a/b", "../c", "d.json"], ["a", "./b/", "c"], ["/", "x"], ["/a", "/b", "c"]]) {
      expect(browser.join(...parts)).toBe(path.posix.join(...parts));
      expect(browser.resolve(...parts)).toBe(path.posix.resolve("/", ...parts));
    }
    for (const p of ["/a/b/c.json", "/a", "a/b", "/"]) expect(browser.dirname(p)).toBe(path.posix.dirname(p));
  });
});
