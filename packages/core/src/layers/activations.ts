import type { AlbertActivation } from "@albert/presets";
import { tf } from "../tf.js";

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * `0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`: Keras' `gelu(approximate=True)`, HF's
 * `gelu_new`, and what KerasHub's ALBERT always uses. Computed as the identical
 * `x·σ(2√(2/π)·x·(1 + 0.044715·x²))`, six element-wise ops instead of eight.
 */
export function geluApproximate(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const z = tf.mul(x, tf.add(tf.mul(tf.square(x), 2 * SQRT_2_OVER_PI * 0.044715), 2 * SQRT_2_OVER_PI));
    return tf.mul(x, tf.sigmoid(z));
  });
}

/** `0.5·x·(1 + erf(x/√2))`: the exact GELU (HF `hidden_act: "gelu"`). */
export function geluExact(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(0.5, x), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))));
}

export const ACTIVATIONS: Record<AlbertActivation, (x: tf.Tensor) => tf.Tensor> = {
  gelu_approximate: geluApproximate,
  gelu: geluExact,
  relu: (x) => tf.relu(x),
};
