import { describe, expect, it } from "vitest";
import { float32ArrayJson, formatFloat32, toJson } from "./float32.js";
import { decodeInput, InputLineError, parseInputs, parseJsonLine } from "./jsonl.js";

describe("formatFloat32", () => {
  it("prints the shortest decimal that reads back to the same float32", () => {
    expect(formatFloat32(Math.fround(0.1))).toBe("0.1");
    expect(formatFloat32(Math.fround(-1 / 3))).toBe("-0.33333334");
    expect(formatFloat32(1)).toBe("1");
    expect(formatFloat32(0)).toBe("0");
    expect(formatFloat32(Math.fround(1e-8))).toBe("1e-8");
    expect(formatFloat32(NaN)).toBe("null");
  });

  it("round-trips every value of a random vector bit for bit", () => {
    const values = new Float32Array(2000).map(
      () => (Math.random() - 0.5) * 10 ** (Math.random() * 12 - 6),
    );
    const back = new Float32Array(JSON.parse(float32ArrayJson(values)) as number[]);
    expect(new Uint32Array(back.buffer)).toEqual(new Uint32Array(values.buffer));
  });

  it("toJson leaves out undefined fields and formats Float32Arrays inside objects", () => {
    expect(
      toJson({ a: 1, b: undefined, v: new Float32Array([0.5, 0.25]), s: [new Float32Array([1])] }),
    ).toBe('{"a":1,"v":[0.5,0.25],"s":[[1]]}');
  });
});

describe("JSON lines input", () => {
  it("accepts strings, {text}, {text_a, text_b} and ids; skips blank lines", () => {
    expect(
      parseInputs(
        '"a"\n\n{"text":"b","id":1}\r\n{"text_a":"c","text_b":"d","id":"x"}\n',
        "jsonl",
        "in",
      ),
    ).toEqual([
      { kind: "single", text: "a" },
      { kind: "single", text: "b", id: 1 },
      { kind: "pair", textA: "c", textB: "d", id: "x" },
    ]);
  });

  it("reads plain text lines as they are with the text format", () => {
    expect(parseInputs('{"not": "json here"}\nplain\n', "text", "in")).toEqual([
      { kind: "single", text: '{"not": "json here"}' },
      { kind: "single", text: "plain" },
    ]);
  });

  it.each([
    ["[1, 2]", /expected a JSON string/],
    ['{"text_a": "only a"}', /needs both "text_a" and "text_b"/],
    ['{"text": "x", "text_b": "y"}', /either "text" or "text_a"\/"text_b"/],
    ['{"text": "x", "id": [1]}', /"id" must be a string or a number/],
    ["{oops", /not valid JSON/],
  ])("refuses %s, naming the line", (line, message) => {
    expect(() => parseJsonLine(line, "data.jsonl", 7)).toThrow(InputLineError);
    expect(() => parseJsonLine(line, "data.jsonl", 7)).toThrow(/^data\.jsonl line 7: /);
    expect(() => parseJsonLine(line, "data.jsonl", 7)).toThrow(message);
  });
});

describe("decodeInput", () => {
  const bytes = (...parts: (string | number[])[]) =>
    Buffer.concat(
      parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.from(p))),
    );

  it("decodes UTF-8, dropping a leading byte order mark", () => {
    expect(decodeInput(bytes([0xef, 0xbb, 0xbf], '"café"\r\n"ü"'), "in")).toBe('"café"\r\n"ü"');
  });

  it.each([
    ["a Latin-1 byte", bytes("a\nb\r\nc", [0xe9], "d\n"), 3],
    ["a UTF-8 sequence cut short at the end", bytes("ok\n", [0xe2, 0x82]), 2],
    ["a lone continuation byte on the first line", bytes([0x80], "x\ny"), 1],
    ["an encoded surrogate (CESU-8)", bytes("a\n", [0xed, 0xa0, 0x80]), 2],
  ])("refuses %s, naming its line", (_name, input, line) => {
    expect(() => decodeInput(input, "data.txt")).toThrow(InputLineError);
    expect(() => decodeInput(input, "data.txt")).toThrow(
      new RegExp(
        `^data\\.txt line ${line}: not valid UTF-8 \\(\uFFFD below marks the bytes\\): .*\uFFFD`,
      ),
    );
  });
});
