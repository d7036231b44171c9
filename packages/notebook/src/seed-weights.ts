import { fillTruncatedNormal, tf } from "@albert/core";

/** What `seedWeights` needs of a backbone: `AlbertBackbone` has it. */
export interface SeedableBackbone {
  /** Every variable once, with its KerasHub path. */
  readonly weights: readonly { readonly path: string; readonly variable: tf.Variable }[];
}

/** KerasHub's `albert_kernel_initializer`: a truncated normal with this standard deviation. */
const KERNEL_STDDEV = 0.02;

/** The variables KerasHub draws at random (dense kernels, the three embedding tables); biases
 * and LayerNorm parameters start as zeros and ones, which need no seed. */
const RANDOM_WEIGHT = /(^|\/)(kernel|embeddings)$/;

/** One 32-bit seed per variable from the notebook's seed and the variable's path (FNV-1a), so
 * a variable's values do not depend on which other variables the model has. */
function variableSeed(seed: number, path: string): number {
  let hash = 0x811c9dc5 ^ seed;
  for (let i = 0; i < path.length; i++) hash = Math.imul(hash ^ path.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/**
 * Redraws a freshly built backbone's random weights from `seed`, as KerasHub's initializers
 * draw them (a truncated normal with standard deviation 0.02 for every kernel and embedding
 * table), so that a notebook shows the same numbers on every run: the counterpart of
 * `keras.utils.set_random_seed(seed)` before building a model in Python. Biases and LayerNorm
 * parameters are left as they are.
 *
 * @example
 * ```ts
 * const model = new AlbertBackbone({ vocabularySize: 100, numLayers: 2, numHeads: 2,
 *   embeddingDim: 8, hiddenDim: 16, intermediateDim: 32, maxSequenceLength: 8 });
 * seedWeights(model, 42); // the same weights, and outputs, on every run
 * ```
 */
export function seedWeights(backbone: SeedableBackbone, seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`seedWeights: seed must be an integer in [0, 2^32), got ${String(seed)}`);
  }
  for (const { path, variable } of backbone.weights) {
    if (!RANDOM_WEIGHT.test(path)) continue;
    const values = fillTruncatedNormal(
      new Float32Array(variable.size),
      KERNEL_STDDEV,
      variableSeed(seed, path),
    );
    tf.tidy(() => variable.assign(tf.tensor(values, variable.shape, variable.dtype)));
  }
}
