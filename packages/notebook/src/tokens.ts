import { escapeHtml } from "./escape.js";
import { MONO_STACK, box } from "./html.js";

/** Options of `tokenPiecesHtml`. */
export interface TokenPiecesOptions {
  /** The text the pieces came from, shown above them (escaped). */
  text?: string;
  /** Pieces drawn as special tokens (default `[CLS]`, `[SEP]`, `<pad>`, `[MASK]`). */
  specialTokens?: readonly string[];
  /** The unknown piece, highlighted in red (default `<unk>`). */
  unkToken?: string;
  /** One segment id per piece: pieces of segment 1, 2, ... get a coloured underline. */
  segmentIds?: readonly number[];
  /** Draw a run of trailing padding pieces as one chip `<pad> ×N` (default true). */
  collapsePadding?: boolean;
  /** The padding piece (default `<pad>`). */
  padToken?: string;
}

const SEGMENT_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"];
const SPACE_SYMBOL = "\u2581";

function pieceHtml(piece: string): string {
  // The SentencePiece word boundary "▁" is drawn lighter, so the word itself stands out.
  return Array.from(piece)
    .map((ch) =>
      ch === SPACE_SYMBOL ? `<span style="color:#aaa">${SPACE_SYMBOL}</span>` : escapeHtml(ch),
    )
    .join("");
}

/**
 * Token pieces with their ids as a row of chips: special tokens in grey, `<unk>` in red, the
 * word-boundary mark `▁` drawn lighter, segments underlined in colour, and a tooltip with the
 * position. All text is escaped, so pieces like `<unk>` or `"` show as they are.
 *
 * @example
 * ```ts
 * const text = "The quick brown fox.";
 * const pieces = tokenizer.tokenizeToPieces(text);
 * const ids = tokenizer.tokenize(text);
 * tslab.display.html(tokenPiecesHtml(pieces, ids, { text }));
 * ```
 */
export function tokenPiecesHtml(
  pieces: readonly string[],
  ids: readonly number[],
  options: TokenPiecesOptions = {},
): string {
  if (pieces.length !== ids.length) {
    throw new RangeError(`tokenPiecesHtml: ${pieces.length} pieces but ${ids.length} ids`);
  }
  if (options.segmentIds !== undefined && options.segmentIds.length !== pieces.length) {
    throw new RangeError(
      `tokenPiecesHtml: ${pieces.length} pieces but ${options.segmentIds.length} segment ids`,
    );
  }
  const special = new Set(options.specialTokens ?? ["[CLS]", "[SEP]", "<pad>", "[MASK]"]);
  const unk = options.unkToken ?? "<unk>";
  const pad = options.padToken ?? "<pad>";
  let end = pieces.length;
  if (options.collapsePadding ?? true) {
    while (end > 0 && pieces[end - 1] === pad) end--;
    // One lone pad stays a chip of its own.
    if (pieces.length - end === 1) end = pieces.length;
  }

  const chips: string[] = [];
  for (let i = 0; i < end; i++) {
    const piece = pieces[i] as string;
    const id = ids[i] as number;
    const isUnk = piece === unk;
    const isSpecial = special.has(piece);
    const background = isUnk ? "#fde0dd" : isSpecial ? "#eeeeee" : "#f5f9ff";
    const border = isUnk ? "#d6604d" : isSpecial ? "#bbbbbb" : "#c6dbef";
    const segment = options.segmentIds?.[i];
    const underline =
      segment !== undefined && segment > 0
        ? `;box-shadow:inset 0 -3px 0 ${SEGMENT_COLORS[(segment - 1) % SEGMENT_COLORS.length]}`
        : "";
    const tip = `position ${i} · piece ${JSON.stringify(piece)} · id ${id}${segment !== undefined ? ` · segment ${segment}` : ""}`;
    chips.push(
      `<span title="${escapeHtml(tip)}" style="display:inline-flex;flex-direction:column;align-items:center;margin:2px;` +
        `padding:1px 5px;border:1px solid ${border};border-radius:4px;background:${background}${underline}">` +
        `<span style="font-family:${MONO_STACK};white-space:pre;${isUnk ? "color:#b2182b;" : ""}">${pieceHtml(piece)}</span>` +
        `<span style="font-size:10px;color:#777">${id}</span></span>`,
    );
  }
  const padCount = pieces.length - end;
  if (padCount > 0) {
    const id = ids[end] as number;
    chips.push(
      `<span title="${escapeHtml(`positions ${end}–${pieces.length - 1} · padding · id ${id}`)}" style="display:inline-flex;flex-direction:column;align-items:center;margin:2px;` +
        `padding:1px 5px;border:1px dashed #bbbbbb;border-radius:4px;background:#fafafa">` +
        `<span style="font-family:${MONO_STACK};color:#888">${escapeHtml(pad)} ×${padCount}</span>` +
        `<span style="font-size:10px;color:#777">${id}</span></span>`,
    );
  }
  const text =
    options.text === undefined
      ? ""
      : `<div style="margin-bottom:4px"><q>${escapeHtml(options.text)}</q> · ${pieces.length} pieces</div>`;
  return box(
    "albert-tokens",
    `${text}<div style="display:flex;flex-wrap:wrap;align-items:flex-start">${chips.join("")}</div>`,
  );
}
