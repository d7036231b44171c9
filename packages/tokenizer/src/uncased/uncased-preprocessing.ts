import { isCombiningMark, isPythonDigit, isPythonWhitespace } from "./python-unicode.js";
import { COMBINING_MARK_RANGES, PYTHON_WHITESPACE_RANGES } from "./unicode-tables.js";

/** A regular-expression character class for inclusive [first, last] code point pairs. */
function characterClass(ranges: readonly number[]): string {
  const hex = (cp: number) => `\\u{${cp.toString(16)}}`;
  let out = "";
  for (let i = 0; i < ranges.length; i += 2) {
    out +=
      ranges[i] === ranges[i + 1] ? hex(ranges[i]!) : `${hex(ranges[i]!)}-${hex(ranges[i + 1]!)}`;
  }
  return `[${out}]`;
}

const PYTHON_WHITESPACE_RUN = new RegExp(`${characterClass(PYTHON_WHITESPACE_RANGES)}+`, "gu");
const COMBINING_MARK = new RegExp(characterClass(COMBINING_MARK_RANGES), "gu");
// eslint-disable-next-line no-control-regex
const ASCII_ONLY = /^[\u0000-\u007f]*$/;

/**
 * `preprocessUncased(text).text` without the alignment, using native string operations
 * (what `tokenize` needs; `tokenizeWithOffsets` needs the alignment).
 */
export function preprocessUncasedText(text: string): string {
  let out = text.replace(PYTHON_WHITESPACE_RUN, " ");
  if (out.startsWith(" ")) out = out.slice(1);
  if (out.endsWith(" ")) out = out.slice(0, -1);
  if (out.includes("``")) out = out.replaceAll("``", '"');
  if (out.includes("''")) out = out.replaceAll("''", '"');
  if (!ASCII_ONLY.test(out)) out = out.normalize("NFKD").replace(COMBINING_MARK, "");
  return out.toLowerCase();
}

/**
 * Text with, for each UTF-16 unit, the span `[origStart[i], origEnd[i])` of the original text
 * it came from (UTF-16 indices).
 */
export interface AlignedText {
  text: string;
  origStart: Int32Array;
  origEnd: Int32Array;
}

/** Builds an `AlignedText` one output character at a time. */
class AlignedTextBuilder {
  private parts: string[] = [];
  private starts: number[] = [];
  private ends: number[] = [];

  /** Appends `chars` (any number of UTF-16 units), all mapped to `[start, end)`. */
  add(chars: string, start: number, end: number): void {
    this.parts.push(chars);
    for (let k = 0; k < chars.length; k++) {
      this.starts.push(start);
      this.ends.push(end);
    }
  }

  build(): AlignedText {
    return {
      text: this.parts.join(""),
      origStart: Int32Array.from(this.starts),
      origEnd: Int32Array.from(this.ends),
    };
  }
}

function identity(text: string): AlignedText {
  const origStart = new Int32Array(text.length);
  const origEnd = new Int32Array(text.length);
  for (let i = 0; i < text.length; i++) {
    origStart[i] = i;
    origEnd[i] = i + 1;
  }
  return { text, origStart, origEnd };
}

/** Code point at `i` and its UTF-16 length. */
function codePointAt(text: string, i: number): [number, number] {
  const cp = text.codePointAt(i)!;
  return [cp, cp > 0xffff ? 2 : 1];
}

/** `" ".join(text.strip().split())` with Python's notion of whitespace. */
function collapseWhitespace(input: AlignedText): AlignedText {
  const { text, origStart, origEnd } = input;
  const out = new AlignedTextBuilder();
  let i = 0;
  let pendingSpace: [number, number] | undefined;
  let wroteWord = false;
  while (i < text.length) {
    const [cp, units] = codePointAt(text, i);
    if (isPythonWhitespace(cp)) {
      if (wroteWord) {
        if (pendingSpace === undefined) pendingSpace = [origStart[i]!, origEnd[i]!];
        else pendingSpace[1] = origEnd[i]!;
      }
    } else {
      if (pendingSpace !== undefined) {
        out.add(" ", pendingSpace[0], pendingSpace[1]);
        pendingSpace = undefined;
      }
      out.add(text.slice(i, i + units), origStart[i]!, origEnd[i + units - 1]!);
      wroteWord = true;
    }
    i += units;
  }
  return out.build();
}

/** `text.replace("``", '"').replace("''", '"')` (the two never interact, so one pass). */
function replaceDoubleQuotes(input: AlignedText): AlignedText {
  const { text, origStart, origEnd } = input;
  if (!text.includes("``") && !text.includes("''")) return input;
  const out = new AlignedTextBuilder();
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if ((c === "`" || c === "'") && text[i + 1] === c) {
      out.add('"', origStart[i]!, origEnd[i + 1]!);
      i++;
    } else {
      out.add(c, origStart[i]!, origEnd[i]!);
    }
  }
  return out.build();
}

/** NFKD, then drop every character whose canonical combining class is not 0. */
function stripAccents(input: AlignedText): AlignedText {
  const { text, origStart, origEnd } = input;
  const out = new AlignedTextBuilder();
  let i = 0;
  while (i < text.length) {
    const [cp, units] = codePointAt(text, i);
    const start = origStart[i]!;
    const end = origEnd[i + units - 1]!;
    if (cp < 0x80) {
      out.add(text[i]!, start, end);
    } else {
      // NFKD of a string is the concatenation of each character's full decomposition, then
      // a reordering of combining marks only; dropping those marks makes the order moot.
      const decomposed = String.fromCodePoint(cp).normalize("NFKD");
      for (const ch of decomposed) {
        if (!isCombiningMark(ch.codePointAt(0)!)) out.add(ch, start, end);
      }
    }
    i += units;
  }
  return out.build();
}

/** Python's `str.lower()` (full case mapping, final sigma), keeping the alignment. */
function lowercase(input: AlignedText): AlignedText {
  const { text, origStart, origEnd } = input;
  const lowered = text.toLowerCase();
  if (lowered.length === text.length) return { text: lowered, origStart, origEnd };
  const out = new AlignedTextBuilder();
  let i = 0;
  while (i < text.length) {
    const [, units] = codePointAt(text, i);
    out.add(text.slice(i, i + units).toLowerCase(), origStart[i]!, origEnd[i + units - 1]!);
    i += units;
  }
  return out.build();
}

/**
 * ALBERT's uncased text preprocessing, as HF transformers v4's `AlbertTokenizer.preprocess_text`
 * with the albert-*-v2 settings (`remove_space`, `keep_accents=False`, `do_lower_case`):
 * collapse whitespace, turn ``` `` ``` and `''` into `"`, NFKD and drop combining marks,
 * lowercase. The result keeps, for each UTF-16 unit, the span of `text` it came from.
 */
export function preprocessUncased(text: string): AlignedText {
  return lowercase(stripAccents(replaceDoubleQuotes(collapseWhitespace(identity(text)))));
}

/**
 * Whether HF's AlbertTokenizer re-splits `piece`: more than one character, ending in a comma
 * right after a digit (`"▁9,"` becomes `"▁9", ","`).
 */
export function endsWithDigitComma(piece: string): boolean {
  if (piece.length < 2 || piece[piece.length - 1] !== ",") return false;
  const before = piece.codePointAt(piece.length - 2)!;
  // A low surrogate there belongs to an astral character: look at the whole code point.
  const cp =
    before >= 0xdc00 && before <= 0xdfff && piece.length >= 3
      ? piece.codePointAt(piece.length - 3)!
      : before;
  return isPythonDigit(cp);
}
