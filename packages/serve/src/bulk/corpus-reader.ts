import { createReadStream } from "node:fs";
import path from "node:path";
import { parse } from "csv-parse";
import { ServeError, describeValue } from "../errors.js";

/** How a corpus file is laid out: one text per line, JSON lines, or CSV with a header row. */
export type CorpusFormat = "txt" | "jsonl" | "csv";

export const CORPUS_FORMATS: readonly CorpusFormat[] = ["txt", "jsonl", "csv"];

const EXTENSIONS: Record<string, CorpusFormat> = {
  ".txt": "txt",
  ".text": "txt",
  ".jsonl": "jsonl",
  ".ndjson": "jsonl",
  ".csv": "csv",
};

/** One input of a corpus. */
export interface CorpusRecord {
  /** 0-based position among the corpus' inputs (blank lines do not count). */
  index: number;
  /** The record's own `id` (JSON lines, CSV), else `index`. */
  id: string | number;
  text: string;
  /** Bytes of the file read up to the end of this record (for progress). */
  endByte: number;
}

export interface CorpusReadOptions {
  /** The field (JSON lines) or column (CSV) that holds the text (default `text`). */
  textField?: string;
  /** The field or column that holds an id (default `id`; optional in every record). */
  idField?: string;
}

/** The format `--input-format` gives, else the one the file's extension says. */
export function corpusFormat(file: string, given?: string): CorpusFormat {
  if (given !== undefined) {
    if (!(CORPUS_FORMATS as readonly string[]).includes(given)) {
      throw new ServeError("invalid_argument", `input format ${describeValue(given)} is not one of ${CORPUS_FORMATS.join(", ")}`);
    }
    return given as CorpusFormat;
  }
  const format = EXTENSIONS[path.extname(file).toLowerCase()];
  if (format === undefined) {
    throw new ServeError(
      "invalid_argument",
      `cannot tell the format of ${file} from its extension; name it .txt, .jsonl or .csv, or give the input format (txt, jsonl, csv)`,
    );
  }
  return format;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** A file's lines with their line numbers and the byte offset after each, decoded as strict UTF-8. */
async function* fileLines(file: string): AsyncGenerator<{ text: string; line: number; endByte: number }> {
  let carry = Buffer.alloc(0);
  let offset = 0;
  let line = 0;
  const decode = (bytes: Buffer): string => {
    try {
      return utf8.decode(bytes);
    } catch {
      throw new ServeError("invalid_input", `${file} line ${line}: not valid UTF-8; convert the file first, e.g. iconv -f latin1 -t utf-8`);
    }
  };
  for await (const chunk of createReadStream(file)) {
    let data = carry.length === 0 ? (chunk as Buffer) : Buffer.concat([carry, chunk as Buffer]);
    let start = 0;
    for (let end = data.indexOf(0x0a, start); end !== -1; end = data.indexOf(0x0a, start)) {
      line++;
      offset += end + 1 - start;
      const bytes = data.subarray(start, end > start && data[end - 1] === 0x0d ? end - 1 : end);
      yield { text: decode(line === 1 ? stripBom(bytes) : bytes), line, endByte: offset };
      start = end + 1;
    }
    data = data.subarray(start);
    carry = Buffer.from(data);
  }
  if (carry.length > 0) {
    line++;
    offset += carry.length;
    yield { text: decode(line === 1 ? stripBom(carry) : carry), line, endByte: offset };
  }
}

function stripBom(bytes: Buffer): Buffer {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
}

function idOf(value: unknown, where: string, field: string): string | number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "string" || typeof value === "number") return value;
  throw new ServeError("invalid_input", `${where}: "${field}" must be a string or a number, got ${describeValue(value)}`);
}

/**
 * Streams a corpus' inputs without holding the file in memory: plain text (each non-blank line
 * one text), JSON lines (a JSON string, or an object with the text field and an optional id)
 * or CSV (a header row naming the text column and an optional id column). A record that is
 * not an input fails with `invalid_input` naming its line.
 */
export async function* readCorpus(file: string, format: CorpusFormat, options: CorpusReadOptions = {}): AsyncGenerator<CorpusRecord> {
  const textField = options.textField ?? "text";
  const idField = options.idField ?? "id";
  let index = 0;
  try {
    if (format === "csv") {
      const parser = createReadStream(file).pipe(parse({ bom: true, columns: true, skip_empty_lines: true, info: true, relax_column_count: false }));
      for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { bytes: number; lines: number } }>) {
        const where = `${file} line ${info.lines}`;
        const text = record[textField];
        if (text === undefined) {
          throw new ServeError("invalid_input", `${file}: no column "${textField}" in the header (${Object.keys(record).join(", ")}); name the text column`);
        }
        yield { index, id: idOf(record[idField], where, idField) ?? index, text, endByte: info.bytes };
        index++;
      }
      return;
    }
    for await (const { text: raw, line, endByte } of fileLines(file)) {
      if (raw.trim() === "") continue;
      if (format === "txt") {
        yield { index, id: index, text: raw, endByte };
        index++;
        continue;
      }
      const where = `${file} line ${line}`;
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch {
        throw new ServeError("invalid_input", `${where}: not valid JSON; each line must be a JSON string or an object with "${textField}" (or read the file as txt)`);
      }
      if (typeof value === "string") {
        yield { index, id: index, text: value, endByte };
      } else if (typeof value === "object" && value !== null && !Array.isArray(value) && typeof (value as Record<string, unknown>)[textField] === "string") {
        const record = value as Record<string, unknown>;
        yield { index, id: idOf(record[idField], where, idField) ?? index, text: record[textField] as string, endByte };
      } else {
        throw new ServeError("invalid_input", `${where}: expected a JSON string or an object with a string "${textField}", got ${describeValue(value)}`);
      }
      index++;
    }
  } catch (error) {
    if (error instanceof ServeError) throw error;
    const e = error as NodeJS.ErrnoException;
    if (e.code === "ENOENT") throw new ServeError("invalid_input", `${file}: no such file`, { cause: error });
    if (typeof e.code === "string" && e.code.startsWith("CSV_")) throw new ServeError("invalid_input", `${file}: not valid CSV: ${e.message}`, { cause: error });
    throw error;
  }
}
