/**
 * What `albert train` shows while it trains, on stderr: on a terminal, one progress bar per
 * epoch with the running loss and accuracy after every batch, replaced at the epoch's end by one
 * line with the epoch's figures and its validation figures (as Keras' progress bar leaves one
 * line per epoch). Nothing when stderr is not a terminal or with `--quiet`; `--verbose` then
 * prints the epoch lines alone.
 */
import cliProgress from "cli-progress";
import type { Callback, Logs } from "@albert/core";

/** Keras' log keys as the command shows them. */
const SHOWN_NAMES: Record<string, string> = {
  sparse_categorical_accuracy: "accuracy",
  val_sparse_categorical_accuracy: "val_accuracy",
};

function formatMetric(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? "-" : value.toFixed(4);
}

function formatSeconds(ms: number): string {
  return ms < 60_000
    ? `${(ms / 1000).toFixed(1)} s`
    : `${Math.floor(ms / 60_000)} min ${String(Math.round((ms % 60_000) / 1000)).padStart(2, "0")} s`;
}

/** One epoch's line: `epoch 2/3: loss 0.4521, accuracy 0.8125, val_loss ..., val_accuracy ... (3.2 s)`. */
export function epochLine(epoch: number, epochs: number, logs: Logs, elapsedMs: number): string {
  const figures = Object.entries(logs).map(
    ([key, value]) => `${SHOWN_NAMES[key] ?? key} ${formatMetric(value)}`,
  );
  return `epoch ${epoch + 1}/${epochs}: ${figures.join(", ")} (${formatSeconds(elapsedMs)})`;
}

export interface TrainingProgressOptions {
  epochs: number;
  stepsPerEpoch: number;
  /** False with `--quiet`. */
  enabled: boolean;
  /** Where the epoch lines go when no bar is drawn (`--verbose`). */
  debug?: (line: string) => void;
  /** Milliseconds now (tests pass a fake clock). */
  now?: () => number;
}

/** `fit`'s callbacks for the display, and `stop()` to clear a bar left by a failure. */
export interface TrainingProgress extends Callback {
  stop(): void;
}

/**
 * The display for a training run of `epochs` epochs of `stepsPerEpoch` batches. `fit` counts
 * epochs from `initialEpoch`, so a run trained one epoch at a time shows the right numbers.
 */
export function trainingProgress(
  stderr: NodeJS.WritableStream & { isTTY?: boolean },
  options: TrainingProgressOptions,
): TrainingProgress {
  const now = options.now ?? (() => performance.now());
  const tty = options.enabled && stderr.isTTY === true;
  let epochStart = now();
  if (!tty) {
    return {
      onEpochBegin: () => void (epochStart = now()),
      onEpochEnd: (epoch, logs) =>
        options.debug?.(epochLine(epoch, options.epochs, logs, now() - epochStart)),
      stop: () => {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format:
        "epoch {epoch}/{epochs} [{bar}] {value}/{total} | loss {loss} | accuracy {accuracy} | {eta_formatted} left",
      stream: stderr,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 20,
      // The line stays within 80 columns.
      barsize: 20,
      // Redraw after every batch, however quick: a batch is the unit the user watches.
      fps: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  let running = false;
  return {
    onEpochBegin: (epoch) => {
      epochStart = now();
      bar.start(options.stepsPerEpoch, 0, {
        epoch: epoch + 1,
        epochs: options.epochs,
        loss: "-",
        accuracy: "-",
      });
      running = true;
    },
    onTrainBatchEnd: (batch, logs) => {
      bar.update(batch + 1, {
        loss: formatMetric(logs["loss"]),
        accuracy: formatMetric(logs["sparse_categorical_accuracy"]),
      });
    },
    onEpochEnd: (epoch, logs) => {
      bar.stop();
      running = false;
      stderr.write(`${epochLine(epoch, options.epochs, logs, now() - epochStart)}\n`);
    },
    stop: () => {
      if (running) bar.stop();
      running = false;
    },
  };
}
