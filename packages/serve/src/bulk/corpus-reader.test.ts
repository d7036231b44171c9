import { writeFileSync } from "node:fs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { caught } from "@albert/test-utils";
import { ServeError } from "../errors.js";
import { corpusFormat, readCorpus, type CorpusRecord } from "./corpus-reader.js";

const dir = mkdtempSync(path.join(tmpdir(), "albert-corpus-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function read(name: string, content: string | Buffer, format = corpusFormat(name)): Promise<CorpusRecord[]> {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  const out: CorpusRecord[] = [];
  for await (const record of readCorpus(file, format)) out.push(record);
  return out;
}

describe("readCorpus", () => {
  it("plain text: one input per non-blank line, ids are positions, byte offsets for progress", async () => {
    const records = await read("a.txt", "\uFEFFfirst line\r\n\nsecond – line\nthird");
    expect(records.map((r) => [r.index, r.id, r.text])).toEqual([
      [0, 0, "first line"],
      [1, 1, "second – line"],
      [2, 2, "third"],
    ]);
    expect(records.at(-1)!.endByte).toBe(Buffer.byteLength("\uFEFFfirst line\r\n\nsecond – line\nthird"));
  });

  it("JSON lines: strings or objects with text and an optional id", async () => {
    const records = await read("b.jsonl", '"plain"\n{"text": "with id", "id": "doc-7"}\n\n{"text": "numbered", "id": 3}\n');
    expect(records.map((r) => [r.id, r.text])).toEqual([
      [0, "plain"],
      ["doc-7", "with id"],
      [3, "numbered"],
    ]);
  });

  it("CSV: a header naming the text and id columns, quoted fields with commas and newlines", async () => {
    const records = await read("c.csv", 'id,text,other\nx1,"hello, world",1\nx2,"two\nlines",2\n');
    expect(records.map((r) => [r.id, r.text])).toEqual([
      ["x1", "hello, world"],
      ["x2", "two\nlines"],
    ]);
  });

  it("names the line and what is wrong", async () => {
    const bad = await caught(() => read("d.jsonl", '"ok"\n{"txt": "typo"}\n'), ServeError);
    expect(bad.message).toMatch(/d\.jsonl line 2: expected a JSON string or an object with a string "text"/);
    expect((await caught(() => read("e.jsonl", "not json\n"), ServeError)).message).toMatch(/e\.jsonl line 1: not valid JSON/);
    expect((await caught(() => read("f.csv", "id,body\n1,x\n"), ServeError)).message).toMatch(/no column "text" in the header \(id, body\)/);
    expect((await caught(() => read("g.txt", Buffer.from([0x61, 0x0a, 0xff, 0x0a])), ServeError)).message).toMatch(/g\.txt line 2: not valid UTF-8/);
  });

  it("takes the format from the extension unless told, and refuses what it cannot tell", () => {
    expect(corpusFormat("x.CSV")).toBe("csv");
    expect(corpusFormat("x.ndjson")).toBe("jsonl");
    expect(corpusFormat("x.data", "txt")).toBe("txt");
    expect(() => corpusFormat("x.data")).toThrow(/name it \.txt, \.jsonl or \.csv/);
    expect(() => corpusFormat("x.txt", "xml")).toThrow(/"xml" is not one of txt, jsonl, csv/);
  });
});
