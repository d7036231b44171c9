import { withPrecomputedLookups, type Embedding } from "../layers/embedding.js";
import { tf } from "../tf.js";
import type { Gradient, OptimizedVariable, Optimizer } from "./optimizers/optimizer.js";

/** An embedding table looked up with `ids` in the forward pass (the token or segment table). */
export interface TableLookup {
  layer: Embedding;
  /** int32 ids, [batch, seq]. */
  ids: tf.Tensor;
}

/**
 * Makes sure TF.js' gradient functions are registered. tfjs-core ships them in a module of its
 * own that only `@tensorflow/tfjs-layers` loads (tfjs-node does, through `@tensorflow/tfjs`;
 * the cpu and wasm backends alone do not), and its ES module build cannot be imported by Node
 * directly, so training loads tfjs-layers once when they are missing. The registry is global,
 * so this serves every copy of tfjs-core.
 */
export async function ensureGradients(): Promise<void> {
  if (tf.getGradient("BatchMatMul") !== undefined && tf.getGradient("Select") !== undefined) return;
  await import("@tensorflow/tfjs-layers");
  if (tf.getGradient("BatchMatMul") === undefined) {
    throw new Error("TF.js' gradient functions could not be registered (@tensorflow/tfjs-layers loaded without them)");
  }
}

export interface TrainStepArgs {
  /** The trainable variables in Keras' order (the optimizer's slot order). */
  variables: readonly OptimizedVariable[];
  /**
   * Tables whose gradient TensorFlow gives Keras per looked-up position: their rows are
   * gathered before the tape and differentiated as inputs, so the optimizer gets Keras'
   * `tf.IndexedSlices` gradient (see `Adam`). Frozen tables are left out.
   */
  lookups: readonly TableLookup[];
  /** The model's training-mode output for the batch. */
  forward: () => tf.Tensor;
  /** The scalar loss of that output. */
  loss: (yPred: tf.Tensor) => tf.Tensor;
  optimizer: Optimizer;
}

/**
 * One Keras `train_step` on one tape: forward in training mode, loss, gradients of every
 * trainable variable (of the loss as the optimizer scales it: `LossScaleOptimizer`), one
 * optimizer step. Returns the batch loss (before the step, unscaled) and the model's output
 * (for the metrics; the caller disposes it). Everything else is freed.
 */
export function trainStep(args: TrainStepArgs): { loss: number; yPred: tf.Tensor } {
  const { variables, optimizer } = args;
  const lookups = args.lookups.filter((l) => l.layer.embeddings.trainable);
  const rows = lookups.map((l) => tf.gather(l.layer.embeddings, l.ids));
  let yPred: tf.Tensor | undefined;
  let loss: tf.Scalar | undefined;
  const xs = [...rows, ...variables.map((v) => v.variable)];
  let computed: { value: tf.Scalar; grads: (tf.Tensor | undefined)[] };
  try {
    computed = tf.engine().gradients(
      () =>
        withPrecomputedLookups(new Map(lookups.map((l, i) => [l.layer, rows[i]!])), () => {
          yPred = tf.keep(args.forward());
          loss = tf.keep(args.loss(yPred) as tf.Scalar);
          return optimizer.scaleLoss(loss);
        }),
      xs,
      undefined,
      true,
    );
  } catch (error) {
    tf.dispose([...rows, ...(yPred ? [yPred] : []), ...(loss ? [loss] : [])]);
    throw error;
  }
  const { value, grads } = computed;
  const temporaries: tf.Tensor[] = [];
  try {
    const gradients = variables.map((v, i): Gradient | undefined => {
      const dense = grads[rows.length + i] ?? undefined;
      const lookup = lookups.findIndex((l) => l.layer.embeddings === v.variable);
      const perOccurrence = lookup >= 0 ? (grads[lookup] ?? undefined) : undefined;
      if (perOccurrence === undefined) return dense;
      const [rowsOfTable, dim] = v.variable.shape as [number, number];
      const indices = tf.reshape(lookups[lookup]!.ids, [-1]) as tf.Tensor1D;
      const values = tf.reshape(perOccurrence, [-1, dim]) as tf.Tensor2D;
      temporaries.push(indices, values);
      if (dense === undefined) return { indices, values };
      // A table also used densely (the masked LM's tied output) gets TensorFlow's `add_n` of
      // both: a dense gradient, so the textbook update applies to it.
      const summed = tf.tidy(() => tf.add(dense, tf.unsortedSegmentSum(values, indices, rowsOfTable)));
      temporaries.push(summed);
      return summed;
    });
    optimizer.applyGradients(gradients, variables);
    return { loss: loss!.dataSync()[0]!, yPred: yPred! };
  } catch (error) {
    yPred?.dispose();
    throw error;
  } finally {
    tf.dispose([value, loss!, ...rows, ...temporaries, ...grads.filter((g): g is tf.Tensor => g instanceof tf.Tensor)]);
  }
}
