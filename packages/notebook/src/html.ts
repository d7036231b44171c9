import { escapeHtml } from "./escape.js";

/** Inline styles (no `<style>` element: notebook outputs share one page, and a stylesheet in
 * one output would restyle the others). */
export const FONT_STACK = "-apple-system, 'Segoe UI', 'DejaVu Sans', Helvetica, Arial, sans-serif";
export const MONO_STACK = "'DejaVu Sans Mono', Menlo, Consolas, monospace";
export const TABLE = "border-collapse:collapse;font-size:12px;margin:4px 0";
export const CELL = `border:1px solid #ddd;padding:2px 6px;text-align:right;font-family:${MONO_STACK};white-space:nowrap`;
export const TEXT_CELL = "border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top";
export const HEAD_CELL =
  "border:1px solid #ddd;padding:2px 6px;background:#f3f3f3;font-weight:600;text-align:center";

/** Wraps content in the outer `<div>` every HTML display of this package uses. */
export function box(kind: string, body: string): string {
  return `<div class="${kind}" style="font-family:${FONT_STACK};font-size:13px;color:#222;background:#fff;padding:6px;line-height:1.4">${body}</div>`;
}

/** A table cell: plain text (escaped) or pre-rendered HTML. */
export type TableCell = string | number | { html: string };

/** Options of `tableHtml`. */
export interface TableOptions {
  /** A caption above the table (escaped). */
  caption?: string;
  /** Right-align these column indices (default: columns whose cells are all numbers). */
  numericColumns?: readonly number[];
}

/**
 * A plain HTML table: headers, then rows. Text is escaped; numbers are written as given
 * (`String(n)`, right-aligned), so format them first where needed; `{ html }` cells are
 * inserted as they are.
 *
 * @example
 * ```ts
 * tslab.display.html(tableHtml(["backend", "ms"], [["tensorflow", 12.5], ["cpu", 210]]));
 * ```
 */
export function tableHtml(
  headers: readonly string[],
  rows: readonly (readonly TableCell[])[],
  options: TableOptions = {},
): string {
  const numeric = new Set(
    options.numericColumns ??
      headers
        .map((_, i) => i)
        .filter((i) => rows.length > 0 && rows.every((row) => typeof row[i] === "number")),
  );
  const cell = (value: TableCell | undefined, i: number) => {
    const content =
      value === undefined ? "" : typeof value === "object" ? value.html : escapeHtml(String(value));
    return `<td style="${numeric.has(i) ? CELL : TEXT_CELL}">${content}</td>`;
  };
  const head = `<tr>${headers.map((h) => `<th style="${HEAD_CELL}">${escapeHtml(h)}</th>`).join("")}</tr>`;
  const body = rows
    .map((row) => `<tr>${headers.map((_, i) => cell(row[i], i)).join("")}</tr>`)
    .join("");
  const caption = options.caption
    ? `<caption style="text-align:left;font-weight:600;padding:2px 0">${escapeHtml(options.caption)}</caption>`
    : "";
  return box("albert-table", `<table style="${TABLE}">${caption}${head}${body}</table>`);
}
