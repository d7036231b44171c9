import { escapeHtml } from "./escape.js";
import { formatNumber } from "./format.js";
import { n, SVG_FONT, textWidth } from "./svg-text.js";

/** One line of a chart: its name (legend, tooltips) and its values. */
export interface LineSeries {
  name: string;
  values: readonly number[];
  /** The x of each value (default 1, 2, 3, ...: epochs or steps counted from 1). */
  x?: readonly number[];
}

/** Options of `lineChartSvg`. */
export interface LineChartOptions {
  /** A heading above the chart (also the image's accessible name). */
  title?: string;
  /** What the x axis counts (e.g. `"epoch"`). */
  xLabel?: string;
  /** What the y axis shows (e.g. `"loss"`). */
  yLabel?: string;
  /** Size of the whole image in pixels (default 480 × 300). */
  width?: number;
  height?: number;
  /** The y range (default: the data's, widened to round ticks). */
  yMin?: number;
  yMax?: number;
  /** One colour per series (default: a colour-blind-safe palette). */
  colors?: readonly string[];
  /** Font size of labels in pixels (default 11). */
  fontSize?: number;
  /** Draw a dot at each value, with a tooltip (default: when a series has at most 60). */
  markers?: boolean;
}

/** Okabe and Ito's colour-blind-safe palette, without its yellow (too light on white). */
export const LINE_COLORS: readonly string[] = [
  "#0072b2",
  "#d55e00",
  "#009e73",
  "#cc79a7",
  "#56b4e9",
  "#e69f00",
  "#000000",
];

const PAD = 8;

/**
 * Round tick values covering [min, max]: steps of 1, 2 or 5 times a power of ten, about `count`
 * of them, starting at or below `min` and ending at or above `max`.
 *
 * @example
 * ```ts
 * niceTicks(0.12, 0.69); // [0, 0.2, 0.4, 0.6, 0.8]
 * ```
 */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max))
    throw new RangeError(`niceTicks: the range must be finite, got [${min}, ${max}]`);
  if (max < min) [min, max] = [max, min];
  if (max === min) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  const rough = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough)!;
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const first = Math.floor(min / step + 1e-9);
  const last = Math.ceil(max / step - 1e-9);
  const ticks: number[] = [];
  for (let i = first; i <= last; i++) ticks.push(Number((i * step).toFixed(decimals)));
  return ticks;
}

function tickLabel(value: number, ticks: readonly number[]): string {
  const step = ticks.length > 1 ? Math.abs(ticks[1]! - ticks[0]!) : 1;
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const text = value.toFixed(decimals);
  return /^-0\.?0*$/.test(text) ? text.slice(1) : text;
}

function checkSeries(series: readonly LineSeries[]): void {
  if (series.length === 0) throw new RangeError("lineChartSvg: no series to draw");
  for (const s of series) {
    if (s.x !== undefined && s.x.length !== s.values.length) {
      throw new RangeError(
        `lineChartSvg: series ${JSON.stringify(s.name)} has ${s.values.length} values but ${s.x.length} x positions`,
      );
    }
  }
}

/**
 * Draws series of values as an SVG line chart: axes with round ticks and grid lines, one
 * coloured line per series (a value that is not finite breaks it), a dot with a tooltip per
 * value, and a legend. Made for loss and accuracy curves, per epoch or per step. All text is
 * escaped; the result is a standalone SVG for `tslab.display.svg`, a browser or a renderer.
 *
 * @example
 * ```ts
 * const svg = lineChartSvg(
 *   [{ name: "loss", values: history.history.loss }, { name: "val_loss", values: history.history.val_loss }],
 *   { title: "Training loss", xLabel: "epoch", yLabel: "loss" },
 * );
 * tslab.display.svg(svg);
 * ```
 */
