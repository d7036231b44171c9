import { roundScalarToHalf, roundToHalf } from "@albert/presets";
import { tf } from "../tf.js";
import type { FloatDtype } from "./dtype-policy.js";

// === Rounding float32 tensors to 16 bits with float32 arithmetic ===

/** Veltkamp's split constants: `2^s + 1` keeps 24 − s significant bits. */
const SPLIT = { bfloat16: 2 ** 16 + 1, float16: 2 ** 13 + 1 } as const;
/** float16's smallest normal, the first value that rounds to infinity, and a number whose
 * float32 spacing is float16's subnormal step (2^-24). */
const FLOAT16_MIN_NORMAL = 2 ** -14;
const FLOAT16_OVERFLOW = 65520;
const FLOAT16_SUBNORMAL_ANCHOR = 0.75;

/**
 * `x` rounded to the nearest bfloat16 or float16 value (round-to-nearest-even, what
 * TensorFlow's `Cast` does), computed with three float32 operations (Veltkamp's split:
 * `γ = c·x; x − γ + γ`), so it runs on every TF.js backend whose float32 arithmetic is IEEE
 * (native TensorFlow, WebAssembly, the JS cpu backend). Its gradient is the identity, as a
 * cast's is in TensorFlow. Checked against a bit-level rounding over every bfloat16/float16
 * tie and hundreds of thousands of random floats. Domain: bfloat16 for normal float32 values
 * below 5e33 in magnitude (the split overflows beyond; activations are far smaller); float16
 * everywhere, its subnormals and overflow to infinity included.
 */
export function roundTensor(x: tf.Tensor, dtype: Exclude<FloatDtype, "float32">): tf.Tensor {
  return ROUNDERS[dtype](x);
}

function roundValues(x: tf.Tensor, dtype: Exclude<FloatDtype, "float32">): tf.Tensor {
  const scaled = tf.mul(x, SPLIT[dtype]);
  const rounded = tf.add(scaled, tf.sub(x, scaled));
  if (dtype === "bfloat16") return rounded;
  const magnitude = tf.abs(x);
  const subnormal = tf.sub(tf.add(x, FLOAT16_SUBNORMAL_ANCHOR), FLOAT16_SUBNORMAL_ANCHOR);
  const finite = tf.where(tf.less(magnitude, FLOAT16_MIN_NORMAL), subnormal, rounded);
  return tf.where(tf.greaterEqual(magnitude, FLOAT16_OVERFLOW), tf.mul(tf.sign(x), Infinity), finite);
}

const ROUNDERS = {
  bfloat16: tf.customGrad((x) => ({ value: roundValues(x as tf.Tensor, "bfloat16"), gradFunc: (dy) => dy })),
  float16: tf.customGrad((x) => ({ value: roundValues(x as tf.Tensor, "float16"), gradFunc: (dy) => dy })),
} as const;

/**
 * The arithmetic of a compute dtype on the op-by-op path: `round` after every op that
 * KerasHub runs in 16 bits (identity in float32), `constant` for the scalars it rounds.
 */
export class Precision {
  constructor(readonly compute: FloatDtype) {}

  /** Whether values are rounded to 16 bits. */
  get reduced(): boolean {
    return this.compute !== "float32";
  }

  /** `x` as the compute dtype holds it (a float32 tensor of 16-bit values). */
  round(x: tf.Tensor): tf.Tensor {
    return this.compute === "float32" ? x : roundTensor(x, this.compute);
  }

  /** A Python scalar as TensorFlow converts it to the compute dtype. */
  constant(value: number): number {
    return this.compute === "float32" ? value : roundScalarToHalf(value, this.compute);
  }
}

export const FLOAT32 = new Precision("float32");

/** Values assigned to a variable of this dtype, rounded bit-exactly as Keras' assignment does
 * (float32 → bfloat16/float16 to nearest even). */
export function toVariableDtype(values: Float32Array, dtype: FloatDtype): Float32Array {
  return dtype === "float32" ? values : roundToHalf(values, dtype);
}
