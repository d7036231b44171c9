import type { AlbertActivation } from "@albert/presets";
import type { Precision } from "../dtype/rounding.js";
import { isRecordingGradients } from "../kernels/derived-weights.js";
import { tf } from "../tf.js";

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * `0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`: Keras' `gelu(approximate=True)`, HF's
 * `gelu_new`, and what KerasHub's ALBERT always uses. Computed as the identical
 * `x·σ(2√(2/π)·x·(1 + 0.044715·x²))`, six element-wise ops instead of eight.
 */
export function geluApproximate(x: tf.Tensor): tf.Tensor {
  return isRecordingGradients() ? geluApproximateForTraining(x) : geluApproximateValue(x);
}

const GELU_A = 2 * SQRT_2_OVER_PI * 0.044715;
const GELU_B = 2 * SQRT_2_OVER_PI;

function geluApproximateValue(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(x, tf.sigmoid(tf.mul(x, tf.add(tf.mul(tf.square(x), GELU_A), GELU_B)))));
}

/**
 * The same values with the derivative written out, `σ(z) + x·σ(z)·(1 − σ(z))·(b + 3a·x²)` for
 * `z = x·(b + a·x²)`: a gradient tape then keeps only `x` per call instead of the intermediates
 * of six ops (1.3 GB less for albert_base at 8×128).
 */
const geluApproximateForTraining = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  save([x]);
  return {
    value: geluApproximateValue(x),
    gradFunc: (dy: tf.Tensor, [input]: tf.Tensor[]) =>
      tf.tidy(() => {
        const square = tf.square(input!);
        const s = tf.sigmoid(tf.mul(input!, tf.add(tf.mul(square, GELU_A), GELU_B)));
        const slope = tf.mul(tf.mul(tf.mul(input!, s), tf.sub(1, s)), tf.add(tf.mul(square, 3 * GELU_A), GELU_B));
        return tf.mul(dy, tf.add(s, slope));
      }),
  };
}) as (x: tf.Tensor) => tf.Tensor;

/** `0.5·x·(1 + erf(x/√2))`: the exact GELU (HF `hidden_act: "gelu"`). */
export function geluExact(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(0.5, x), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))));
}

export const ACTIVATIONS: Record<AlbertActivation, (x: tf.Tensor) => tf.Tensor> = {
  gelu_approximate: geluApproximate,
  gelu: geluExact,
  relu: (x) => tf.relu(x),
};

/**
 * An activation in a compute precision. In float32, `ACTIVATIONS`; in 16 bits, what TensorFlow
 * computes there: `tf.nn.gelu` op by op (`0.5·x·(1 + tanh(c1·(x + c0·x³)))`), each result and
 * each Python constant rounded to the compute dtype.
 */
export function activationIn(activation: AlbertActivation, precision: Precision): (x: tf.Tensor) => tf.Tensor {
  if (!precision.reduced || activation === "relu") return ACTIVATIONS[activation];
  const r = (t: tf.Tensor) => precision.round(t);
  const c = (value: number) => precision.constant(value);
  if (activation === "gelu") {
    return (x) => tf.tidy(() => r(tf.mul(r(tf.mul(c(0.5), x)), r(tf.add(c(1), r(tf.erf(r(tf.div(x, c(Math.SQRT2))))))))));
  }
  return (x) =>
    tf.tidy(() => {
      // TensorFlow's pow(x, 3) in 16 bits: the cube in float32, rounded (x·x is exact here).
      const cube = r(tf.mul(tf.mul(x, x), x));
      const inner = r(tf.add(x, r(tf.mul(c(0.044715), cube))));
      const tanh = r(tf.tanh(r(tf.mul(c(SQRT_2_OVER_PI), inner))));
      return r(tf.mul(r(tf.mul(c(0.5), x)), r(tf.add(c(1), tanh))));
    });
}
