import type { tf } from "@albert/core";
import { escapeHtml } from "./escape.js";
import { formatCount, formatNumber } from "./format.js";
import { isTensor } from "./tensor-data.js";
import { CELL, HEAD_CELL, TABLE, box } from "./html.js";

/** A tensor's contents without TF.js: what `tensorPreviewHtml` accepts besides a tensor. */
export interface TensorData {
  shape: readonly number[];
  dtype: string;
  /** Values in row-major order (`shape`'s product of them). */
  values: ArrayLike<number>;
}

/** Summary statistics of a tensor's finite values. */
export interface TensorStats {
  size: number;
  min: number;
  max: number;
  mean: number;
  /** Population standard deviation. */
  std: number;
  /** Count of NaN values. */
  nan: number;
  /** Count of ±Infinity values. */
  infinite: number;
}

/** Options of `tensorPreviewHtml`. */
export interface TensorPreviewOptions {
  /** A name shown in the heading (e.g. `"sequenceOutput"`). */
  name?: string;
  /** Rows of the corner shown (default 6). */
  rows?: number;
  /** Columns of the corner shown (default 8). */
  cols?: number;
  /** Significant digits of the values (default 4). */
  digits?: number;
}

function readTensor(tensor: tf.Tensor | TensorData): TensorData {
  if (!isTensor(tensor)) return tensor;
  if (tensor.dtype === "string")
    throw new RangeError("tensorPreviewHtml: string tensors are not supported");
  return {
    shape: tensor.shape,
    dtype: tensor.dtype,
    values: tensor.dataSync() as ArrayLike<number>,
  };
}

/**
 * Statistics of the values: min, max, mean and standard deviation of the finite ones, and
 * how many are NaN or infinite.
 *
 * @example
 * ```ts
 * tensorStats({ shape: [3], dtype: "float32", values: [1, 2, NaN] });
 * // { size: 3, min: 1, max: 2, mean: 1.5, std: 0.5, nan: 1, infinite: 0 }
 * ```
 */
export function tensorStats(tensor: tf.Tensor | TensorData): TensorStats {
  const { values } = readTensor(tensor);
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let count = 0;
  let nan = 0;
  let infinite = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isNaN(v)) nan++;
    else if (!Number.isFinite(v)) infinite++;
    else {
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
      count++;
    }
  }
  const mean = count > 0 ? sum / count : NaN;
  let squares = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isFinite(v)) squares += (v - mean) ** 2;
  }
  return {
    size: values.length,
    min: count > 0 ? min : NaN,
    max: count > 0 ? max : NaN,
    mean,
    std: count > 0 ? Math.sqrt(squares / count) : NaN,
    nan,
    infinite,
  };
}

/**
 * An HTML card for a tensor: name, shape, dtype, statistics, and the top-left corner of its
 * values (of the last two axes at index 0 of the others), with `⋯` where rows or columns
 * are left out.
 *
 * @example
 * ```ts
 * const { sequenceOutput } = backbone.predict(inputs);
 * tslab.display.html(tensorPreviewHtml(sequenceOutput, { name: "sequenceOutput" }));
 * ```
 */
export function tensorPreviewHtml(
  tensor: tf.Tensor | TensorData,
  options: TensorPreviewOptions = {},
): string {
  const data = readTensor(tensor);
  const { shape, dtype, values } = data;
  const expected = shape.reduce((a, b) => a * b, 1);
  if (values.length !== expected) {
    throw new RangeError(
      `tensorPreviewHtml: shape [${shape.join(", ")}] needs ${expected} values, got ${values.length}`,
    );
  }
  const stats = tensorStats(data);
  const digits = options.digits ?? 4;
  const maxRows = options.rows ?? 6;
  const maxCols = options.cols ?? 8;
  const fmt = (v: number) => (dtype === "bool" ? (v ? "true" : "false") : formatNumber(v, digits));

  const heading =
    (options.name ? `<b>${escapeHtml(options.name)}</b> ` : "") +
    `<code>[${shape.join(", ")}]</code> ${escapeHtml(dtype)} · ${formatCount(stats.size)} values`;
  const statParts = [
    ["min", stats.min],
    ["max", stats.max],
    ["mean", stats.mean],
    ["std", stats.std],
  ].map(([k, v]) => `${k} <code>${escapeHtml(formatNumber(v as number, digits))}</code>`);
  if (stats.nan > 0) statParts.push(`<span style="color:#b2182b">NaN ×${stats.nan}</span>`);
  if (stats.infinite > 0)
    statParts.push(`<span style="color:#b2182b">±Infinity ×${stats.infinite}</span>`);

  // The corner: a scalar, one row (rank 1), or the last two axes at index 0 of the others.
  const rank = shape.length;
  const nRows = rank >= 2 ? (shape[rank - 2] as number) : 1;
  const nCols = rank >= 1 ? (shape[rank - 1] as number) : 1;
  const shownRows = Math.min(nRows, maxRows);
  const shownCols = Math.min(nCols, maxCols);
  const index =
    rank > 2
      ? `[${Array(rank - 2)
          .fill("0")
          .join(", ")}, :, :]`
      : "";
  const rowsHtml: string[] = [];
  const header = [`<th style="${HEAD_CELL}"></th>`];
  for (let c = 0; c < shownCols; c++) header.push(`<th style="${HEAD_CELL}">${c}</th>`);
  if (shownCols < nCols) header.push(`<th style="${HEAD_CELL}">⋯ ${nCols - 1}</th>`);
  if (rank >= 1) rowsHtml.push(`<tr>${header.join("")}</tr>`);
  for (let r = 0; r < shownRows; r++) {
    const cells = rank >= 1 ? [`<th style="${HEAD_CELL}">${rank >= 2 ? r : ""}</th>`] : [];
    for (let c = 0; c < shownCols; c++)
      cells.push(`<td style="${CELL}">${escapeHtml(fmt(values[r * nCols + c] as number))}</td>`);
    if (shownCols < nCols) {
      cells.push(
        `<td style="${CELL}">⋯ ${escapeHtml(fmt(values[r * nCols + nCols - 1] as number))}</td>`,
      );
    }
    rowsHtml.push(`<tr>${cells.join("")}</tr>`);
  }
  if (shownRows < nRows) {
    rowsHtml.push(
      `<tr><th style="${HEAD_CELL}">⋮</th><td style="${CELL}" colspan="${shownCols + (shownCols < nCols ? 1 : 0)}">${formatCount(nRows - shownRows)} more rows</td></tr>`,
    );
  }
  const body =
    `<div>${heading}</div>` +
    `<div style="color:#555;margin:2px 0 6px 0">${statParts.join(" · ")}</div>` +
    (index ? `<div style="color:#555">values ${escapeHtml(index)}</div>` : "") +
    `<table style="${TABLE}">${rowsHtml.join("")}</table>`;
  return box("albert-tensor", body);
}
