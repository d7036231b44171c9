import { escapeHtml } from "./escape.js";
import { formatBytes, formatCount, formatDuration } from "./format.js";
import { MONO_STACK, box } from "./html.js";

/** What a progress display shows; `progressHtml` draws it. */
export interface ProgressState {
  /** What is going on (`"albert_base_en_uncased"`, `"encoding 1,000 sentences"`). */
  label: string;
  /** Work done: bytes or items. */
  loaded: number;
  /** Work in all, when known. */
  total?: number;
  /** How to write `loaded`/`total` (default `"items"`). */
  unit?: "bytes" | "items";
  /** Milliseconds since the start. */
  elapsedMs: number;
  /** Per-file detail of a download: `{ file, loaded, total? }`. */
  files?: readonly { file: string; loaded: number; total?: number }[];
  /** Finished (the bar turns green). */
  done?: boolean;
  /** Failed with this message (the bar turns red). */
  error?: string;
}

function amount(value: number, unit: ProgressState["unit"]): string {
  return unit === "bytes" ? formatBytes(value) : formatCount(value);
}

function bar(fraction: number | undefined, color: string): string {
  // Without a total, a full-width striped bar says "working" without claiming a fraction.
  const width =
    fraction === undefined ? 100 : Math.round(Math.min(1, Math.max(0, fraction)) * 1000) / 10;
  const fill =
    fraction === undefined
      ? `background:repeating-linear-gradient(45deg,${color},${color} 6px,#cfe2f3 6px,#cfe2f3 12px)`
      : `background:${color}`;
  return (
    `<div style="width:320px;height:10px;border:1px solid #bbb;border-radius:5px;background:#f3f3f3;overflow:hidden;display:inline-block;vertical-align:middle">` +
    `<div style="width:${width}%;height:100%;${fill}"></div></div>`
  );
}

/**
 * A progress bar as HTML: label, bar, amounts, rate and time left, and per-file lines for
 * downloads. Pure: `ProgressDisplay` calls it on each update.
 *
 * @example
 * ```ts
 * progressHtml({ label: "model.weights.h5", loaded: 5 << 20, total: 45 << 20, unit: "bytes", elapsedMs: 2000 });
 * ```
 */
export function progressHtml(state: ProgressState): string {
  const unit = state.unit ?? "items";
  const total = state.total !== undefined && state.total > 0 ? state.total : undefined;
  const fraction = state.done ? 1 : total === undefined ? undefined : state.loaded / total;
  const color = state.error !== undefined ? "#d6604d" : state.done ? "#59a14f" : "#4e79a7";
  const seconds = state.elapsedMs / 1000;
  const parts = [
    total === undefined
      ? amount(state.loaded, unit)
      : `${amount(state.loaded, unit)} / ${amount(total, unit)}`,
  ];
  if (fraction !== undefined) parts.unshift(`${Math.floor(fraction * 100)}%`);
  if (seconds > 0 && state.loaded > 0) {
    const rate = state.loaded / seconds;
    parts.push(
      unit === "bytes"
        ? `${formatBytes(rate)}/s`
        : `${rate >= 10 ? Math.round(rate) : rate.toFixed(1)}/s`,
    );
  }
  if (state.done || state.error !== undefined) parts.push(formatDuration(state.elapsedMs));
  else if (total !== undefined && state.loaded > 0 && seconds > 0) {
    const left = ((total - state.loaded) * state.elapsedMs) / state.loaded;
    parts.push(`${formatDuration(left)} left`);
  }
  const status =
    state.error !== undefined
      ? ` <span style="color:#b2182b">failed: ${escapeHtml(state.error)}</span>`
      : state.done
        ? " ✓"
        : "";
  const files = (state.files ?? [])
    .map((f) => {
      const size =
        f.total === undefined
          ? amount(f.loaded, unit)
          : `${amount(f.loaded, unit)} / ${amount(f.total, unit)}`;
      return `<div style="font-family:${MONO_STACK};font-size:11px;color:#555">${escapeHtml(f.file)} ${escapeHtml(size)}</div>`;
    })
    .join("");
  return box(
    "albert-progress",
    `<div><b>${escapeHtml(state.label)}</b>${status}</div>` +
      `<div>${bar(fraction, color)} <span style="font-family:${MONO_STACK};font-size:12px">${escapeHtml(parts.join(" · "))}</span></div>` +
      files,
  );
}

/** An output that can be rewritten in place: what `tslab.newDisplay()` returns. */
export interface UpdatableDisplay {
  html(html: string): void;
}

