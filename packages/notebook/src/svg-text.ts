/** What every SVG of this package shares: the font, coordinate rounding and text widths. */

export const SVG_FONT = "DejaVu Sans, Helvetica, Arial, sans-serif";

/** Rounds a coordinate for compact output (2 decimals). */
export function n(x: number): string {
  return String(Math.round(x * 100) / 100);
}

/** An estimate of a text's width in pixels (no font metrics in a pure function). */
export function textWidth(text: string, fontSize: number): number {
  return Array.from(text).length * fontSize * 0.6;
}
