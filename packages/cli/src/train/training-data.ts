/**
 * The input of `albert train`: labelled examples from a CSV, TSV or JSON lines file, each a text
 * (or a sentence pair) and a label given by name. Every problem is reported with the file and
 * the line it is on, before any model loads.
 *
 * CSV and TSV files start with a header row naming the columns; JSON lines are objects keyed
 * by the same names. The names default to `text`, `text_pair` (optional) and `label`.
 */
import { CsvError } from "csv-parse";
import { parse } from "csv-parse/sync";
import { decodeInput, InputLineError } from "../io/jsonl.js";

export type DataFormat = "csv" | "tsv" | "jsonl";

export const DATA_FORMATS: readonly DataFormat[] = ["csv", "tsv", "jsonl"];

/** Which column (CSV/TSV) or key (JSON lines) holds what. */
export interface DataColumns {
  text: string;
  /** The second segment of a sentence pair; optional unless `textPairRequired`. */
  textPair: string;
  /** True when the user named the pair column: a file without it is then an error. */
  textPairRequired: boolean;
  label: string;
}

export const DEFAULT_COLUMNS: DataColumns = {
  text: "text",
  textPair: "text_pair",
  textPairRequired: false,
  label: "label",
};

/** One labelled example; `line` (1-based) is where it starts in its file. */
export interface Example {
  text: string;
  textPair?: string;
  label: string;
  line: number;
}

/** A whole data file: its examples, and whether they are sentence pairs. */
export interface Dataset {
  source: string;
  examples: Example[];
  pairs: boolean;
}

const FORMAT_BY_EXTENSION: Record<string, DataFormat> = {
  ".csv": "csv",
  ".tsv": "tsv",
  ".tab": "tsv",
  ".jsonl": "jsonl",
  ".ndjson": "jsonl",
};

/** The format a file name implies (`.csv`, `.tsv`, `.jsonl`, `.ndjson`), if any. */
export function formatFromName(file: string): DataFormat | undefined {
  const match = /\.[^./\\]+$/.exec(file.toLowerCase());
  return match ? FORMAT_BY_EXTENSION[match[0]] : undefined;
}

