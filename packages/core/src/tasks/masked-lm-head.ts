import type { AlbertActivation } from "@albert/presets";
import { AlbertConfigError } from "../errors.js";
import { ACTIVATIONS, activationIn } from "../layers/activations.js";
import { Dense } from "../layers/dense.js";
import { zerosInitializer } from "../layers/initializers.js";
import { Layer, type WeightStore } from "../layers/layer.js";
import { LayerNormalization } from "../layers/layer-normalization.js";
import type { ReversibleEmbedding } from "../layers/reversible-embedding.js";
import { tf } from "../tf.js";

export interface MaskedLMHeadOptions {
  /** The backbone's token embedding: logits go through its transpose (tied weights). */
  tokenEmbedding: ReversibleEmbedding;
  /** Width of the encoder output the head reads. */
  hiddenDim: number;
  /** After the H→E dense layer (default `"gelu_approximate"`, KerasHub's ALBERT choice; HF
   * checkpoints set it from `hidden_act`). */
  intermediateActivation?: AlbertActivation;
  /** Of the head's LayerNorm (default 1e-5, KerasHub's `MaskedLMHead` default; HF's
   * `AlbertMLMHead` uses `layer_norm_eps`, 1e-12). */
  layerNormEpsilon?: number;
}

/**
 * KerasHub's `MaskedLMHead` as `AlbertMaskedLM` builds it (named `mlm_head`): gather the
 * encoder outputs at the mask positions, `Dense(H→E)` with the activation, LayerNorm, then
 * logits over the vocabulary through the tied token embedding plus `output_bias`.
 */
export class MaskedLMHead extends Layer {
  readonly outputBias: tf.Variable;
  readonly intermediateDense: Dense;
  readonly intermediateLayerNorm: LayerNormalization;
  readonly intermediateActivation: AlbertActivation;
  readonly layerNormEpsilon: number;
  private readonly tokenEmbedding: ReversibleEmbedding;

  constructor(store: WeightStore, path: string, options: MaskedLMHeadOptions) {
    super(store, path);
    const { intermediateActivation = "gelu_approximate", layerNormEpsilon = 1e-5 } = options;
    if (!(intermediateActivation in ACTIVATIONS)) {
      throw new AlbertConfigError(
        "invalid_argument",
        `intermediateActivation must be one of ${Object.keys(ACTIVATIONS).join(", ")}, got ${JSON.stringify(intermediateActivation)}`,
        "intermediateActivation",
      );
    }
    if (typeof layerNormEpsilon !== "number" || !(layerNormEpsilon > 0)) {
      throw new AlbertConfigError("invalid_argument", `layerNormEpsilon must be a positive number, got ${JSON.stringify(layerNormEpsilon)}`, "layerNormEpsilon");
    }
    const [vocabularySize, embeddingDim] = options.tokenEmbedding.embeddings.shape as [number, number];
    this.tokenEmbedding = options.tokenEmbedding;
    this.intermediateActivation = intermediateActivation;
    this.layerNormEpsilon = layerNormEpsilon;
    // Keras lists the head's own variable before its sublayers': create it first so the store
    // holds them in Keras' order (the optimizer's slot order).
    this.outputBias = this.addWeight("output_bias", [vocabularySize], zerosInitializer);
    this.intermediateDense = new Dense(store, `${path}/intermediate_dense`, options.hiddenDim, embeddingDim);
    this.intermediateLayerNorm = new LayerNormalization(store, `${path}/intermediate_layer_norm`, embeddingDim, layerNormEpsilon);
  }

  /**
   * `sequence` [batch, seq, hidden] → logits [batch, positions, vocabulary] at `maskPositions`
   * (int32 [batch, positions], each in [0, seq), checked by the caller), or at every position
   * without them ([batch, seq, vocabulary]).
   */
  call(sequence: tf.Tensor3D, maskPositions?: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const [batch, length, hidden] = sequence.shape;
      let rows = tf.reshape(sequence, [batch * length, hidden]) as tf.Tensor2D;
      let positions = length;
      if (maskPositions !== undefined) {
        // take_along_axis on axis 1, as one gather over the flattened batch.
        positions = maskPositions.shape[1];
        const offsets = tf.expandDims(tf.mul(tf.range(0, batch, 1, "int32"), tf.scalar(length, "int32")), 1);
        rows = tf.gather(rows, tf.reshape(tf.add(maskPositions, offsets), [-1]));
      }
      // In 16 bits (the backbone's compute dtype), the activation and bias add round too.
      const precision = this.store.precision;
      const activation = activationIn(this.intermediateActivation, precision);
      const x = this.intermediateLayerNorm.call(activation(this.intermediateDense.call(rows)));
      const logits = precision.round(tf.add(this.tokenEmbedding.reverse(x), precision.round(this.outputBias)));
      return tf.reshape(logits, [batch, positions, -1]) as tf.Tensor3D;
    });
  }
}
