/**
 * Characters that XML 1.0 forbids anywhere in a document (C0 controls other than tab, line
 * feed and carriage return, lone surrogates, U+FFFE and U+FFFF). SVG is XML: one of them makes
 * the whole image unreadable, so they become U+FFFD.
 */
const XML_INVALID =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Escapes text for HTML and SVG (XML), in element content and in quoted attribute values:
 * `& < > " '` become entities (numeric or XML's predefined ones, valid in both), and
 * characters XML forbids become U+FFFD.
 *
 * @example
 * ```ts
 * escapeHtml('<unk> "▁the"'); // '&lt;unk&gt; &quot;▁the&quot;'
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(XML_INVALID, "\uFFFD").replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/**
 * Shortens `text` to at most `max` characters (code points), ending in `…` when cut.
 *
 * @example
 * ```ts
 * truncate("▁internationalization", 8); // "▁intern…"
 * ```
 */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return chars.slice(0, Math.max(0, max - 1)).join("") + "…";
}
