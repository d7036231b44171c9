import { interpolateColor, textColorOn, valueToColor, type ColorScheme } from "./color.js";
import { escapeHtml, truncate } from "./escape.js";
import { formatNumber } from "./format.js";
import { n, SVG_FONT, textWidth } from "./svg-text.js";

/** Options of `heatmapSvg`. */
export interface HeatmapOptions {
  /** One label per row (default: row numbers). */
  rowLabels?: readonly string[];
  /** One label per column (default: column numbers). */
  colLabels?: readonly string[];
  /** A heading above the map (also the image's accessible name). */
  title?: string;
  /** What the rows are, written along the left edge (e.g. `"query"`). */
  rowAxisLabel?: string;
  /** What the columns are, written under the map (e.g. `"key"`). */
  colAxisLabel?: string;
  /** The value shown in the lightest colour (default: the smallest value). */
  min?: number;
  /** The value shown in the darkest colour (default: the largest value). */
  max?: number;
  /** Default `"blues"`. */
  scheme?: ColorScheme;
  /** Side of one cell in pixels (default: 32 for small maps, less for large ones, at least 4). */
  cellSize?: number;
  /** Write each value in its cell (default: when cells are at least 26 px wide). */
  showValues?: boolean;
  /** Decimals of the values written in cells and the legend (default 2). */
  decimals?: number;
  /** Font size of labels in pixels (default 11). */
  fontSize?: number;
  /** Labels longer than this many characters are cut with `…` (default 16; the cell's
   * tooltip keeps the whole label). */
  maxLabelLength?: number;
  /** Draw the colour bar on the right (default true). */
  legend?: boolean;
}

/** The size of an SVG this package produced. */
export interface SvgSize {
  width: number;
  height: number;
}

const FONT = SVG_FONT;
const PAD = 8;
const SIN45 = Math.SQRT1_2;

function checkMatrix(matrix: readonly (readonly number[])[]): { rows: number; cols: number } {
  const rows = matrix.length;
  const cols = matrix[0]?.length ?? 0;
  if (rows === 0 || cols === 0) throw new RangeError("heatmapSvg: the matrix is empty");
  matrix.forEach((row, i) => {
    if (row.length !== cols) {
      throw new RangeError(`heatmapSvg: row ${i} has ${row.length} values, row 0 has ${cols}`);
    }
  });
  return { rows, cols };
}

function checkLabels(labels: readonly string[] | undefined, count: number, what: string): string[] {
  if (labels === undefined) return Array.from({ length: count }, (_, i) => String(i));
  if (labels.length !== count) {
    throw new RangeError(
      `heatmapSvg: ${what} has ${labels.length} labels for ${count} ${what === "rowLabels" ? "rows" : "columns"}`,
    );
  }
  return [...labels];
}

/**
 * Draws a matrix as an SVG heatmap: one coloured cell per value, row labels on the left,
 * column labels on top (at 45°), a colour bar on the right, and a tooltip per cell. All text
 * is escaped; the result is a standalone SVG document fragment (`<svg xmlns=...>`), ready for
 * `tslab.display.svg`, a browser, or an SVG renderer.
 *
 * @example
 * ```ts
 * const svg = heatmapSvg([[0.9, 0.1], [0.3, 0.7]], {
 *   rowLabels: ["[CLS]", "▁fox"], colLabels: ["[CLS]", "▁fox"],
 *   title: "attention", min: 0, max: 1,
 * });
 * tslab.display.svg(svg);
 * ```
 */
