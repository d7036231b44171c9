// The demo page, as a visitor opens it (offline: the tiny model shipped beside it, backend
// "auto"): it loads, embeds the sentences and fills the blank, shows the backend and timings,
// and a screenshot of it is kept as examples/browser/screenshot.png (shown in the README).
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { PACKAGE_DIR } from "./bundle/paths.js";
import { describeInChromium, startSession, type BrowserSession } from "./test-support.js";

/** A PNG's width and height, from its IHDR chunk. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describeInChromium("the demo page", () => {
  let session: BrowserSession;
  beforeAll(async () => {
    session = await startSession({ crossOriginIsolated: true });
  });
  afterAll(async () => {
    await session?.close();
  });

  it("loads offline, shows similarities, fill-mask candidates, the backend and timings", async () => {
    const { page, errors } = await session.open("/");
    await page.waitForFunction(() => document.body.dataset["ready"] === "true" || document.body.dataset["error"] !== undefined);
    expect(await page.evaluate(() => document.body.dataset["error"])).toBeUndefined();

    // "auto" in a Chromium without a GPU: both GPU backends are SwiftShader, so WebAssembly,
    // with the reasons shown.
    expect(await page.evaluate(() => document.body.dataset["backend"])).toBe("wasm");
    const info = await page.textContent("#backend-info");
    expect(info).toMatch(/^wasm · @tensorflow\/tfjs-backend-wasm 4\.22\.0 \(SIMD/);
    expect(info).toMatch(/auto passed over: webgpu: .*software.*; webgl: .*software/);
    expect(await page.textContent("#status")).toMatch(/^Loaded tiny on wasm in \d+(\.\d+)? ms\.$/);

    const cells = await page.$$eval("#similarity td", (tds) =>
      tds.map((td) => ({ i: Number(td.dataset["i"]), j: Number(td.dataset["j"]), value: Number(td.textContent) })),
    );
    expect(cells).toHaveLength(9);
    for (const cell of cells) {
      expect(cell.value).toBeGreaterThanOrEqual(-1);
      expect(cell.value).toBeLessThanOrEqual(1);
      if (cell.i === cell.j) expect(cell.value).toBe(1);
      else expect(cell.value).toBe(cells.find((c) => c.i === cell.j && c.j === cell.i)!.value);
    }
    expect(await page.textContent("#similarity-time")).toMatch(/^3 sentences embedded in \d+(\.\d+)? ms \(wasm\)$/);
    const candidates = await page.$$eval("#candidates li", (items) => items.map((li) => li.textContent ?? ""));
    expect(candidates).toHaveLength(5);
    for (const c of candidates) expect(c).toMatch(/^.+ \(0\.\d{3}\)$/);
    expect(await page.textContent("#fill-time")).toMatch(/^top 5 in \d+(\.\d+)? ms \(wasm\)$/);

    const file = path.join(PACKAGE_DIR, "screenshot.png");
    writeFileSync(file, await page.screenshot({ fullPage: true }));
    const { width, height } = pngSize(readFileSync(file));
    expect(width).toBe(900);
    expect(height).toBeGreaterThan(600);
    expect(errors()).toEqual([]);
  });

  it("runs the same on each backend the page offers", async () => {
    for (const backend of ["cpu", "webgl"]) {
      const { page, errors } = await session.open(`/?backend=${backend}`);
      await page.waitForFunction(() => document.body.dataset["ready"] === "true" || document.body.dataset["error"] !== undefined);
      expect(await page.evaluate(() => document.body.dataset["backend"])).toBe(backend);
      expect(await page.$$eval("#candidates li", (items) => items.length)).toBe(5);
      expect(errors()).toEqual([]);
      await page.close();
    }
  });
});
