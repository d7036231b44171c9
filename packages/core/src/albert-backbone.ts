import { ensureBackend } from "@albert/backends";
import type { AlbertBackboneConfig, WeightMap } from "@albert/presets";
import {
  argsFromConfig,
  resolveArgs,
  toKerasConfig,
  type AlbertBackboneArgs,
  type ResolvedAlbertBackboneArgs,
} from "./albert-backbone-config.js";
import {
  loadPresetBackbone,
  savePresetBackbone,
  type FromPresetOptions,
  type SaveToPresetOptions,
} from "./albert-backbone-presets.js";
import type { DTypePolicy } from "./dtype/dtype-policy.js";
import { checkPolicyRunsHere, toleranceRatio } from "./dtype/policy-support.js";
import { AlbertConfigError, AlbertInputError } from "./errors.js";
import { GraphInference, type GraphSession, type GraphStatus } from "./graph/graph-engine.js";
import { isRecordingGradients } from "./kernels/derived-weights.js";
import { prepareInputs, type AlbertInputs, type PreparedInputs } from "./inputs.js";
import { Dense } from "./layers/dense.js";
import { Embedding } from "./layers/embedding.js";
import { LayerNormalization } from "./layers/layer-normalization.js";
import { WeightStore } from "./layers/layer.js";
import { PositionEmbedding } from "./layers/position-embedding.js";
import { ReversibleEmbedding } from "./layers/reversible-embedding.js";
import { TransformerEncoder } from "./layers/transformer-encoder.js";
import { tf } from "./tf.js";
import { dropout } from "./layers/dropout.js";
import { checkWeightMap, readWeightMap, writeWeightMap } from "./weight-map.js";

/** What `predict` can return besides the two main outputs (see `AlbertBackboneOutputs`). */
export interface PredictOptions {
  /** Also return `attentionScores`: attention probabilities, one per encoder application. */
  returnAttentionScores?: boolean;
  /** Also return `hiddenStates`: the projected embeddings, then each encoder application. */
  returnHiddenStates?: boolean;
}

export interface CallOptions extends PredictOptions {
  /** Dropout active (default false). */
  training?: boolean;
}

/** An optional output: present when its option is `true`, absent when it is `false` or left
 * out, possibly present when the option is only known as a `boolean`. */
type OptionalOutput<O, K extends keyof PredictOptions, Out> = K extends keyof O
  ? O[K] extends true
    ? { [P in Output<K>]: Out }
    : O[K] extends false | undefined
      ? { [P in Output<K>]?: undefined }
      : { [P in Output<K>]?: Out }
  : { [P in Output<K>]?: undefined };
type Output<K extends keyof PredictOptions> = K extends "returnAttentionScores" ? "attentionScores" : "hiddenStates";
/** The options of a call that passed none. */
type NoOptions = Record<never, never>;

/**
 * What the backbone returns, typed by the options asked for: `predict(x, {
 * returnAttentionScores: true })` has `attentionScores` (not optional). A type alias (not an
 * interface), so `tf.dispose(backbone.predict(x))` type-checks.
 *
 * - `attentionScores` (with `returnAttentionScores`): attention probabilities [batch, heads,
 *   seq, seq], one per encoder application (`numLayers × numInnerRepetitions`).
 * - `hiddenStates` (with `returnHiddenStates`): the projected embeddings, then each encoder
 *   application's output, each [batch, seq, hiddenDim].
 */
export type AlbertBackboneOutputs<O extends PredictOptions = PredictOptions> = {
  /** Final hidden states, [batch, seq, hiddenDim] (padded positions included, as KerasHub). */
  sequenceOutput: tf.Tensor3D;
  /** `tanh(W · sequenceOutput[:, 0] + b)`, [batch, hiddenDim]. */
  pooledOutput: tf.Tensor2D;
} & OptionalOutput<O, "returnAttentionScores", tf.Tensor4D[]> &
  OptionalOutput<O, "returnHiddenStates", tf.Tensor3D[]>;

/** A variable of the model: its KerasHub path, shape and TF.js variable. */
export interface BackboneWeight {
  path: string;
  shape: number[];
  variable: tf.Variable;
}