export function heatmapSvg(
  matrix: readonly (readonly number[])[],
  options: HeatmapOptions = {},
): string {
  const { rows, cols } = checkMatrix(matrix);
  const rowLabels = checkLabels(options.rowLabels, rows, "rowLabels");
  const colLabels = checkLabels(options.colLabels, cols, "colLabels");
  const values = matrix.flat().filter((v) => Number.isFinite(v));
  const min = options.min ?? (values.length > 0 ? Math.min(...values) : 0);
  const max = options.max ?? (values.length > 0 ? Math.max(...values) : 1);
  const scheme = options.scheme ?? "blues";
  const fontSize = options.fontSize ?? 11;
  const decimals = options.decimals ?? 2;
  const maxLabel = options.maxLabelLength ?? 16;
  const cell =
    options.cellSize ?? Math.max(4, Math.min(32, Math.floor(512 / Math.max(rows, cols))));
  const showValues = options.showValues ?? cell >= 26;
  const legend = options.legend ?? true;
  // Labels of small cells would overlap: label every k-th row and column only.
  const labelStep = Math.max(1, Math.ceil((fontSize * 1.15) / cell));
  const shortRow = rowLabels.map((l) => truncate(l, maxLabel));
  const shortCol = colLabels.map((l) => truncate(l, maxLabel));

  // === Layout ===
  const titleHeight = options.title ? fontSize * 1.3 + 8 : 0;
  const rowAxisWidth = options.rowAxisLabel ? fontSize * 1.6 : 0;
  const rowLabelWidth = Math.max(...shortRow.map((l) => textWidth(l, fontSize))) + 6;
  const colLabelLength = Math.max(...shortCol.map((l) => textWidth(l, fontSize)));
  const colLabelHeight = colLabelLength * SIN45 + fontSize;
  const gridLeft = PAD + rowAxisWidth + rowLabelWidth;
  const gridTop = PAD + titleHeight + colLabelHeight;
  const gridWidth = cols * cell;
  const gridHeight = rows * cell;
  const legendHeight = Math.min(240, Math.max(80, gridHeight));
  const legendTickLabels = [max, (min + max) / 2, min].map((v) => formatLegendValue(v, decimals));
  const legendWidth = legend
    ? 16 + 12 + 6 + Math.max(...legendTickLabels.map((l) => textWidth(l, fontSize)))
    : 0;
  // The last column label leans right beyond the grid.
  const labelOverhang = Math.max(0, colLabelLength * SIN45 - cell / 2);
  const colAxisHeight = options.colAxisLabel ? fontSize * 1.8 : 0;
  const titleWidth = options.title ? textWidth(options.title, fontSize * 1.3) * 1.08 : 0; // bold
  const width = Math.ceil(
    Math.max(gridLeft + gridWidth + Math.max(legendWidth, labelOverhang), PAD + titleWidth) + PAD,
  );
  const height = Math.ceil(
    gridTop + Math.max(gridHeight, legend ? legendHeight : 0) + colAxisHeight + PAD,
  );

  const title = options.title ?? "heatmap";
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `role="img" aria-label="${escapeHtml(title)}" font-family="${FONT}" font-size="${n(fontSize)}">`,
  );
  parts.push(`<title>${escapeHtml(title)}</title>`);
  parts.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  if (options.title) {
    parts.push(
      `<text x="${n(PAD)}" y="${n(PAD + fontSize * 1.3)}" font-size="${n(fontSize * 1.3)}" font-weight="bold" fill="#222222">${escapeHtml(options.title)}</text>`,
    );
  }

  // === Cells ===
  parts.push(`<g class="cells">`);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const value = matrix[r]?.[c] as number;
      const fill = valueToColor(value, min, max, scheme);
      const x = gridLeft + c * cell;
      const y = gridTop + r * cell;
      const tip = `${rowLabels[r]} → ${colLabels[c]}: ${formatNumber(value)}`;
      parts.push(
        `<rect x="${n(x)}" y="${n(y)}" width="${n(cell)}" height="${n(cell)}" fill="${fill}" stroke="#ffffff" stroke-width="0.5"><title>${escapeHtml(tip)}</title></rect>`,
      );
      if (showValues) {
        parts.push(
          `<text x="${n(x + cell / 2)}" y="${n(y + cell / 2)}" text-anchor="middle" dominant-baseline="central" ` +
            `font-size="${n(Math.min(fontSize, cell * 0.34))}" fill="${textColorOn(fill)}" pointer-events="none">${escapeHtml(formatCellValue(value, decimals))}</text>`,
        );
      }
    }
  }
  parts.push(`</g>`);

  // === Labels ===
  parts.push(`<g class="row-labels" fill="#222222">`);
  for (let r = 0; r < rows; r += labelStep) {
    parts.push(
      `<text x="${n(gridLeft - 4)}" y="${n(gridTop + r * cell + cell / 2)}" text-anchor="end" dominant-baseline="central">${escapeHtml(shortRow[r] as string)}</text>`,
    );
  }
  parts.push(`</g>`);
  parts.push(`<g class="col-labels" fill="#222222">`);
  for (let c = 0; c < cols; c += labelStep) {
    const x = gridLeft + c * cell + cell / 2;
    const y = gridTop - 4;
    parts.push(
      `<text transform="translate(${n(x)} ${n(y)}) rotate(-45)" text-anchor="start">${escapeHtml(shortCol[c] as string)}</text>`,
    );
  }
  parts.push(`</g>`);
  if (options.rowAxisLabel) {
    const x = PAD + fontSize;
    const y = gridTop + gridHeight / 2;
    parts.push(
      `<text transform="translate(${n(x)} ${n(y)}) rotate(-90)" text-anchor="middle" fill="#555555" font-style="italic">${escapeHtml(options.rowAxisLabel)}</text>`,
    );
  }
  if (options.colAxisLabel) {
    parts.push(
      `<text x="${n(gridLeft + gridWidth / 2)}" y="${n(gridTop + gridHeight + fontSize * 1.4)}" text-anchor="middle" fill="#555555" font-style="italic">${escapeHtml(options.colAxisLabel)}</text>`,
    );
  }

  // === Colour bar ===
  if (legend) {
    const x = gridLeft + gridWidth + 16;
    const steps = 32;
    const step = legendHeight / steps;
    parts.push(`<g class="legend">`);
    for (let i = 0; i < steps; i++) {
      const t = 1 - (i + 0.5) / steps; // top is max
      parts.push(
        `<rect x="${n(x)}" y="${n(gridTop + i * step)}" width="12" height="${n(step + 0.3)}" fill="${interpolateColor(scheme, t)}"/>`,
      );
    }
    parts.push(
      `<rect x="${n(x)}" y="${n(gridTop)}" width="12" height="${n(legendHeight)}" fill="none" stroke="#888888" stroke-width="0.5"/>`,
    );
    legendTickLabels.forEach((label, i) => {
      const y = gridTop + (legendHeight * i) / 2;
      parts.push(
        `<text x="${n(x + 18)}" y="${n(y)}" dominant-baseline="central" fill="#222222">${escapeHtml(label)}</text>`,
      );
    });
    parts.push(`</g>`);
  }
  parts.push(`</svg>`);
  return parts.join("\n");
}

function formatCellValue(value: number, decimals: number): string {
  if (!Number.isFinite(value)) return formatNumber(value);
  const fixed = value.toFixed(decimals);
  return /^-0\.?0*$/.test(fixed) ? fixed.slice(1) : fixed;
}

function formatLegendValue(value: number, decimals: number): string {
  return formatCellValue(value, decimals);
}

/**
 * Reads the `width` and `height` attributes of an SVG this package produced.
 *
 * @example
 * ```ts
 * svgSize(heatmapSvg([[1]])); // { width: ..., height: ... }
 * ```
 */
export function svgSize(svg: string): SvgSize {
  const match = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg);
  if (!match) throw new RangeError("svgSize: no <svg width=... height=...> element");
  return { width: Number(match[1]), height: Number(match[2]) };
}
