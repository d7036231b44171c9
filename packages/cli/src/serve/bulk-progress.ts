import cliProgress from "cli-progress";
import type { BulkProgress } from "@albert/serve";

/** A bulk run's bar: share of the input's bytes (so the ETA holds for streamed input), rows, rows/s. */
export interface BulkBar {
  update(progress: BulkProgress & { inProgressRows?: number }): void;
  stop(): void;
}

/**
 * On a terminal (and unless `--no-progress`), a bar on stderr with the share of the input
 * done, rows encoded, rows per second of this run (rows found done by an earlier run left out)
 * and the time left; nothing otherwise, so logs and pipes get only the closing summary.
 */
export function startBulkBar(stderr: NodeJS.WritableStream & { isTTY?: boolean }, enabled: boolean, label: string): BulkBar {
  if (!enabled || stderr.isTTY !== true) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {rows} rows | {rate} rows/s | ETA {eta_formatted}`,
      stream: stderr,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const start = performance.now();
  let started = false;
  return {
    update(p) {
      const rows = p.rows + (p.inProgressRows ?? 0);
      const seconds = (performance.now() - start) / 1000;
      const payload = { rows, rate: seconds > 0 ? Math.round((rows - p.skippedRows) / seconds) : 0 };
      if (!started) {
        bar.start(Math.max(1, p.bytesTotal), p.bytesDone, payload);
        started = true;
      } else bar.update(p.bytesDone, payload);
    },
    stop: () => bar.stop(),
  };
}
