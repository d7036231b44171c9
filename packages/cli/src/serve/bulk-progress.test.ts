import { describe, expect, it } from "vitest";
import { terminalStream } from "../test-utils/fake-terminal.js";
import { startBulkBar } from "./bulk-progress.js";

describe("the bulk-encoding progress bar", () => {
  it("on a terminal: share of the input, rows, rows/s and time left", async () => {
    const out = terminalStream(true);
    const bar = startBulkBar(out, true, "encoding");
    bar.update({ rows: 1000, skippedRows: 0, shards: 1, bytesDone: 25_000, bytesTotal: 100_000 });
    await new Promise((r) => setTimeout(r, 50));
    bar.update({ rows: 2000, skippedRows: 0, shards: 2, bytesDone: 50_000, bytesTotal: 100_000, inProgressRows: 500 });
    bar.stop();
    const text = out.text();
    expect(text).toMatch(/encoding \[.*\] 50% \| 2500 rows \| \d+ rows\/s \| ETA \S+/);
  });

  it("draws nothing on a pipe or with --no-progress", () => {
    for (const [tty, enabled] of [[false, true], [true, false]] as const) {
      const out = terminalStream(tty);
      const bar = startBulkBar(out, enabled, "encoding");
      bar.update({ rows: 1, skippedRows: 0, shards: 1, bytesDone: 1, bytesTotal: 2 });
      bar.stop();
      expect(out.text()).toBe("");
    }
  });
});
