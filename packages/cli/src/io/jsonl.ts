/**
 * The input format of `albert encode --input`: JSON lines, one input per line, so files of any
 * size stream through standard tools (`jq`, `split`, `head`) and a bad line can be named by its
 * number. Blank lines are skipped.
 *
 * Each line is one of:
 * - a JSON string: `"The quick brown fox."`
 * - an object with `text`: `{"text": "The quick brown fox.", "id": 7}`
 * - an object with `text_a` and `text_b`, a sentence pair (`[CLS] a [SEP] b [SEP]`):
 *   `{"text_a": "What is ALBERT?", "text_b": "A lite BERT."}`
 *
 * An `id` (string or number) is copied to the output line, so results can be joined back to
 * their inputs after filtering.
 */

/** One text to embed, or a sentence pair. */
export type EncodeInput =
  | { kind: "single"; text: string; id?: string | number }
  | { kind: "pair"; textA: string; textB: string; id?: string | number };

const FORMAT_HINT = 'Each line: "text", {"text": "..."} or {"text_a": "...", "text_b": "..."}.';

/** A line that is not a valid input; `line` is 1-based. `hint` says how to fix such lines. */
export class InputLineError extends Error {
  override readonly name = "InputLineError";
  constructor(
    readonly source: string,
    readonly line: number,
    detail: string,
    readonly hint: string = FORMAT_HINT,
  ) {
    super(`${source} line ${line}: ${detail}`);
  }
}

const EXPECTED = 'expected a JSON string, {"text": ...} or {"text_a": ..., "text_b": ...}';

function preview(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Parses one JSON line (not blank) into an input. */
export function parseJsonLine(text: string, source: string, line: number): EncodeInput {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InputLineError(
      source,
      line,
      `not valid JSON (${preview(text)}); ${EXPECTED}, or use --input-format text for plain text lines`,
    );
  }
  if (typeof value === "string") return { kind: "single", text: value };
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InputLineError(source, line, `${EXPECTED}, got ${preview(text)}`);
  }
  const record = value as Record<string, unknown>;
  const id = record["id"];
  if (id !== undefined && typeof id !== "string" && typeof id !== "number") {
    throw new InputLineError(
      source,
      line,
      `"id" must be a string or a number, got ${JSON.stringify(id)}`,
    );
  }
  const withId = id === undefined ? {} : { id };
  const str = (key: string): string | undefined => {
    const v = record[key];
    if (v === undefined) return undefined;
    if (typeof v !== "string") {
      throw new InputLineError(source, line, `"${key}" must be a string, got ${JSON.stringify(v)}`);
    }
    return v;
  };
  const single = str("text");
  const a = str("text_a");
  const b = str("text_b");
  if (single !== undefined && (a !== undefined || b !== undefined)) {
    throw new InputLineError(source, line, `give either "text" or "text_a"/"text_b", not both`);
  }
  if (single !== undefined) return { kind: "single", text: single, ...withId };
  if (a !== undefined && b !== undefined) return { kind: "pair", textA: a, textB: b, ...withId };
  if (a !== undefined || b !== undefined) {
    throw new InputLineError(source, line, `a pair needs both "text_a" and "text_b"`);
  }
  throw new InputLineError(source, line, `${EXPECTED}, got ${preview(text)}`);
}

export type InputFormat = "jsonl" | "text";

const utf8 = new TextDecoder("utf-8", { fatal: true });
const lenientUtf8 = new TextDecoder("utf-8");

/** The first line (1-based) that is not UTF-8 on its own, with its bytes. */
function firstInvalidLine(bytes: Uint8Array): { line: number; bytes: Uint8Array } | undefined {
  let start = 0;
  for (let line = 1; start <= bytes.length; line++) {
    const end = bytes.indexOf(0x0a, start);
    const lineBytes = bytes.subarray(start, end === -1 ? bytes.length : end);
    try {
      utf8.decode(lineBytes);
    } catch {
      return { line, bytes: lineBytes };
    }
    if (end === -1) return undefined;
    start = end + 1;
  }
  return undefined;
}

/**
 * The input's text, refusing bytes that are not UTF-8 (which would otherwise become U+FFFD
 * silently and be embedded as such) with the number of the line that holds them. A leading
 * byte order mark is dropped.
 */
export function decodeInput(bytes: Uint8Array, source: string): string {
  try {
    return utf8.decode(bytes);
  } catch (error) {
    // No UTF-8 sequence spans a newline byte, so the bad bytes are within one line.
    const bad = firstInvalidLine(bytes);
    if (bad === undefined) throw error;
    throw new InputLineError(
      source,
      bad.line,
      `not valid UTF-8 (\uFFFD below marks the bytes): ${preview(lenientUtf8.decode(bad.bytes))}`,
      "The input must be UTF-8 text: convert it first, e.g. `iconv -f latin1 -t utf-8`.",
    );
  }
}

/** Parses a whole input document: JSON lines, or one plain text per line. */
export function parseInputs(content: string, format: InputFormat, source: string): EncodeInput[] {
  const inputs: EncodeInput[] = [];
  const lines = content.split(/\r?\n/);
  lines.forEach((raw, i) => {
    if (raw.trim() === "") return;
    inputs.push(
      format === "text" ? { kind: "single", text: raw } : parseJsonLine(raw, source, i + 1),
    );
  });
  return inputs;
}
