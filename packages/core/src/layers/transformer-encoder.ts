import type { AlbertActivation } from "@albert/presets";
import { tf } from "../tf.js";
import { dropout } from "./dropout.js";
import type { Precision } from "../dtype/rounding.js";
import { activationIn } from "./activations.js";
import { checkSequenceInputs } from "./check-tensor.js";
import { Dense } from "./dense.js";
import type { WeightStore } from "./layer.js";
import { LayerNormalization } from "./layer-normalization.js";
import { MultiHeadAttention, type AttentionResult } from "./multi-head-attention.js";

export interface TransformerEncoderOptions {
  hiddenDim: number;
  numHeads: number;
  intermediateDim: number;
  dropout: number;
  activation: AlbertActivation;
  layerNormEpsilon: number;
}

/**
 * KerasHub's `TransformerEncoder` (post-LayerNorm, as BERT and ALBERT use it):
 * `h = LN(x + Dropout(Attention(x)))`, `out = LN(h + Dropout(W₂·act(W₁·h + b₁) + b₂))`.
 */
export class TransformerEncoder {
  readonly name: string;
  readonly selfAttention: MultiHeadAttention;
  readonly selfAttentionLayerNorm: LayerNormalization;
  readonly intermediateDense: Dense;
  readonly outputDense: Dense;
  readonly feedforwardLayerNorm: LayerNormalization;
  private readonly options: TransformerEncoderOptions;
  private readonly precision: Precision;

  constructor(store: WeightStore, name: string, options: TransformerEncoderOptions) {
    const { hiddenDim: H, intermediateDim: I, layerNormEpsilon: eps } = options;
    this.name = name;
    this.options = options;
    this.precision = store.precision;
    this.selfAttention = new MultiHeadAttention(store, `${name}/self_attention_layer`, H, options.numHeads, options.dropout);
    this.selfAttentionLayerNorm = new LayerNormalization(store, `${name}/self_attention_layer_norm`, H, eps);
    this.intermediateDense = new Dense(store, `${name}/feedforward_intermediate_dense`, H, I);
    this.outputDense = new Dense(store, `${name}/feedforward_output_dense`, I, H);
    this.feedforwardLayerNorm = new LayerNormalization(store, `${name}/feedforward_layer_norm`, H, eps);
  }

  call(x: tf.Tensor3D, maskBias: tf.Tensor, training: boolean, returnScores = false): AttentionResult {
    checkSequenceInputs(`${this.name}.call`, x, maskBias, this.options.hiddenDim);
    let scores: tf.Tensor4D | undefined;
    const output = tf.tidy(() => {
      // In 16 bits the residual adds (and dropout's scaling) round too, as they do in Keras.
      const r = (t: tf.Tensor) => this.precision.round(t);
      const drop = (t: tf.Tensor) =>
        training && this.options.dropout > 0 ? r(dropout(t, this.options.dropout)) : t;
      const attention = this.selfAttention.call(x, maskBias, training, returnScores);
      scores = attention.scores;
      if (scores) tf.keep(scores);
      const h = this.selfAttentionLayerNorm.call(r(tf.add(r(x), drop(attention.output))));
      const activation = activationIn(this.options.activation, this.precision);
      const ff = this.outputDense.call(activation(this.intermediateDense.call(h)));
      return this.feedforwardLayerNorm.call(r(tf.add(h, drop(ff)))) as tf.Tensor3D;
    });
    return scores === undefined ? { output } : { output, scores };
  }
}