/**
 * ALBERT encoder network: KerasHub's `AlbertBackbone` on TensorFlow.js.
 *
 * ALBERT ("A Lite BERT", arXiv 1909.11942) is BERT with two parameter reductions: factorized
 * embeddings (tokens are embedded in `embeddingDim` and projected to `hiddenDim`) and
 * cross-layer sharing (`numLayers` virtual layers reuse `numGroups × numInnerRepetitions` sets
 * of encoder weights). This class holds the embeddings, encoder layers and pooler, not the
 * masked-LM or sentence-order heads. It computes what KerasHub computes, to float32 rounding.
 *
 * @example
 * ```ts
 * import { AlbertBackbone } from "@albert/core";
 *
 * const model = new AlbertBackbone({
 *   vocabularySize: 30000, numLayers: 12, numHeads: 12, numGroups: 1,
 *   numInnerRepetitions: 1, embeddingDim: 128, hiddenDim: 768,
 *   intermediateDim: 3072, maxSequenceLength: 12,
 * });
 * const { sequenceOutput, pooledOutput } = model.predict({
 *   tokenIds: [[1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]],
 *   segmentIds: [[0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0]],
 *   paddingMask: [[1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0]],
 * });
 * console.log(sequenceOutput.shape, pooledOutput.shape); // [1, 12, 768] [1, 768]
 * tf.dispose([sequenceOutput, pooledOutput]);
 * model.dispose();
 * ```
 */
export class AlbertBackbone {
  static readonly className = "AlbertBackbone";

  readonly tokenEmbedding: ReversibleEmbedding;
  readonly positionEmbedding: PositionEmbedding;
  readonly segmentEmbedding: Embedding;
  readonly embeddingsLayerNorm: LayerNormalization;
  readonly embeddingProjection: Dense;
  /** `transformerLayers[g][i]`: inner layer `i` of group `g`. */
  readonly transformerLayers: TransformerEncoder[][];
  readonly pooledDense: Dense;

  readonly vocabularySize: number;
  readonly numLayers: number;
  readonly numHeads: number;
  readonly embeddingDim: number;
  readonly hiddenDim: number;
  readonly intermediateDim: number;
  readonly numGroups: number;
  readonly numInnerRepetitions: number;
  readonly dropout: number;
  readonly maxSequenceLength: number;
  readonly numSegments: number;
  readonly name: string;

  private readonly args: ResolvedAlbertBackboneArgs;
  private readonly store: WeightStore;
  private readonly graph: GraphInference;
  private disposed = false;

  /**
   * @param args KerasHub's constructor arguments, in camelCase.
   * @param options.weights initial weights by KerasHub variable path instead of random ones
   *   (what `fromPreset` uses: the model is built straight from the preset's arrays).
   */
  constructor(args: AlbertBackboneArgs, options: { weights?: WeightMap } = {}) {
    const a = resolveArgs(args);
    if (options.weights !== undefined) checkWeightMap(toKerasConfig(a), options.weights);
    ensureBackend();
    checkPolicyRunsHere(a.dtype);
    this.store = new WeightStore(a.name, options.weights, a.dtype);
    const s = this.store;

    // === Layers ===
    this.tokenEmbedding = new ReversibleEmbedding(s, "token_embedding", a.vocabularySize, a.embeddingDim);
    this.positionEmbedding = new PositionEmbedding(s, "position_embedding", a.maxSequenceLength, a.embeddingDim);
    this.segmentEmbedding = new Embedding(s, "segment_embedding", a.numSegments, a.embeddingDim);
    this.embeddingsLayerNorm = new LayerNormalization(s, "embeddings_layer_norm", a.embeddingDim, a.layerNormEpsilon);
    this.embeddingProjection = new Dense(s, "embedding_projection", a.embeddingDim, a.hiddenDim);
    this.transformerLayers = [];
    for (let g = 0; g < a.numGroups; g++) {
      const inner: TransformerEncoder[] = [];
      for (let i = 0; i < a.numInnerRepetitions; i++) {
        inner.push(
          new TransformerEncoder(s, `group_${g}_inner_layer_${i}`, {
            hiddenDim: a.hiddenDim,
            numHeads: a.numHeads,
            intermediateDim: a.intermediateDim,
            dropout: a.dropout,
            activation: a.activation,
            layerNormEpsilon: a.layerNormEpsilon,
          }),
        );
      }
      this.transformerLayers.push(inner);
    }
    this.pooledDense = new Dense(s, "pooled_dense", a.hiddenDim, a.hiddenDim);

    // === Config ===
    this.args = a;
    this.vocabularySize = a.vocabularySize;
    this.numLayers = a.numLayers;
    this.numHeads = a.numHeads;
    this.embeddingDim = a.embeddingDim;
    this.hiddenDim = a.hiddenDim;
    this.intermediateDim = a.intermediateDim;
    this.numGroups = a.numGroups;
    this.numInnerRepetitions = a.numInnerRepetitions;
    this.dropout = a.dropout;
    this.maxSequenceLength = a.maxSequenceLength;
    this.numSegments = a.numSegments;
    this.name = a.name;
    this.graph = new GraphInference(
      { ...a },
      a.dtype.computeDtype,
      () => new Map(this.store.all().map(({ path, variable }) => [path, variable.shape])),
      (session) => this.graphAgreesWithEager(session),
      () => this.store.all().map(({ variable }) => variable.dataId),
    );
    this.store.onDispose(() => this.graph.dispose());
  }

