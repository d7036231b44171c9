import { isRecordingGradients } from "../kernels/derived-weights.js";
import { nativeOps } from "../kernels/native-ops.js";
import { tf } from "../tf.js";
import { Layer, type WeightStore } from "./layer.js";
import { onesInitializer, zerosInitializer } from "./initializers.js";
import { checkTensor } from "./check-tensor.js";

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
    checkTensor(x, {
      where: `${this.path}.call`,
      argument: "x",
      kind: "float",
      rank: [1, 8],
      lastDim: { size: dim, name: "the normalized size" },
      expected: `a float32 tensor [..., ${dim}]`,
    });
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
    const native = isRecordingGradients() ? undefined : nativeOps();
    if (native) return native.layerNorm(x, this.gamma, this.beta, this.epsilon);
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(x, -1, true);
      const normalized = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.epsilon)));
      return tf.add(tf.mul(normalized, this.gamma), this.beta);
    });
  }
}
