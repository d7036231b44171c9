import { tf } from "../tf.js";

/** The slice of tfjs-node's kernel backend we use: run any TensorFlow op by name. */
interface TensorFlowBackend {
  binding: { TF_ATTR_TYPE: number; TF_ATTR_FLOAT: number; TF_FLOAT: number };
  executeSingleOutput(name: string, attrs: unknown[], inputs: tf.Tensor[]): tf.Tensor;
}

/**
 * TensorFlow ops that TF.js does not expose but the native backend can run directly. They
 * are used for inference only (TF.js records no gradients for them), and only after a probe
 * showed they work with the loaded TensorFlow build.
 */
export interface NativeOps {
  /** oneDNN's fused LayerNorm over the last axis (`_MklLayerNorm`): one op instead of eight. */
  layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor;
}

let probed: { backend: unknown; ops: NativeOps | undefined } | undefined;

function makeOps(backend: TensorFlowBackend): NativeOps {
  const { TF_ATTR_TYPE, TF_ATTR_FLOAT, TF_FLOAT } = backend.binding;
  return {
    layerNorm: (x, gamma, beta, epsilon) =>
      backend.executeSingleOutput(
        "_MklLayerNorm",
        [
          { name: "T", type: TF_ATTR_TYPE, value: TF_FLOAT },
          { name: "epsilon", type: TF_ATTR_FLOAT, value: epsilon },
        ],
        [x, gamma, beta],
      ),
  };
}

/**
 * The native ops, when the current backend is TensorFlow and they work there; `undefined` on
 * other backends (callers then use portable TF.js ops). Probed once per backend instance.
 */
export function nativeOps(): NativeOps | undefined {
  if (tf.getBackend() !== "tensorflow") return undefined;
  const backend = tf.backend() as unknown as Partial<TensorFlowBackend>;
  if (probed?.backend === backend) return probed.ops;
  let ops: NativeOps | undefined;
  if (typeof backend.executeSingleOutput === "function" && backend.binding !== undefined) {
    const candidate = makeOps(backend as TensorFlowBackend);
    try {
      tf.tidy(() => {
        const x = tf.tensor2d([[1, 2, 3, 4]]);
        const y = candidate.layerNorm(x, tf.ones([4]), tf.zeros([4]), 1e-12).dataSync();
        // (x - 2.5) / sqrt(1.25): the probe must compute the right thing, not just run.
        if (Math.abs(y[0]! + 1.3416407) > 1e-5 || Math.abs(y[3]! - 1.3416407) > 1e-5) {
          throw new Error("unexpected _MklLayerNorm result");
        }
      });
      ops = candidate;
    } catch {
      ops = undefined;
    }
  }
  probed = { backend, ops };
  return ops;
}
