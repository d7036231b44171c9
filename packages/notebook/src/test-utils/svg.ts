import { Resvg } from "@resvg/resvg-js";

/** The heatmap's cells: `<rect>`s with a tooltip, in drawing order (row by row). */
export function cellRects(
  svg: string,
): { x: number; y: number; size: number; fill: string; tip: string }[] {
  const re =
    /<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="[\d.]+" fill="(#[0-9a-f]{6})" stroke="#ffffff" stroke-width="0.5"><title>([^<]*)<\/title><\/rect>/g;
  return [...svg.matchAll(re)].map((m) => ({
    x: Number(m[1]),
    y: Number(m[2]),
    size: Number(m[3]),
    fill: m[4] as string,
    tip: m[5] as string,
  }));
}

/** Text content of every `<text>` element (still escaped). */
export function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1] as string);
}

/** Parses the SVG as XML the way a strict renderer does; throws on malformed markup. */
export function parseSvg(svg: string): { width: number; height: number } {
  const resvg = new Resvg(svg, { font: { loadSystemFonts: false } });
  return { width: resvg.width, height: resvg.height };
}
