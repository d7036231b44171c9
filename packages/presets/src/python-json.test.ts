import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { testdataPath } from "@albert/test-utils";
import { PythonFloat, pythonFloatRepr, pythonJsonDumps } from "./python-json.js";

describe("pythonFloatRepr", () => {
  // Expected strings are Python 3's repr() of the same doubles.
  test.each([
    [0, "0.0"],
    [-0, "-0.0"],
    [1, "1.0"],
    [0.1, "0.1"],
    [1e-12, "1e-12"],
    [1e-5, "1e-05"],
    [0.0001, "0.0001"],
    [0.00012, "0.00012"],
    [123.456, "123.456"],
    [1e16, "1e+16"],
    [1.5e16, "1.5e+16"],
    [9999999999999998, "9999999999999998.0"],
    [2.5e-7, "2.5e-07"],
    [-3.25, "-3.25"],
    [1e100, "1e+100"],
  ])("%s → %s", (value, expected) => {
    expect(pythonFloatRepr(value)).toBe(expected);
  });
});

describe("pythonJsonDumps", () => {
  test("reproduces KerasHub's config.json byte for byte", () => {
    const text = readFileSync(testdataPath("keras", "tiny", "config.json"), "utf8");
    const parsed = JSON.parse(text) as { config: Record<string, unknown> };
    const value = { ...parsed, config: { ...parsed.config, dropout: new PythonFloat(0) } };
    expect(pythonJsonDumps(value as never)).toBe(text);
  });

  test("reproduces KerasHub's metadata.json byte for byte", () => {
    const text = readFileSync(testdataPath("keras", "tiny", "metadata.json"), "utf8");
    expect(pythonJsonDumps(JSON.parse(text) as never)).toBe(text);
  });

  test("escapes like ensure_ascii and writes empty containers inline", () => {
    expect(pythonJsonDumps({ s: 'é"\\\n\u0001\u007f😀', a: [], o: {}, n: null, t: true })).toBe(
      '{\n    "s": "\\u00e9\\"\\\\\\n\\u0001\\u007f\\ud83d\\ude00",\n    "a": [],\n    "o": {},\n    "n": null,\n    "t": true\n}',
    );
  });

  test("leaves out undefined entries", () => {
    expect(pythonJsonDumps({ a: 1, b: undefined })).toBe('{\n    "a": 1\n}');
  });
});