/** One progress event of a download: what `@albert/presets`' `onProgress` reports. */
export interface DownloadProgressEvent {
  file: string;
  loaded: number;
  total?: number;
}

/** Options of `ProgressDisplay`. */
export interface ProgressDisplayOptions {
  label: string;
  /** Work in all (items or bytes), when known. Downloads add up their files' sizes instead. */
  total?: number;
  /** Default `"items"`; `onProgress` switches to `"bytes"`. */
  unit?: "bytes" | "items";
  /** Redraw at most this often (default 100 ms); the first and the final state always draw. */
  minIntervalMs?: number;
  /** The clock, in milliseconds (for tests; default `Date.now`). */
  now?: () => number;
}

/**
 * A progress bar in a notebook output that updates in place: pass it a display from
 * `tslab.newDisplay()` and report work with `tick`/`update`, or hand `onProgress` to a preset
 * download; finish with `done()` or `fail(error)`. Redraws are throttled, and it sets no
 * timers (nothing can fire after the cell ends).
 *
 * @example
 * ```ts
 * import * as tslab from "tslab";
 * const progress = new ProgressDisplay(tslab.newDisplay(), { label: "albert_base_en_uncased" });
 * const backbone = await AlbertBackbone.fromPreset("albert_base_en_uncased", { onProgress: progress.onProgress });
 * progress.done();
 *
 * const steps = new ProgressDisplay(tslab.newDisplay(), { label: "encoding", total: batches.length });
 * for (const batch of batches) { encode(batch); steps.tick(); }
 * steps.done();
 * ```
 */
export class ProgressDisplay {
  private readonly display: UpdatableDisplay;
  private readonly label: string;
  private readonly minIntervalMs: number;
  private readonly now: () => number;
  private readonly startedAt: number;
  private readonly files = new Map<string, { file: string; loaded: number; total?: number }>();
  private unit: "bytes" | "items";
  private loaded = 0;
  private total: number | undefined;
  private lastDrawAt = -Infinity;
  private finished = false;
  /** How many times the display was drawn (for tests and curiosity). */
  draws = 0;

  constructor(display: UpdatableDisplay, options: ProgressDisplayOptions) {
    this.display = display;
    this.label = options.label;
    this.total = options.total;
    this.unit = options.unit ?? "items";
    this.minIntervalMs = options.minIntervalMs ?? 100;
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    this.draw();
  }

  /** Sets the work done so far (and the total, when it becomes known). */
  update(loaded: number, total?: number): void {
    this.loaded = loaded;
    if (total !== undefined) this.total = total;
    this.draw();
  }

  /** Adds `count` (default 1) to the work done. */
  tick(count = 1): void {
    this.update(this.loaded + count);
  }

  /**
   * A callback for `@albert/presets`' (and `fromPreset`'s) `onProgress`: sums the files of a
   * download in bytes. Bound, so it can be passed as it is.
   */
  readonly onProgress = (event: DownloadProgressEvent): void => {
    this.unit = "bytes";
    this.files.set(event.file, {
      file: event.file,
      loaded: event.loaded,
      ...(event.total === undefined ? {} : { total: event.total }),
    });
    let loaded = 0;
    let total = 0;
    let known = true;
    for (const f of this.files.values()) {
      loaded += f.loaded;
      if (f.total === undefined) known = false;
      else total += f.total;
    }
    this.loaded = loaded;
    this.total = known ? total : undefined;
    this.draw();
  };

  /** Marks the work finished and draws the final state. */
  done(): void {
    if (this.total !== undefined && this.loaded < this.total) this.loaded = this.total;
    this.finish(undefined);
  }

  /** Marks the work failed and shows the error's message. */
  fail(error: unknown): void {
    this.finish(error instanceof Error ? error.message : String(error));
  }

  /** The current state (what the display shows). */
  state(): ProgressState {
    return {
      label: this.label,
      loaded: this.loaded,
      ...(this.total === undefined ? {} : { total: this.total }),
      unit: this.unit,
      elapsedMs: this.now() - this.startedAt,
      ...(this.files.size > 0 ? { files: [...this.files.values()] } : {}),
      ...(this.finished ? { done: true } : {}),
    };
  }

  private finish(error: string | undefined): void {
    if (this.finished) return;
    this.finished = true;
    const state = this.state();
    this.display.html(progressHtml(error === undefined ? state : { ...state, done: false, error }));
    this.draws++;
  }

  private draw(): void {
    if (this.finished) return;
    const now = this.now();
    if (now - this.lastDrawAt < this.minIntervalMs) return;
    this.lastDrawAt = now;
    this.display.html(progressHtml(this.state()));
    this.draws++;
  }
}
