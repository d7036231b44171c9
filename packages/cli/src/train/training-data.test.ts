import { describe, expect, it } from "vitest";
import { InputLineError } from "../io/jsonl.js";
import {
  DEFAULT_COLUMNS,
  formatFromName,
  parseDataset,
  type DataColumns,
  type Dataset,
} from "./training-data.js";

const bytes = (text: string) => Buffer.from(text, "utf8");

function parse(
  text: string,
  format: "csv" | "tsv" | "jsonl",
  columns: DataColumns = DEFAULT_COLUMNS,
): Dataset {
  return parseDataset(bytes(text), format, "data", columns);
}

/** The error a parse throws: its message and hint. */
function parseError(
  text: string,
  format: "csv" | "tsv" | "jsonl",
  columns: DataColumns = DEFAULT_COLUMNS,
) {
  try {
    parse(text, format, columns);
  } catch (error) {
    expect(error).toBeInstanceOf(InputLineError);
    return { message: (error as InputLineError).message, hint: (error as InputLineError).hint };
  }
  throw new Error("expected an InputLineError");
}

describe("training data: CSV and TSV", () => {
  it("reads a header row and one example per row, with the line each starts on", () => {
    const data = parse(
      'text,label\n"A gripping, ""funny"" film.",positive\n\n"two\nlines", negative \nplain,3\n',
      "csv",
    );
    expect(data.pairs).toBe(false);
    expect(data.examples).toEqual([
      { text: 'A gripping, "funny" film.', label: "positive", line: 2 },
      { text: "two\nlines", label: "negative", line: 4 },
      { text: "plain", label: "3", line: 6 },
    ]);
  });

  it("reads Windows line endings", () => {
    expect(parse("text,label\r\na,x\r\n\r\nb,y\r\n", "csv").examples).toEqual([
      { text: "a", label: "x", line: 2 },
      { text: "b", label: "y", line: 4 },
    ]);
  });

  it("finds the columns by name in any order, with a text_pair column for sentence pairs", () => {
    const data = parse("label,text_pair,id,text\nyes,A lite BERT.,7,What is ALBERT?\n", "csv");
    expect(data.pairs).toBe(true);
    expect(data.examples).toEqual([
      { text: "What is ALBERT?", textPair: "A lite BERT.", label: "yes", line: 2 },
    ]);
  });

  it("takes other column names", () => {
    const columns = { text: "review", textPair: "b", textPairRequired: true, label: "sentiment" };
    expect(parse("review\tb\tsentiment\nok\tfine\tpos\n", "tsv", columns).examples).toEqual([
      { text: "ok", textPair: "fine", label: "pos", line: 2 },
    ]);
    expect(parseError("review,sentiment\nok,pos\n", "csv", columns).message).toMatch(
      /no column "b"/,
    );
  });

  it("keeps quotes in TSV cells as text", () => {
    expect(parse('text\tlabel\nsay "hi"\tx\n', "tsv").examples[0]!.text).toBe('say "hi"');
  });

  it("a header row and nothing else: no examples", () => {
    expect(parse("text,label\n", "csv").examples).toEqual([]);
    expect(parse("", "csv").examples).toEqual([]);
  });

  it("names the line of a missing label, an empty text, a short row, an open quote", () => {
    expect(parseError("text,label\ngood,pos\nbad,\n", "csv")).toEqual({
      message: 'data line 3: the label ("label") is missing',
      hint: "Every training example needs a label; remove the line or label it.",
    });
    expect(parseError("text,label\n ,pos\n", "csv").message).toBe(
      'data line 2: the text ("text") is empty',
    );
    expect(parseError("text,label\ngood,pos\nbad\n", "csv").message).toMatch(
      /^data line 3: not valid CSV: Invalid Record Length/,
    );
    expect(parseError('text,label\n"good,pos\n', "csv").message).toMatch(
      /^data line \d: not valid CSV: Quote Not Closed/,
    );
  });

  it("a header without the columns says which it has and how to choose others", () => {
    const e = parseError("sentence,y\nx,1\n", "csv");
    expect(e.message).toBe(
      'data line 1: the header row has no column "text" or "label" (it has "sentence", "y")',
    );
    expect(e.hint).toContain("--text-column");
  });

  it("refuses bytes that are not UTF-8, naming the line", () => {
    expect(() =>
      parseDataset(
        Buffer.from([...bytes("text,label\n"), 0xe9, 0x2c, 0x61, 0x0a]),
        "csv",
        "data",
        DEFAULT_COLUMNS,
      ),
    ).toThrow(/data line 2: not valid UTF-8/);
  });
});

describe("training data: JSON lines", () => {
  it("reads objects keyed by the column names; numbers are labels too; blank lines skipped", () => {
    const data = parse(
      '{"text": "a", "label": "x"}\n\n{"text": "b", "label": 1, "id": 3}\n',
      "jsonl",
    );
    expect(data.examples).toEqual([
      { text: "a", label: "x", line: 1 },
      { text: "b", label: "1", line: 3 },
    ]);
  });

  it("sentence pairs: every line needs its pair once one has it", () => {
    expect(parse('{"text": "q", "text_pair": "c", "label": "y"}\n', "jsonl").pairs).toBe(true);
    expect(
      parseError(
        '{"text": "q", "text_pair": "c", "label": "y"}\n{"text": "q", "label": "n"}\n',
        "jsonl",
      ).message,
    ).toBe(
      'data line 2: no "text_pair", but other examples are sentence pairs: give every example a pair, or none',
    );
  });

  it("names the line of bad JSON, a non-object, a missing label or a label of another type", () => {
    expect(parseError('{"text": "a", "label": "x"}\n{"text": \n', "jsonl").message).toMatch(
      /^data line 2: not valid JSON/,
    );
    expect(parseError('"just text"\n', "jsonl").message).toMatch(
      /^data line 1: expected a JSON object/,
    );
    expect(parseError('{"text": "a"}\n', "jsonl").message).toBe(
      'data line 1: the label ("label") is missing',
    );
    expect(parseError('{"text": "a", "label": [1]}\n', "jsonl").message).toBe(
      'data line 1: "label" must be a string or a number, got [1]',
    );
    expect(parseError('{"label": "x"}\n', "jsonl").message).toBe(
      'data line 1: no "text": every example needs a text',
    );
  });
});

describe("training data: formats from file names", () => {
  it.each([
    ["train.csv", "csv"],
    ["dir/Train.TSV", "tsv"],
    ["a.jsonl", "jsonl"],
    ["a.ndjson", "jsonl"],
    ["a.txt", undefined],
    ["csv", undefined],
  ])("%s -> %s", (name, format) => expect(formatFromName(name)).toBe(format));
});
