import { describe, expect, it } from "vitest";
import { ALBERT_TINY } from "./cases.js";
import { parseArgs, resolveOptions } from "./options.js";

describe("options", () => {
  it("parses the command line, ignoring the `--` pnpm passes along", () => {
    const options = parseArgs([
      "--",
      "--quick",
      "--cases",
      "1x128,8x512",
      "--backends=tensorflow",
      "--no-peers",
      "--no-json",
    ]);
    expect(options).toMatchObject({
      quick: true,
      shapes: [
        { batch: 1, seq: 128 },
        { batch: 8, seq: 512 },
      ],
      backends: ["tensorflow"],
      peers: [],
      jsonPath: null,
    });
  });

  it("takes a number of forward rounds, whole and at least 1", () => {
    expect(parseArgs(["--rounds", "3"]).rounds).toBe(3);
    expect(resolveOptions({ model: ALBERT_TINY, shapes: [{ batch: 1, seq: 8 }] }).rounds).toBe(1);
    expect(() => resolveOptions(parseArgs(["--rounds", "0"]))).toThrow(
      /rounds must be a whole number >= 1/,
    );
    expect(() => resolveOptions(parseArgs(["--rounds", "two"]))).toThrow(
      /rounds must be a whole number >= 1/,
    );
  });

  it("takes 16-bit dtype policies to measure beside float32", () => {
    expect(parseArgs(["--dtype", "bfloat16,mixed_bfloat16"]).dtypes).toEqual([
      "bfloat16",
      "mixed_bfloat16",
    ]);
    expect(resolveOptions({ model: ALBERT_TINY, shapes: [{ batch: 1, seq: 8 }] }).dtypes).toEqual(
      [],
    );
    expect(() => resolveOptions(parseArgs(["--dtype", "int8"]))).toThrow(
      /Unknown dtype "int8"; allowed: bfloat16/,
    );
  });

  it("takes fine-tuning cases, 8x128 by default (cut to the model's positions), none with --no-fit", () => {
    expect(parseArgs(["--fit-cases", "8x128,4x64"]).fitShapes).toEqual([
      { batch: 8, seq: 128 },
      { batch: 4, seq: 64 },
    ]);
    expect(parseArgs(["--no-fit"]).fitShapes).toEqual([]);
    expect(resolveOptions().fitShapes).toEqual([{ batch: 8, seq: 128 }]);
    expect(
      resolveOptions({ model: ALBERT_TINY, shapes: [{ batch: 1, seq: 8 }] }).fitShapes,
    ).toEqual([{ batch: 8, seq: 32 }]);
    expect(() =>
      resolveOptions({
        model: ALBERT_TINY,
        shapes: [{ batch: 1, seq: 8 }],
        fitShapes: [{ batch: 8, seq: 64 }],
      }),
    ).toThrow(/Case 8x64 is longer than albert_tiny's 32 positions/);
  });

  it("rejects unknown flags, backends, peers and models", () => {
    expect(() => parseArgs(["--fast"])).toThrow(/Unknown option "--fast"/);
    expect(() => parseArgs(["--cases"])).toThrow(/--cases needs a value/);
    expect(() => resolveOptions({ backends: ["webgl"] })).toThrow(
      /Unknown backend "webgl"; allowed: tensorflow, wasm, cpu/,
    );
    expect(() => resolveOptions({ peers: ["jax" as never] })).toThrow(/Unknown peer/);
    expect(() => resolveOptions({ model: "albert_huge" })).toThrow(/Unknown model/);
    expect(() => resolveOptions({ model: ALBERT_TINY, shapes: [{ batch: 1, seq: 64 }] })).toThrow(
      /longer than/,
    );
  });

  it("defaults: all four cases and all backends; --quick: two cases, no cpu, one load process", () => {
    const full = resolveOptions();
    expect(full.shapes.map((s) => `${s.batch}x${s.seq}`)).toEqual([
      "1x128",
      "8x128",
      "32x128",
      "8x512",
    ]);
    expect(full.backends).toEqual(["tensorflow", "wasm", "cpu"]);
    expect(full.peers).toEqual(["onnxruntime", "torch", "keras-hub"]);
    expect(full.loadProcesses).toBe(5);
    const quick = resolveOptions({ quick: true });
    expect(quick.shapes.map((s) => `${s.batch}x${s.seq}`)).toEqual(["1x128", "8x128"]);
    expect(quick.backends).toEqual(["tensorflow", "wasm"]);
    expect(quick.loadProcesses).toBe(1);
  });
});
