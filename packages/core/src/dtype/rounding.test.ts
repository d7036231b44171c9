import { describe, expect, it } from "vitest";
import { roundToHalf } from "@albert/presets";
// TF.js registers gradients only on request.
import "@tensorflow/tfjs-core/dist/register_all_gradients.js";
import { tf } from "../index.js";
import { expectNoLeaks } from "../test-utils/index.js";
import { Precision, roundTensor } from "./rounding.js";

/** Every tie and its neighbours for each 16-bit upper half, plus random floats. */
function hardCases(dtype: "bfloat16" | "float16"): Float32Array {
  const words: number[] = [];
  const drop = dtype === "bfloat16" ? 16 : 13;
  const half = 1 << (drop - 1);
  for (let high = 0; high < 65536; high += 7) {
    const base = (high << 16) >>> 0;
    for (const low of [0, 1, half - 1, half, half + 1, (1 << drop) - 1, half + (1 << drop)]) words.push((base + low) >>> 0);
  }
  let seed = 12345;
  for (let i = 0; i < 200_000; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    words.push(seed);
  }
  const values = new Float32Array(new Uint32Array(words).buffer);
  // bfloat16: the split's domain (finite, normal, |x| < 5e33); float16: all finite values.
  return values.filter((v) => Number.isFinite(v) && (dtype === "float16" || (Math.abs(v) < 5e33 && Math.abs(v) > 1.2e-38)));
}

describe("roundTensor", () => {
  it.each(["bfloat16", "float16"] as const)("rounds to nearest even %s exactly as a bit-level cast", async (dtype) => {
    const values = hardCases(dtype);
    await expectNoLeaks(() => {
      const rounded = tf.tidy(() => roundTensor(tf.tensor1d(values), dtype).dataSync());
      const expected = roundToHalf(values, dtype);
      let mismatches = 0;
      for (let i = 0; i < values.length; i++) if (!Object.is(rounded[i], expected[i]) && rounded[i] !== expected[i]) mismatches++;
      expect(mismatches).toBe(0);
    });
  });

  it("passes gradients through unchanged, as a cast does in TensorFlow", () => {
    const x = tf.tensor1d([0.1, -3.3, 70000, 1e-6]);
    const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(roundTensor(t, "float16"), tf.tensor1d([1, 2, 3, 4]))))(x);
    // Even where the value overflows to infinity (70000 in float16), as TensorFlow's Cast.
    expect(Array.from(grad.dataSync())).toEqual([1, 2, 3, 4]);
    tf.dispose([x, grad]);
  });
});

describe("Precision", () => {
  it("rounds Python constants as TensorFlow converts them", () => {
    expect(new Precision("bfloat16").constant(Math.sqrt(2 / Math.PI))).toBe(0.796875);
    expect(new Precision("bfloat16").constant(0.044715)).toBeCloseTo(0.044677734, 9);
    expect(new Precision("float16").constant(Math.sqrt(2 / Math.PI))).toBeCloseTo(0.79785156, 8);
    expect(new Precision("float16").constant(0.044715)).toBeCloseTo(0.044708252, 9);
    expect(new Precision("float32").constant(0.044715)).toBe(0.044715);
  });
});
