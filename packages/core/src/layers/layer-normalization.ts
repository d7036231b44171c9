import { isRecordingGradients } from "../kernels/derived-weights.js";
import { nativeOps } from "../kernels/native-ops.js";
import { tf } from "../tf.js";
import { Layer, type WeightStore } from "./layer.js";
import { onesInitializer, zerosInitializer } from "./initializers.js";
import { checkFeatures } from "./check-tensor.js";

/** Keras `LayerNormalization` over the last axis: `(x − mean)/√(var + ε)·γ + β`. */
export class LayerNormalization extends Layer {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly epsilon: number;

  constructor(store: WeightStore, path: string, dim: number, epsilon: number) {
    super(store, path);
    this.epsilon = epsilon;
    this.gamma = this.addWeight("gamma", [dim], onesInitializer);
    this.beta = this.addWeight("beta", [dim], zerosInitializer);
  }

  call(x: tf.Tensor): tf.Tensor {
    const [dim] = this.gamma.shape as [number];
    checkFeatures(x, `${this.path}.call`, dim, "the normalized size");
    const precision = this.store.precision;
    if (precision.reduced) {
      // Keras normalizes 16-bit inputs in float32 with its own formula, then casts back:
      // inv = rsqrt(var + ε)·γ, out = x·inv + (−mean·inv + β).
      return tf.tidy(() => {
        const input = precision.round(x);
        const { mean, variance } = tf.moments(input, -1, true);
        const inv = tf.mul(tf.rsqrt(tf.add(variance, this.epsilon)), this.gamma);
        return precision.round(tf.add(tf.mul(input, inv), tf.add(tf.mul(tf.neg(mean), inv), this.beta)));
      });
    }
    if (isRecordingGradients()) return layerNormForTraining(this.epsilon)(x, this.gamma, this.beta);
    const native = nativeOps();
    if (native) return native.layerNorm(x, this.gamma, this.beta, this.epsilon);
    return tf.tidy(() => normalize(x, this.epsilon).output(this.gamma, this.beta));
  }
}

/** `(x − mean)·rsqrt(var + ε)` over the last axis, and the output for a `γ`, `β`. */
function normalize(x: tf.Tensor, epsilon: number) {
  const { mean, variance } = tf.moments(x, -1, true);
  const inverse = tf.rsqrt(tf.add(variance, epsilon));
  const normalized = tf.mul(tf.sub(x, mean), inverse);
  return { normalized, inverse, output: (gamma: tf.Tensor, beta: tf.Tensor) => tf.add(tf.mul(normalized, gamma), beta) };
}

const forTraining = new Map<number, (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => tf.Tensor>();

/**
 * LayerNorm with its gradient written out (`g = dy·γ`; `dx = r·(g − mean(g) − x̂·mean(g·x̂))`;
 * `dγ = Σ dy·x̂`; `dβ = Σ dy`), so a gradient tape keeps `x̂` and `r` per call instead of the
 * intermediates of eight ops. The values are the op-by-op path's.
 */
function layerNormForTraining(epsilon: number): (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => tf.Tensor {
  let fn = forTraining.get(epsilon);
  if (fn === undefined) {
    fn = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [x, gamma, beta, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
      const { normalized, inverse, output } = normalize(x, epsilon);
      save([normalized, inverse, gamma]);
      return {
        value: output(gamma, beta),
        gradFunc: (dy: tf.Tensor, [xHat, r, g]: tf.Tensor[]) =>
          tf.tidy(() => {
            const scaled = tf.mul(dy, g!);
            const centered = tf.sub(scaled, tf.mean(scaled, -1, true));
            const dx = tf.mul(r!, tf.sub(centered, tf.mul(xHat!, tf.mean(tf.mul(scaled, xHat!), -1, true))));
            const rows = tf.reshape(dy, [-1, dy.shape[dy.rank - 1]!]);
            return [dx, tf.sum(tf.mul(rows, tf.reshape(xHat!, rows.shape)), 0), tf.sum(rows, 0)];
          }),
      };
    }) as (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => tf.Tensor;
    forTraining.set(epsilon, fn);
  }
  return fn;
}