export function lineChartSvg(
  series: readonly LineSeries[],
  options: LineChartOptions = {},
): string {
  checkSeries(series);
  const width = options.width ?? 480;
  const height = options.height ?? 300;
  const fontSize = options.fontSize ?? 11;
  const colors = options.colors ?? LINE_COLORS;
  const points = series.map((s) => s.values.map((y, i) => ({ x: s.x?.[i] ?? i + 1, y })));
  const finite = points.flat().filter((p) => Number.isFinite(p.y) && Number.isFinite(p.x));
  if (finite.length === 0) throw new RangeError("lineChartSvg: no finite value to draw");
  if (options.yMin !== undefined && options.yMax !== undefined && !(options.yMin < options.yMax)) {
    throw new RangeError(
      `lineChartSvg: yMin must be below yMax, got ${options.yMin} and ${options.yMax}`,
    );
  }

  // === Scales ===
  const yTicks = niceTicks(
    options.yMin ?? Math.min(...finite.map((p) => p.y)),
    options.yMax ?? Math.max(...finite.map((p) => p.y)),
  );
  const yLow = options.yMin ?? yTicks[0]!;
  const yHigh = options.yMax ?? yTicks.at(-1)!;
  const xMin = Math.min(...finite.map((p) => p.x));
  const xMax = Math.max(...finite.map((p) => p.x));
  const xTicks = niceTicks(xMin, xMax, Math.min(8, Math.max(1, Math.round(xMax - xMin)))).filter(
    (t) => t >= xMin && t <= xMax,
  );
  const xLow = xMin === xMax ? xMin - 1 : xMin;
  const xHigh = xMin === xMax ? xMax + 1 : xMax;

  // === Layout ===
  const titleHeight = options.title ? fontSize * 1.3 + 8 : 0;
  const legendHeight = fontSize + 8;
  const yLabels = yTicks.filter((t) => t >= yLow && t <= yHigh).map((t) => tickLabel(t, yTicks));
  const left =
    PAD +
    (options.yLabel ? fontSize * 1.6 : 0) +
    Math.max(...yLabels.map((l) => textWidth(l, fontSize))) +
    8;
  const top = PAD + titleHeight + legendHeight;
  const right = width - PAD - 8;
  const bottom = height - PAD - fontSize * 1.4 - (options.xLabel ? fontSize * 1.6 : 0);
  const sx = (x: number) => left + ((x - xLow) / (xHigh - xLow)) * (right - left);
  const sy = (y: number) => bottom - ((y - yLow) / (yHigh - yLow)) * (bottom - top);

  const title = options.title ?? "line chart";
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `role="img" aria-label="${escapeHtml(title)}" font-family="${SVG_FONT}" font-size="${n(fontSize)}">`,
    `<title>${escapeHtml(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  if (options.title) {
    parts.push(
      `<text x="${n(PAD)}" y="${n(PAD + fontSize * 1.3)}" font-size="${n(fontSize * 1.3)}" font-weight="bold" fill="#222222">${escapeHtml(options.title)}</text>`,
    );
  }

  // === Axes and grid ===
  parts.push(`<g class="grid" stroke="#e6e6e6" stroke-width="1">`);
  for (const t of yTicks) {
    if (t < yLow || t > yHigh) continue;
    parts.push(`<line x1="${n(left)}" y1="${n(sy(t))}" x2="${n(right)}" y2="${n(sy(t))}"/>`);
  }
  parts.push(`</g>`);
  parts.push(`<g class="axes" stroke="#888888" stroke-width="1">`);
  parts.push(`<line x1="${n(left)}" y1="${n(top)}" x2="${n(left)}" y2="${n(bottom)}"/>`);
  parts.push(`<line x1="${n(left)}" y1="${n(bottom)}" x2="${n(right)}" y2="${n(bottom)}"/>`);
  for (const t of xTicks)
    parts.push(`<line x1="${n(sx(t))}" y1="${n(bottom)}" x2="${n(sx(t))}" y2="${n(bottom + 4)}"/>`);
  parts.push(`</g>`);
  parts.push(`<g class="y-ticks" fill="#444444" text-anchor="end">`);
  for (const t of yTicks) {
    if (t < yLow || t > yHigh) continue;
    parts.push(
      `<text x="${n(left - 6)}" y="${n(sy(t))}" dominant-baseline="central">${escapeHtml(tickLabel(t, yTicks))}</text>`,
    );
  }
  parts.push(`</g>`);
  parts.push(`<g class="x-ticks" fill="#444444" text-anchor="middle">`);
  for (const t of xTicks)
    parts.push(
      `<text x="${n(sx(t))}" y="${n(bottom + 6 + fontSize)}">${escapeHtml(tickLabel(t, xTicks))}</text>`,
    );
  parts.push(`</g>`);
  if (options.xLabel) {
    parts.push(
      `<text x="${n((left + right) / 2)}" y="${n(height - PAD)}" text-anchor="middle" fill="#555555" font-style="italic">${escapeHtml(options.xLabel)}</text>`,
    );
  }
  if (options.yLabel) {
    const x = PAD + fontSize;
    const y = (top + bottom) / 2;
    parts.push(
      `<text transform="translate(${n(x)} ${n(y)}) rotate(-90)" text-anchor="middle" fill="#555555" font-style="italic">${escapeHtml(options.yLabel)}</text>`,
    );
  }

  // === Series ===
  series.forEach((s, k) => {
    const color = colors[k % colors.length]!;
    const markers = options.markers ?? s.values.length <= 60;
    parts.push(`<g class="series" stroke="${color}" fill="${color}">`);
    // A value that is not finite ends a segment: the line has a gap there.
    let segment: string[] = [];
    const flush = () => {
      if (segment.length > 1)
        parts.push(`<polyline points="${segment.join(" ")}" fill="none" stroke-width="2"/>`);
      segment = [];
    };
    for (const p of points[k]!) {
      if (!Number.isFinite(p.y) || !Number.isFinite(p.x)) {
        flush();
        continue;
      }
      segment.push(`${n(sx(p.x))},${n(sy(p.y))}`);
    }
    flush();
    if (markers) {
      for (const p of points[k]!) {
        if (!Number.isFinite(p.y) || !Number.isFinite(p.x)) continue;
        parts.push(
          `<circle cx="${n(sx(p.x))}" cy="${n(sy(p.y))}" r="3" stroke="none"><title>${escapeHtml(`${s.name} at ${formatNumber(p.x)}: ${formatNumber(p.y)}`)}</title></circle>`,
        );
      }
    }
    parts.push(`</g>`);
  });

  // === Legend ===
  parts.push(`<g class="legend" fill="#222222">`);
  let x = left;
  const y = PAD + titleHeight + fontSize / 2 + 2;
  series.forEach((s, k) => {
    const color = colors[k % colors.length]!;
    parts.push(
      `<line x1="${n(x)}" y1="${n(y)}" x2="${n(x + 16)}" y2="${n(y)}" stroke="${color}" stroke-width="2"/>`,
    );
    parts.push(
      `<text x="${n(x + 20)}" y="${n(y)}" dominant-baseline="central">${escapeHtml(s.name)}</text>`,
    );
    x += 20 + textWidth(s.name, fontSize) + 16;
  });
  parts.push(`</g>`);
  parts.push(`</svg>`);
  return parts.join("\n");
}
