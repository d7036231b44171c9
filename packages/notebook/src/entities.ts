import { escapeHtml } from "./escape.js";
import { box } from "./html.js";

/** A labelled span of a text, as token-classification pipelines give them (`entity_group` for
 * grouped entities, `entity` per token), with `[start, end)` in code points. */
export interface TextEntity {
  start: number;
  end: number;
  entity_group?: string;
  entity?: string;
  score?: number;
}

/** Options of `entitiesHtml`. */
export interface EntitiesOptions {
  /** Colours by entity type (a `B-`/`I-` prefix is ignored); others get the palette's in turn. */
  colors?: Readonly<Record<string, string>>;
  /** Types left unmarked (default none). */
  ignore?: readonly string[];
}

const PALETTE = ["#ffd8a8", "#b2f2bb", "#a5d8ff", "#eebefa", "#ffec99", "#c3fae8", "#ffc9c9"];

/** `B-PER` → `PER`. */
function entityType(entity: TextEntity): string {
  const name = entity.entity_group ?? entity.entity ?? "";
  return /^[BI]-/.test(name) ? name.slice(2) : name;
}

/**
 * A text with its entities highlighted: each span on a coloured background (one colour per
 * entity type) with its type as a small label and the score in a tooltip, and a legend. Spans
 * index the text's code points, as transformers' offsets. A span that overlaps an earlier one
 * is drawn from where that one ends (transformers can give two tokens the same character, a
 * lone `▁` and the letter after it), or not at all when nothing is left; spans outside the text
 * are refused. The text is escaped.
 *
 * @example
 * ```ts
 * const entities = await ner(text, { aggregationStrategy: "simple" });
 * tslab.display.html(entitiesHtml(text, entities));
 * ```
 */
export function entitiesHtml(text: string, entities: readonly TextEntity[], options: EntitiesOptions = {}): string {
  const chars = Array.from(text);
  const ignore = new Set(options.ignore ?? []);
  const shown = entities.filter((e) => !ignore.has(entityType(e))).sort((a, b) => a.start - b.start);
  const colors = new Map<string, string>(Object.entries(options.colors ?? {}));
  let next = 0;
  for (const e of shown) {
    const type = entityType(e);
    if (!colors.has(type)) colors.set(type, PALETTE[next++ % PALETTE.length]!);
  }
  let html = "";
  let at = 0;
  for (const e of shown) {
    if (!(Number.isInteger(e.start) && Number.isInteger(e.end) && e.start >= 0 && e.end >= e.start && e.end <= chars.length)) {
      throw new RangeError(`entitiesHtml: span [${e.start}, ${e.end}) lies outside the text (${chars.length} characters)`);
    }
    const start = Math.max(e.start, at);
    if (e.end <= start) continue;
    const type = entityType(e);
    html += escapeHtml(chars.slice(at, start).join(""));
    const tip = e.score === undefined ? type : `${type} ${e.score.toFixed(3)}`;
    html +=
      `<mark title="${escapeHtml(tip)}" style="background:${colors.get(type)};padding:1px 3px;border-radius:3px">` +
      `${escapeHtml(chars.slice(start, e.end).join(""))}` +
      `<span style="font-size:9px;font-weight:600;margin-left:3px;color:#555">${escapeHtml(type)}</span></mark>`;
    at = e.end;
  }
  html += escapeHtml(chars.slice(at).join(""));
  const legend = [...colors]
    .map(([type, color]) => `<span style="background:${color};padding:0 4px;border-radius:3px;margin-right:6px">${escapeHtml(type)}</span>`)
    .join("");
  return box("albert-entities", `<div style="line-height:1.9">${html}</div>${legend ? `<div style="font-size:11px;margin-top:4px">${legend}</div>` : ""}`);
}

/**
 * A score in [0, 1] as a horizontal bar with the number beside it, for table cells
 * (`{ html: scoreBarHtml(0.42) }`). Values outside [0, 1] are drawn clamped.
 */
export function scoreBarHtml(score: number, options: { width?: number; digits?: number; color?: string } = {}): string {
  const { width = 120, digits = 4, color = "#4c78a8" } = options;
  const fill = Math.round(Math.min(1, Math.max(0, Number.isFinite(score) ? score : 0)) * width);
  return (
    `<span style="display:inline-flex;align-items:center;gap:6px">` +
    `<span style="display:inline-block;width:${width}px;height:10px;background:#eee;border-radius:2px">` +
    `<span style="display:block;width:${fill}px;height:10px;background:${color};border-radius:2px"></span></span>` +
    `<span style="font-variant-numeric:tabular-nums">${escapeHtml(score.toFixed(digits))}</span></span>`
  );
}
