/**
 * An integer with thousands separators (`11,683,584`), independent of the machine's locale.
 *
 * @example
 * ```ts
 * formatCount(11683584); // "11,683,584"
 * ```
 */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const sign = n < 0 ? "-" : "";
  const digits = String(Math.round(Math.abs(n)));
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * A count in short form: `11.7M`, `394K`, `950`.
 *
 * @example
 * ```ts
 * formatCompact(11683584); // "11.7M"
 * ```
 */
export function formatCompact(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${trim((n / 1e9).toFixed(abs >= 1e10 ? 0 : 1))}B`;
  if (abs >= 1e6) return `${trim((n / 1e6).toFixed(abs >= 1e7 ? 1 : 2))}M`;
  if (abs >= 1e3) return `${trim((n / 1e3).toFixed(abs >= 1e4 ? 0 : 1))}K`;
  return String(n);
}

function trim(fixed: string): string {
  return fixed.includes(".") ? fixed.replace(/\.?0+$/, "") : fixed;
}

/**
 * A byte count in binary units: `512 B`, `1.5 KiB`, `44.7 MiB`.
 *
 * @example
 * ```ts
 * formatBytes(46_874_112); // "44.7 MiB"
 * ```
 */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * A duration for people: `850 ms`, `4.2 s`, `2 min 05 s`.
 *
 * @example
 * ```ts
 * formatDuration(125_000); // "2 min 05 s"
 * ```
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "?";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const totalSeconds = Math.round(ms / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  return `${minutes} min ${String(seconds).padStart(2, "0")} s`;
}

/**
 * A number in a fixed number of significant digits, with `NaN`, `±Infinity` and `-0` spelled
 * plainly; very small or large magnitudes in exponent form.
 *
 * @example
 * ```ts
 * formatNumber(0.123456); // "0.1235"
 * formatNumber(1.5e-7);   // "1.500e-7"
 * ```
 */
export function formatNumber(value: number, digits = 4): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
  if (value === 0) return "0";
  const abs = Math.abs(value);
  if (abs < 1e-4 || abs >= 1e6) return value.toExponential(Math.max(0, digits - 1));
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(digits)));
}
