/** The colour scales heatmaps use. */
export type ColorScheme = "blues" | "redBlue" | "viridis";

/** ColorBrewer "Blues" (9 classes): white to dark blue, for values in [0, 1] like attention. */
const BLUES = [
  "#f7fbff",
  "#deebf7",
  "#c6dbef",
  "#9ecae1",
  "#6baed6",
  "#4292c6",
  "#2171b5",
  "#08519c",
  "#08306b",
];

/** ColorBrewer "RdBu" (11 classes), reversed: blue for low, white in the middle, red for high. */
const RED_BLUE = [
  "#053061",
  "#2166ac",
  "#4393c3",
  "#92c5de",
  "#d1e5f0",
  "#f7f7f7",
  "#fddbc7",
  "#f4a582",
  "#d6604d",
  "#b2182b",
  "#67001f",
];

/** Matplotlib's viridis, sampled at 9 points: dark purple to yellow, perceptually uniform. */
const VIRIDIS = [
  "#440154",
  "#472d7b",
  "#3b528b",
  "#2c728e",
  "#21918c",
  "#28ae80",
  "#5ec962",
  "#addc30",
  "#fde725",
];

const STOPS: Record<ColorScheme, readonly string[]> = {
  blues: BLUES,
  redBlue: RED_BLUE,
  viridis: VIRIDIS,
};

/** Names of the available schemes. */
export const COLOR_SCHEMES: readonly ColorScheme[] = ["blues", "redBlue", "viridis"];

function parseHex(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function toHex([r, g, b]: readonly number[]): string {
  return (
    "#" +
    [r, g, b]
      .map((c) =>
        Math.round(c ?? 0)
          .toString(16)
          .padStart(2, "0"),
      )
      .join("")
  );
}

/**
 * The colour at position `t` in [0, 1] of a scheme, linearly interpolated between its stops
 * (in sRGB). `t` outside [0, 1] is clamped; `NaN` gives grey.
 *
 * @example
 * ```ts
 * interpolateColor("blues", 0);   // "#f7fbff"
 * interpolateColor("blues", 1);   // "#08306b"
 * interpolateColor("redBlue", 0.5); // "#f7f7f7"
 * ```
 */
export function interpolateColor(scheme: ColorScheme, t: number): string {
  const stops = STOPS[scheme];
  if (stops === undefined)
    throw new RangeError(
      `unknown colour scheme ${JSON.stringify(scheme)}; use one of ${COLOR_SCHEMES.join(", ")}`,
    );
  if (Number.isNaN(t)) return "#999999";
  const clamped = Math.min(1, Math.max(0, t));
  const position = clamped * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(position));
  const f = position - i;
  const a = parseHex(stops[i] as string);
  const b = parseHex(stops[i + 1] as string);
  return toHex(a.map((c, k) => c + ((b[k] as number) - c) * f));
}

/**
 * Maps `value` in [min, max] to a colour of `scheme` (values outside are clamped).
 *
 * @example
 * ```ts
 * valueToColor(0.5, 0, 1, "blues"); // "#6baed6"
 * valueToColor(-1, -1, 1, "redBlue"); // "#053061"
 * ```
 */
export function valueToColor(value: number, min: number, max: number, scheme: ColorScheme): string {
  const t = max > min ? (value - min) / (max - min) : 0.5;
  return interpolateColor(scheme, t);
}

/** WCAG relative luminance of a `#rrggbb` colour, in [0, 1]. */
export function relativeLuminance(hex: string): number {
  const [r, g, b] = parseHex(hex).map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/**
 * A text colour readable on `background`: near-black on light colours, white on dark ones.
 *
 * @example
 * ```ts
 * textColorOn("#f7fbff"); // "#111111"
 * textColorOn("#08306b"); // "#ffffff"
 * ```
 */
export function textColorOn(background: string): string {
  return relativeLuminance(background) > 0.18 ? "#111111" : "#ffffff";
}