  /**
   * The encoder layers in the order one forward pass applies them: each group is called
   * `numLayers / numGroups` times in turn, each call running its inner layers in order.
   */
  layerSchedule(): TransformerEncoder[] {
    const callsPerGroup = this.numLayers / this.numGroups;
    return this.transformerLayers.flatMap((group) => Array.from({ length: callsPerGroup }, () => group).flat());
  }

  /** Inference: `call` with dropout off. */
  predict<const O extends PredictOptions = NoOptions>(inputs: AlbertInputs, options?: O): AlbertBackboneOutputs<O> {
    checkOptions("predict", options, ["returnAttentionScores", "returnHiddenStates"]);
    return this.call(inputs, { ...options, training: false }) as AlbertBackboneOutputs<O>;
  }

  /**
   * Runs the model; the caller owns (and disposes) the returned tensors. On native TensorFlow,
   * plain inference runs as one TensorFlow graph (see `inferenceEngine`); training, gradients
   * and the optional attention/hidden-state outputs run op by op.
   */
  call<const O extends CallOptions = NoOptions>(inputs: AlbertInputs, options?: O): AlbertBackboneOutputs<O>;
  call(inputs: AlbertInputs, options: CallOptions = {}): AlbertBackboneOutputs {
    this.assertUsable();
    checkOptions("call", options, ["training", "returnAttentionScores", "returnHiddenStates"]);
    ensureBackend();
    checkPolicyRunsHere(this.args.dtype);
    const training = options.training ?? false;
    const prepared = prepareInputs(inputs, this);
    try {
      const plain = !training && !options.returnAttentionScores && !options.returnHiddenStates;
      const session = plain && !isRecordingGradients() ? this.graph.get() : undefined;
      if (session !== undefined) {
        const [sequenceOutput, pooledOutput] = this.runGraph(session, prepared);
        return { sequenceOutput, pooledOutput };
      }
      return this.callEagerly(prepared, training, options);
    } finally {
      tf.dispose([prepared.tokenIds, prepared.segmentIds, prepared.paddingMask, prepared.maskBias]);
    }
  }

  /**
   * Keras' `dtype_policy`: `{ name, variableDtype, computeDtype }`. Variables are float32
   * TF.js tensors whatever the policy (TF.js has no 16-bit dtype), holding exactly the values
   * of `variableDtype`; outputs are float32 tensors holding `computeDtype` values.
   *
   * In 16 bits, what KerasHub computes: every weight except LayerNorm's gamma and beta is read
   * in the compute dtype (`mixed_*` differ from the pure policies only there), every matmul,
   * bias add, residual add and the GELU round to it, while LayerNorm and the attention logits
   * after `q·k` (scale, mask, softmax) run in float32. Native TensorFlow runs this in its own
   * bfloat16/float16 kernels inside the inference graph; other paths round float32 results at
   * the same points (see `inferenceEngine`).
   */
  get dtypePolicy(): DTypePolicy {
    return this.args.dtype;
  }

