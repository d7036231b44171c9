import { describe, expect, it } from "vitest";
import { TokenizerError } from "../errors.js";
import { packageTestdataPath, readJson } from "../test-utils/fixtures.js";
import { PythonRandom } from "./python-random.js";

interface Draw {
  op: "random" | "randint" | "shuffle";
  args: number[];
  value: number | number[];
}

// testdata/python-random.json: CPython's own draws (scripts/make_python_random_cases.py).
const reference = readJson<{ python: string; cases: Array<{ seed: number; draws: Draw[] }> }>(
  packageTestdataPath("python-random.json"),
);

describe(`PythonRandom equals CPython ${reference.python}'s random module`, () => {
  it.each(reference.cases.map((c) => [c.seed, c] as const))("seed %s", (_, { seed, draws }) => {
    const rng = new PythonRandom(seed);
    for (const draw of draws) {
      if (draw.op === "random") expect(rng.random()).toBe(draw.value);
      else if (draw.op === "randint") {
        expect(rng.randint(draw.args[0]!, draw.args[1]!)).toBe(draw.value);
      } else {
        const items = Array.from({ length: draw.args[0]! }, (_, i) => i);
        rng.shuffle(items);
        expect(items).toEqual(draw.value);
      }
    }
  });

  it("without a seed, two generators draw differently", () => {
    expect(new PythonRandom().random()).not.toBe(new PythonRandom().random());
  });

  it.each([1.5, Number.MAX_SAFE_INTEGER + 1, "7", Number.NaN])("refuses the seed %s", (seed) => {
    expect(() => new PythonRandom(seed as number)).toThrow(TokenizerError);
    expect(() => new PythonRandom(seed as number)).toThrow(/seed must be a safe integer/);
  });
});
