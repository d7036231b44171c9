import { describe, expect, test } from "vitest";
import { decodeHalf, encodeHalf, roundScalarToHalf, roundToHalf } from "./half-precision.js";

const every16BitPattern = Uint16Array.from({ length: 65536 }, (_, i) => i);
const isNaN16 = (bits: number, dtype: "float16" | "bfloat16") =>
  dtype === "float16"
    ? (bits & 0x7c00) === 0x7c00 && (bits & 0x3ff) !== 0
    : (bits & 0x7f80) === 0x7f80 && (bits & 0x7f) !== 0;

describe("encodeHalf / decodeHalf", () => {
  test.each(["float16", "bfloat16"] as const)(
    "%s: every pattern widens exactly and narrows back to itself",
    (dtype) => {
      const values = decodeHalf(every16BitPattern, dtype);
      const back = encodeHalf(values, dtype);
      const wrong: number[] = [];
      for (let bits = 0; bits < 65536; bits++) {
        const ok = isNaN16(bits, dtype) ? Number.isNaN(values[bits]) : back[bits] === bits;
        if (!ok) wrong.push(bits);
      }
      expect(wrong).toEqual([]);
    },
  );

  test("rounds to nearest, ties to even, with float16's subnormals and overflow", () => {
    const f32 = (v: number) => Math.fround(v);
    expect(
      Array.from(
        roundToHalf(
          Float32Array.of(
            1 + 2 ** -11,
            1 + 3 * 2 ** -11,
            65519,
            65520,
            2 ** -25,
            3 * 2 ** -26,
            -1e-9,
          ),
          "float16",
        ),
      ),
    ).toEqual([
      1, // a tie, to the even 1.0
      f32(1 + 2 ** -9), // a tie, to the even 1 + 2^-9
      65504, // below the midpoint to infinity
      Infinity,
      0, // half the smallest subnormal: a tie, to the even 0
      2 ** -24, // above the tie: the smallest subnormal
      -0,
    ]);
    expect(
      Array.from(
        roundToHalf(Float32Array.of(1 + 2 ** -8, 1 + 3 * 2 ** -8, 3.4e38, -0.1), "bfloat16"),
      ),
    ).toEqual([1, f32(1 + 2 ** -6), Infinity, -0.10009765625]);
    expect(roundScalarToHalf(Math.sqrt(2 / Math.PI), "bfloat16")).toBe(0.796875);
  });
});
