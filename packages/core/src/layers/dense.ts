import { tf } from "../tf.js";
import { Layer, type WeightStore } from "./layer.js";
import { albertKernelInitializer, zerosInitializer } from "./initializers.js";
import { checkFeatures } from "./check-tensor.js";

/** `y = x·W + b` over the last axis (Keras `Dense`), with kernel [in, out]. */
export class Dense extends Layer {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;

  constructor(store: WeightStore, path: string, inputDim: number, units: number) {
    super(store, path);
    this.kernel = this.addWeight("kernel", [inputDim, units], albertKernelInitializer);
    this.bias = this.addWeight("bias", [units], zerosInitializer);
  }

  /** Applies the layer to `[..., in]`, returning `[..., out]`. */
  call(x: tf.Tensor): tf.Tensor {
    const [inputDim, units] = this.kernel.shape as [number, number];
    checkFeatures(x, `${this.path}.call`, inputDim, "the layer's input size");
    const precision = this.store.precision;
    return tf.tidy(() => {
      const rows = tf.reshape(x, [-1, inputDim]) as tf.Tensor2D;
      // In 16 bits, rounded as Keras' Dense: inputs and weights cast, the product rounded,
      // then the bias add.
      const r = (t: tf.Tensor) => precision.round(t);
      const y = precision.reduced
        ? r(tf.add(r(tf.matMul(r(rows) as tf.Tensor2D, r(this.kernel) as tf.Tensor2D)), r(this.bias)))
        : tf.fused.matMul({ a: rows, b: this.kernel as tf.Tensor2D, bias: this.bias });
      return tf.reshape(y, [...x.shape.slice(0, -1), units]);
    });
  }
}
