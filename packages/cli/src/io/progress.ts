import cliProgress from "cli-progress";

/** Progress of a long job, counted in items. */
export interface Progress {
  increment(count: number): void;
  stop(): void;
}

const NONE: Progress = { increment() {}, stop() {} };

/**
 * A bar on stderr when it is a terminal (and `enabled`); nothing otherwise, so pipes, files and
 * CI logs get only results. Downloads draw their own bar (from `@albert/presets`).
 */
export function startProgress(
  stderr: NodeJS.WritableStream & { isTTY?: boolean },
  total: number,
  options: { enabled: boolean; label: string },
): Progress {
  if (!options.enabled || stderr.isTTY !== true) return NONE;
  const bar = new cliProgress.SingleBar(
    {
      format: `${options.label} [{bar}] {value}/{total} | {percentage}% | {eta_formatted} left`,
      stream: stderr,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return {
    increment: (count) => bar.increment(count),
    stop: () => bar.stop(),
  };
}