function preview(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

// === One example from its fields ===

/**
 * Builds an example from a row's fields (`undefined`: the column or key is absent), checking
 * that the text and the label are there. Labels are trimmed: spaces around a class name are
 * never part of it.
 */
function example(
  source: string,
  line: number,
  columns: DataColumns,
  pairs: boolean,
  fields: { text: unknown; textPair: unknown; label: unknown },
): Example {
  const fail = (detail: string, hint?: string): never => {
    throw new InputLineError(source, line, detail, hint);
  };
  const text = fields.text;
  if (text === undefined || text === null) fail(`no "${columns.text}": every example needs a text`);
  if (typeof text !== "string")
    fail(`"${columns.text}" must be a string, got ${JSON.stringify(text)}`);
  if ((text as string).trim() === "") fail(`the text ("${columns.text}") is empty`);
  const rawLabel = fields.label;
  if (
    rawLabel === undefined ||
    rawLabel === null ||
    (typeof rawLabel === "string" && rawLabel.trim() === "")
  ) {
    fail(
      `the label ("${columns.label}") is missing`,
      "Every training example needs a label; remove the line or label it.",
    );
  }
  if (
    typeof rawLabel !== "string" &&
    !(typeof rawLabel === "number" && Number.isFinite(rawLabel))
  ) {
    fail(`"${columns.label}" must be a string or a number, got ${JSON.stringify(rawLabel)}`);
  }
  const result: Example = { text: text as string, label: String(rawLabel).trim(), line };
  if (pairs) {
    const pair = fields.textPair;
    if (pair === undefined || pair === null) {
      fail(
        `no "${columns.textPair}", but other examples are sentence pairs: give every example a pair, or none`,
      );
    }
    if (typeof pair !== "string")
      fail(`"${columns.textPair}" must be a string, got ${JSON.stringify(pair)}`);
    if ((pair as string).trim() === "") fail(`the second text ("${columns.textPair}") is empty`);
    result.textPair = pair as string;
  }
  return result;
}

// === CSV and TSV ===

/** The line a CSV record starts on: csv-parse counts to its end, and `raw` holds the blank
 * lines before it and its own line breaks. */
function startLine(endLine: number, raw: string): number {
  const body = raw.replace(/^(\r?\n)+/, "").replace(/\r?\n$/, "");
  return endLine - (body.match(/\n/g)?.length ?? 0);
}

function parseDelimited(
  content: string,
  format: "csv" | "tsv",
  source: string,
  columns: DataColumns,
): Dataset {
  let rows: { record: string[]; info: { lines: number }; raw: string }[];
  try {
    rows = parse(content, {
      delimiter: format === "tsv" ? "\t" : ",",
      info: true,
      raw: true,
      skip_empty_lines: true,
      // A TSV cell is taken as it is: quotes there are text.
      quote: format === "tsv" ? false : '"',
    }) as unknown as typeof rows;
  } catch (error) {
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines ?? 0;
      throw new InputLineError(
        source,
        line,
        `not valid ${format.toUpperCase()}: ${error.message.replace(/ (at|on) line \d+\.?$/, "")}`,
        format === "csv"
          ? 'A CSV file has a header row and one example per row, all with as many cells as the header; quote cells that hold commas, quotes or line breaks ("...", with "" for a quote).'
          : "A TSV file has a header row and one example per row, all with as many tab-separated cells as the header.",
      );
    }
    throw error;
  }
  const [header, ...records] = rows;
  if (header === undefined) return { source, examples: [], pairs: false };
  const names = header.record.map((name) => name.trim());
  const index = (name: string) => names.indexOf(name);
  const missing = [columns.text, columns.label].filter((name) => index(name) === -1);
  if (columns.textPairRequired && index(columns.textPair) === -1) missing.push(columns.textPair);
  if (missing.length > 0) {
    throw new InputLineError(
      source,
      startLine(header.info.lines, header.raw),
      `the header row has no column ${missing.map((m) => JSON.stringify(m)).join(" or ")} (it has ${names.map((n) => JSON.stringify(preview(n))).join(", ")})`,
      "Name the columns in the header row (text, label, and text_pair for sentence pairs), or say which columns to use with --text-column, --label-column and --text-pair-column.",
    );
  }
  const pairs = index(columns.textPair) !== -1;
  const cell = (record: string[], name: string) =>
    index(name) === -1 ? undefined : record[index(name)];
  const examples = records.map(({ record, info, raw }) =>
    example(source, startLine(info.lines, raw), columns, pairs, {
      text: cell(record, columns.text),
      textPair: cell(record, columns.textPair),
      label: cell(record, columns.label),
    }),
  );
  return { source, examples, pairs };
}

// === JSON lines ===

function parseJsonLines(content: string, source: string, columns: DataColumns): Dataset {
  const records: { line: number; record: Record<string, unknown> }[] = [];
  content.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new InputLineError(
        source,
        i + 1,
        `not valid JSON (${preview(raw)})`,
        jsonHint(columns),
      );
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new InputLineError(
        source,
        i + 1,
        `expected a JSON object, got ${preview(raw)}`,
        jsonHint(columns),
      );
    }
    records.push({ line: i + 1, record: value as Record<string, unknown> });
  });
  const pairs =
    columns.textPairRequired ||
    records.some(({ record }) => record[columns.textPair] !== undefined);
  const examples = records.map(({ line, record }) =>
    example(source, line, columns, pairs, {
      text: record[columns.text],
      textPair: record[columns.textPair],
      label: record[columns.label],
    }),
  );
  return { source, examples, pairs };
}

function jsonHint(columns: DataColumns): string {
  return `Each line: {"${columns.text}": "...", "${columns.label}": "..."}, with "${columns.textPair}" for sentence pairs.`;
}

// === Whole files ===

/**
 * Parses a data file's bytes: UTF-8 (a leading byte order mark is dropped), then CSV, TSV or
 * JSON lines. Blank lines are skipped. Throws `InputLineError` naming the line of the first
 * problem.
 *
 * @example
 * ```ts
 * parseDataset(Buffer.from("text,label\nGreat film,positive\n"), "csv", "train.csv", DEFAULT_COLUMNS);
 * // { source: "train.csv", pairs: false, examples: [{ text: "Great film", label: "positive", line: 2 }] }
 * ```
 */
export function parseDataset(
  bytes: Uint8Array,
  format: DataFormat,
  source: string,
  columns: DataColumns,
): Dataset {
  const content = decodeInput(bytes, source);
  return format === "jsonl"
    ? parseJsonLines(content, source, columns)
    : parseDelimited(content, format, source, columns);
}