  /**
   * How plain inference runs, and in which dtype: `"graph (fused)"` (one TensorFlow session
   * with oneDNN's fused kernels), `"graph"`, or `"eager"` (op by op: other backends, or when
   * the graph could not be built, with the reason). Building happens on the first call. Under a
   * 16-bit policy the dtype that ran follows: `"graph (fused, bfloat16, cached weights)"`
   * (oneDNN's bfloat16 kernels, which keep a reordered copy of the weights; rebuilt when a
   * weight changes) or `"graph (fused, bfloat16)"` (fused kernels round once where KerasHub's
   * eager call rounds twice, as its compiled `predict` does), `"graph (bfloat16, exact
   * rounding)"` (float16 always; bfloat16 with `ALBERT_GRAPH=exact`), or `"eager (bfloat16,
   * rounded in float32)"`.
   */
  get inferenceEngine(): string {
    const status: GraphStatus = this.graph.status;
    const compute = this.args.dtype.computeDtype;
    const reduced = compute !== "float32";
    if (status === "fused") return reduced ? `graph (fused, ${compute})` : "graph (fused)";
    if (status === "fused-cached") return `graph (fused, ${compute}, cached weights)`;
    if (status === "unfused") return reduced ? `graph (${compute})` : "graph";
    if (status === "exact") return `graph (${compute}, exact rounding)`;
    const eager = reduced ? [`${compute}, rounded in float32`] : [];
    if (status.startsWith("disabled")) eager.push(`graph ${status}`);
    if (status === "not-built") return "graph (built on first call)";
    return eager.length > 0 ? `eager (${eager.join("; ")})` : "eager";
  }

  /** The graph is trusted only after it reproduces the eager path on a small padded batch. */
  private graphAgreesWithEager(session: GraphSession): boolean {
    const length = Math.min(this.maxSequenceLength, 6);
    const row = (offset: number) => Array.from({ length }, (_, i) => (offset + 7 * i) % this.vocabularySize);
    const probe = prepareInputs(
      {
        tokenIds: [row(1), row(2)],
        segmentIds: [row(0).map((_, i) => (i * this.numSegments) / length | 0), row(0).map(() => 0)],
        paddingMask: [row(0).map(() => 1), row(0).map((_, i) => (i < length / 2 ? 1 : 0))],
      },
      this,
    );
    try {
      return tf.tidy(() => {
        const eager = this.callEagerly(probe, false, {});
        const graph = this.runGraph(session, probe);
        // In 16 bits the two round at the same points but sum in other orders: they agree
        // within the policy's tolerance, not bit for bit.
        const compute = this.args.dtype.computeDtype;
        const within = (a: tf.Tensor, b: tf.Tensor) => toleranceRatio(b.dataSync(), a.dataSync(), compute) <= 1;
        return within(eager.sequenceOutput, graph[0]) && within(eager.pooledOutput, graph[1]);
      });
    } finally {
      tf.dispose([probe.tokenIds, probe.segmentIds, probe.paddingMask, probe.maskBias]);
    }
  }

  private runGraph(session: GraphSession, prepared: PreparedInputs): [tf.Tensor3D, tf.Tensor2D] {
    const variables = new Map(this.store.all().map(({ path, variable }) => [path, variable]));
    const weights = session.weightInputs.map((path) => variables.get(path)!);
    return session.run(prepared.tokenIds, prepared.segmentIds, prepared.paddingMask, weights);
  }

  private callEagerly(prepared: PreparedInputs, training: boolean, options: CallOptions): AlbertBackboneOutputs {
    return tf.tidy(() => {
      // === Embeddings ===
      const tokens = this.tokenEmbedding.call(prepared.tokenIds);
      const positions = this.positionEmbedding.call(prepared.length);
      const segments = this.segmentEmbedding.call(prepared.segmentIds);
      const r = (t: tf.Tensor) => this.store.precision.round(t);
      let embedded = this.embeddingsLayerNorm.call(r(tf.add(r(tf.add(tokens, positions)), segments)));
      if (training && this.dropout > 0) embedded = r(dropout(embedded, this.dropout));
      let x = this.embeddingProjection.call(embedded) as tf.Tensor3D;

      // === Encoder, with cross-layer sharing ===
      const hiddenStates: tf.Tensor3D[] = [x];
      const attentionScores: tf.Tensor4D[] = [];
      for (const layer of this.layerSchedule()) {
        const result = layer.call(x, prepared.maskBias, training, options.returnAttentionScores ?? false);
        x = result.output;
        hiddenStates.push(x);
        if (result.scores) attentionScores.push(result.scores);
      }

      // === Pooler on the first ([CLS]) token ===
      const first = tf.squeeze(tf.slice(x, [0, 0, 0], [-1, 1, -1]), [1]);
      const pooledOutput = r(tf.tanh(this.pooledDense.call(first))) as tf.Tensor2D;
      return {
        sequenceOutput: x,
        pooledOutput,
        ...(options.returnAttentionScores ? { attentionScores } : {}),
        ...(options.returnHiddenStates ? { hiddenStates } : {}),
      };
    });
  }

