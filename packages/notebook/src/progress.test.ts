import { describe, expect, it } from "vitest";
import { ProgressDisplay, progressHtml } from "./progress.js";

/** A fake `tslab.newDisplay()`: keeps every HTML it was given. */
function fakeDisplay() {
  const shown: string[] = [];
  return { shown, html: (html: string) => void shown.push(html) };
}

/** A clock the test moves by hand. */
function fakeClock(start = 1000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

/** The bar's filled width, in percent, and the amounts line. */
function read(html: string): { width: string | undefined; text: string | undefined } {
  return {
    width: /<div style="width:([\d.]+)%;height:100%/.exec(html)?.[1],
    text: /font-size:12px">([^<]*)<\/span>/.exec(html)?.[1],
  };
}

describe("progressHtml", () => {
  it("shows percent, amounts, rate and time left", () => {
    const html = progressHtml({
      label: "model.weights.h5",
      loaded: 10 * 1024 * 1024,
      total: 40 * 1024 * 1024,
      unit: "bytes",
      elapsedMs: 2000,
    });
    expect(read(html)).toEqual({
      width: "25",
      text: "25% · 10.0 MiB / 40.0 MiB · 5.0 MiB/s · 6.0 s left",
    });
    expect(html).toContain("<b>model.weights.h5</b>");
  });

  it("draws an indeterminate bar without a total, green when done, red with the escaped error when failed", () => {
    const unknown = progressHtml({ label: "x", loaded: 3, elapsedMs: 1000 });
    expect(read(unknown)).toEqual({ width: "100", text: "3 · 3.0/s" });
    expect(unknown).toContain("repeating-linear-gradient");
    const done = progressHtml({ label: "x", loaded: 4, total: 4, elapsedMs: 1500, done: true });
    expect(done).toContain("background:#59a14f");
    expect(done).toContain(" ✓");
    expect(read(done).text).toBe("100% · 4 / 4 · 2.7/s · 1.5 s");
    const failed = progressHtml({
      label: "x",
      loaded: 1,
      total: 4,
      elapsedMs: 1000,
      error: "HTTP 404 <Not Found>",
    });
    expect(failed).toContain("background:#d6604d");
    expect(failed).toContain("failed: HTTP 404 &lt;Not Found&gt;");
  });
});

describe("ProgressDisplay", () => {
  it("updates one display in place, throttled, and always draws the final state", () => {
    const display = fakeDisplay();
    const clock = fakeClock();
    const progress = new ProgressDisplay(display, {
      label: "encoding",
      total: 10,
      now: clock.now,
      minIntervalMs: 100,
    });
    expect(display.shown).toHaveLength(1); // drawn at once, at 0%
    expect(read(display.shown[0] as string).width).toBe("0");
    for (let i = 0; i < 10; i++) {
      clock.advance(30);
      progress.tick();
    }
    // 300 ms of ticks every 30 ms, at most one draw per 100 ms
    expect(display.shown.length).toBeGreaterThanOrEqual(3);
    expect(display.shown.length).toBeLessThanOrEqual(4);
    progress.done();
    const last = display.shown.at(-1) as string;
    expect(read(last).text).toBe("100% · 10 / 10 · 33/s · 300 ms");
    expect(last).toContain(" ✓");
    const count = display.shown.length;
    progress.tick();
    progress.done();
    expect(display.shown).toHaveLength(count); // nothing after the end
    expect(progress.draws).toBe(count);
  });

  it("sums a download's files in bytes from onProgress events", () => {
    const display = fakeDisplay();
    const clock = fakeClock();
    const progress = new ProgressDisplay(display, {
      label: "albert_base",
      now: clock.now,
      minIntervalMs: 0,
    });
    const { onProgress } = progress; // bound: can be passed around as it is
    onProgress({ file: "config.json", loaded: 1024, total: 1024 });
    clock.advance(1000);
    onProgress({ file: "model.weights.h5", loaded: 1024 * 1024, total: 3 * 1024 * 1024 });
    expect(progress.state()).toMatchObject({
      loaded: 1024 + 1024 * 1024,
      total: 1024 + 3 * 1024 * 1024,
      unit: "bytes",
    });
    const html = display.shown.at(-1) as string;
    expect(html).toContain("config.json 1.0 KiB / 1.0 KiB");
    expect(html).toContain("model.weights.h5 1.0 MiB / 3.0 MiB");
    expect(read(html).text).toMatch(/^33% · 1\.0 MiB \/ 3\.0 MiB · 1\.0 MiB\/s · 2\.0 s left$/);
    // a file of unknown size makes the total unknown
    onProgress({ file: "tokenizer.json", loaded: 10 });
    expect(progress.state().total).toBeUndefined();
  });

  it("shows a failure", () => {
    const display = fakeDisplay();
    const progress = new ProgressDisplay(display, { label: "download", total: 2 });
    progress.fail(new Error("network unreachable"));
    expect(display.shown.at(-1)).toContain("failed: network unreachable");
  });
});