  /** Every variable with its KerasHub path, in KerasHub's order. */
  get weights(): BackboneWeight[] {
    return this.store.all().map(({ path, variable }) => ({ path, shape: [...variable.shape], variable }));
  }

  /**
   * Keras' `backbone.trainable`: `false` freezes every backbone weight, so a task's `fit`
   * trains only its head (`classifier.backbone.trainable = false`); single layers can be frozen
   * through their own `trainable`.
   */
  get trainable(): boolean {
    return this.store.isTrainable("");
  }

  set trainable(value: boolean) {
    this.store.setTrainable("", value);
  }

  /** Number of parameters (KerasHub's `count_params()`): shared weights count once. */
  countParams(): number {
    return this.store.all().reduce((n, { variable }) => n + variable.size, 0);
  }

  /** KerasHub's snake_case backbone config: `AlbertBackbone.fromConfig(getConfig())` rebuilds
   * the same architecture. */
  getConfig(): AlbertBackboneConfig {
    return toKerasConfig(this.args);
  }

  /** Builds a backbone from `getConfig()` output, a whole KerasHub `config.json` object, or
   * camelCase constructor arguments. */
  static fromConfig(config: unknown, options: { weights?: WeightMap } = {}): AlbertBackbone {
    return new AlbertBackbone(argsFromConfig(config), options);
  }

  /** The weights as plain arrays by KerasHub variable path (what presets store). */
  getWeightMap(): WeightMap {
    this.assertUsable();
    return readWeightMap(this.store.all());
  }

  /** Assigns every weight from a map by KerasHub variable path; names and shapes must match. */
  setWeightMap(weights: WeightMap): void {
    this.assertUsable();
    writeWeightMap(this.store.all(), this.getConfig(), weights, this.store.variableDtype);
  }

  /**
   * Loads a preset: a built-in name (`"albert_base_en_uncased"`), a `kaggle://` or `hf://`
   * handle, or a local directory in KerasHub or HF transformers format. A built-in name with
   * `loadWeights: false` builds from the bundled config without touching the network.
   */
  static fromPreset(preset: string, options: FromPresetOptions = {}): Promise<AlbertBackbone> {
    return loadPresetBackbone(preset, options, (config, weights) => AlbertBackbone.fromConfig(config, { weights }));
  }

  /**
   * Writes the backbone as a KerasHub preset: `config.json`, `model.weights.h5` and
   * `metadata.json`, loadable here and by Python KerasHub's `from_preset`.
   */
  async saveToPreset(dir: string, options: SaveToPresetOptions = {}): Promise<void> {
    this.assertUsable();
    if (typeof dir !== "string" || dir.length === 0) {
      throw new AlbertInputError("invalid_value", "dir", `saveToPreset: dir must be a non-empty path string, got ${JSON.stringify(dir)}`);
    }
    await savePresetBackbone(dir, this.getConfig(), this.getWeightMap(), options);
  }

  /** Frees every variable; the model cannot be used afterwards. */
  dispose(): void {
    this.store.dispose();
    this.disposed = true;
  }

  private assertUsable(): void {
    if (this.disposed) {
      throw new AlbertConfigError(
        "model_disposed",
        `${this.name} has been disposed: its weights are freed; build or load the model again`,
      );
    }
  }
}

/** Refuses options a method does not know (a misspelt flag would otherwise be ignored) and
 * flags that are not booleans. */
function checkOptions(method: string, options: unknown, known: readonly string[]): void {
  if (options === undefined) return;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new AlbertInputError("invalid_type", "options", `${method}: options must be an object, got ${JSON.stringify(options)}`);
  }
  for (const [key, value] of Object.entries(options)) {
    if (!known.includes(key)) {
      throw new AlbertInputError(
        "invalid_value",
        "options",
        `${method}: unknown option ${JSON.stringify(key)}; allowed: ${known.join(", ")}`,
      );
    }
    if (value !== undefined && typeof value !== "boolean") {
      throw new AlbertInputError("invalid_type", `options.${key}`, `${method}: options.${key} must be true or false, got ${JSON.stringify(value)}`);
    }
  }
}
