import { ensureBackend } from "@albert/backends";
import type { KerasVarGroup, PythonJsonValue, TaskExtras } from "@albert/presets";
import { PythonRandom } from "@albert/tokenizer";
import type { AlbertBackbone } from "../albert-backbone.js";
import { AlbertConfigError, AlbertInputError } from "../errors.js";
import type { TrainHead } from "../graph/train-graph.js";
import { prepareInputs } from "../inputs.js";
import { withDropoutSeed } from "../layers/dropout.js";
import { fillTruncatedNormal } from "../layers/initializers.js";
import type { NamedWeight, WeightStore } from "../layers/layer.js";
import { tf } from "../tf.js";
import { CallbackList, History, type Callback, type Logs } from "../training/callbacks.js";
import { GraphTraining, type GraphTrainingSetup } from "../training/graph-training.js";
import { SparseCategoricalCrossentropy, type Loss } from "../training/losses.js";
import { Mean, SparseCategoricalAccuracy, type Metric } from "../training/metrics.js";
import { Adam } from "../training/optimizers/adam.js";
import { AdamW } from "../training/optimizers/adamw.js";
import { LossScaleOptimizer } from "../training/optimizers/loss-scale-optimizer.js";
import type { OptimizedVariable, Optimizer } from "../training/optimizers/optimizer.js";
import { ensureGradients, trainStep } from "../training/train-step.js";
import { batches, gridTensor, order, takeRows, type Grid } from "./task-data.js";
import { saveTaskPreset, serializedBackbone } from "./task-presets.js";

/** One batch as host arrays: the model inputs, and for training/evaluation the labels. */
export interface TaskBatch {
  /** `tokenIds`, `segmentIds`, `paddingMask` (and the masked LM's `maskPositions`). */
  inputs: Record<string, Grid>;
  y?: Grid;
  sampleWeight?: Grid;
}

/** Examples a task can cut into batches (arrays sliced by row, or text preprocessed per batch). */
export interface TaskDataset {
  readonly size: number;
  batch(indices: readonly number[]): TaskBatch;
}

/** The model inputs of one batch as int32 tensors. */
export type BatchTensors = Record<string, tf.Tensor>;

/** `compile`'s arguments, as KerasHub's (`"auto"` or left out: the task's defaults). */
export interface CompileOptions {
  /** An optimizer, `"adam"` / `"adamw"` (Keras' defaults), or `"auto"`. */
  optimizer?: Optimizer | "auto" | "adam" | "adamw";
  /** A loss, `"sparse_categorical_crossentropy"` (Keras: from probabilities), or `"auto"`. */
  loss?: Loss | "auto" | "sparse_categorical_crossentropy";
  /** Metrics computed without sample weights: instances, or `"accuracy"` /
   * `"sparse_categorical_accuracy"`; `"auto"`: the task's default. */
  metrics?: readonly (Metric | string)[] | "auto";
  /** Metrics weighted by `sampleWeight` (the masked LM's default). */
  weightedMetrics?: readonly (Metric | string)[] | "auto";
}

/** What `fit` takes besides the data, as Keras' `fit` keyword arguments. */
export interface FitOptions {
  /** Examples per step (default 32). */
  batchSize?: number;
  /** Passes over the data (default 1). */
  epochs?: number;
  /** The epoch to start counting from, to resume (default 0). */
  initialEpoch?: number;
  /** Shuffle the examples before each epoch (default true, as Keras). */
  shuffle?: boolean;
  /** Per-example (or per-label) weights of the loss and weighted metrics. */
  sampleWeight?: unknown;
  /** Evaluated after each epoch: logs `val_loss`, `val_<metric>`. `[x, y]`, `[x, y,
   * sampleWeight]` or `{ x, y, sampleWeight }`. */
  validationData?: readonly unknown[] | { x: unknown; y?: unknown; sampleWeight?: unknown };
  /** Instead of `validationData`: hold out this fraction of the examples (the last ones, before
   * shuffling, as Keras). Array inputs only. */
  validationSplit?: number;
  /** Batch size of the validation pass (default `batchSize`). */
  validationBatchSize?: number;
  callbacks?: Callback | readonly Callback[];
  /**
   * Makes the run repeatable, as `keras.utils.set_random_seed(seed)` before building and
   * training does in Keras: the shuffling order (Python's `random.shuffle` from
   * `random.seed(seed)`, once per epoch), every dropout mask, and a new head's initial kernels
   * (a head built from initializers and not trained yet is redrawn from the seed). A safe
   * integer. Without it, each run draws anew.
   */
  seed?: number;
}

export interface EvaluateOptions {
  batchSize?: number;
  sampleWeight?: unknown;
  callbacks?: Callback | readonly Callback[];
}

/** What a task needs of its preprocessor to save it (both of `@albert/tokenizer`'s have it). */
export interface TaskPreprocessor {
  readonly name: string;
  readonly tokenizer: { readonly name: string };
  /** The whole serialized preprocessor (`preprocessor.json`'s object). */
  serialize(): object;
  saveToPreset(dir: string): Promise<unknown>;
}

/** A task's own part of its preset: `task.json`, the head's groups of `task.weights.h5` (empty
 * layers included), and what goes to `albert_ts_task.json`. */
export interface TaskPresetFilesOf {
  task: PythonJsonValue;
  headGroups: KerasVarGroup[];
  extras?: TaskExtras;
}

/** A task variable: KerasHub path, shape and TF.js variable (backbone and head). */
export interface TaskWeight {
  path: string;
  shape: number[];
  variable: tf.Variable;
}

interface Compiled {
  optimizer: Optimizer;
  loss: Loss;
  metrics: Metric[];
  weightedMetrics: Metric[];
}

const FIT_OPTIONS = new Set([
  "batchSize",
  "epochs",
  "initialEpoch",
  "shuffle",
  "sampleWeight",
  "validationData",
  "validationSplit",
  "validationBatchSize",
  "callbacks",
  "seed",
]);

function positiveInteger(value: unknown, argument: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new AlbertInputError("invalid_value", argument, `${argument} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** The sublayers of an encoder layer in the order Keras' `TransformerEncoder.build` creates
 * them (the feedforward LayerNorm before the feedforward dense layers). */
const ENCODER_SUBLAYERS = [
  "self_attention_layer/",
  "self_attention_layer_norm/",
  "feedforward_layer_norm/",
  "feedforward_intermediate_dense/",
  "feedforward_output_dense/",
];

/** A backbone's variables in Keras' order (its `trainable_variables`, the optimizer's order). */
function kerasBackboneOrder(weights: readonly NamedWeight[]): NamedWeight[] {
  const layerStart = new Map<string, number>();
  const keyed = weights.map((w, index) => {
    const [layer, ...rest] = w.path.split("/");
    if (!layerStart.has(layer!)) layerStart.set(layer!, index);
    const sub = rest.join("/");
    return { w, index, layer: layerStart.get(layer!)!, sub: Math.max(0, ENCODER_SUBLAYERS.findIndex((p) => sub.startsWith(p))) };
  });
  keyed.sort((a, b) => a.layer - b.layer || a.sub - b.sub || a.index - b.index);
  return keyed.map((k) => k.w);
}

/**
 * What KerasHub's `Task` gives every task: a backbone, an optional preprocessor, a head whose
 * weights live in `store`, and Keras' `compile` / `fit` / `evaluate` with KerasHub's default
 * compilation (a task is compiled on construction, as `Task.__init__` does).
 */
export abstract class Task {
  readonly backbone: AlbertBackbone;
  readonly name: string;
  /** Set to true (by a callback) to stop `fit` after the current batch. */
  stopTraining = false;
  protected readonly store: WeightStore;
  private compiled: Compiled | undefined;
  /** A frozen backbone's outputs for the batch being trained on (see `trainOnBatch`). */
  private frozenBackbone: { sequenceOutput: tf.Tensor3D; pooledOutput: tf.Tensor2D } | undefined;
  /** `fit` on native TensorFlow: the whole step as one TensorFlow graph. */
  private readonly graphTraining = new GraphTraining();
  /** The head still holds its initializers' values (see `FitOptions.seed`). */
  private headFresh: boolean;
  private disposed = false;

  protected constructor(backbone: AlbertBackbone, store: WeightStore, name: string) {
    this.backbone = backbone;
    this.store = store;
    this.name = name;
    this.headFresh = store.fromInitializers;
  }

  /** The attached preprocessor (`null`: inputs must be packed ids). */
  abstract preprocessor: TaskPreprocessor | null;

  // === Subclass hooks ===

  /** The task's own preset files (see `saveToPreset`). */
  protected abstract presetFiles(): TaskPresetFilesOf;

  /** The model's output for a batch (`training`: dropout on, recorded for gradients). */
  protected abstract forward(inputs: BatchTensors, training: boolean): tf.Tensor;

  /** Turns `fit`/`evaluate`'s `x`, `y`, `sampleWeight` into batches, validating them. */
  protected abstract dataset(x: unknown, y: unknown, sampleWeight: unknown, purpose: "fit" | "evaluate"): TaskDataset;

  /** KerasHub's compile defaults for this task. */
  protected abstract defaultCompile(): Compiled;

  /** The head as the native train graph builds it (`undefined`: `fit` runs on the tape). */
  protected trainGraphHead(): TrainHead | undefined {
    return undefined;
  }

  // === Weights ===

  /** Every variable (backbone, then head) with its KerasHub path, in Keras' order. */
  get weights(): TaskWeight[] {
    this.assertUsable();
    const backbone = kerasBackboneOrder(this.backbone.weights);
    return [...backbone, ...this.store.all()].map(({ path, variable }) => ({ path, shape: [...variable.shape], variable }));
  }

  /** The weights `fit` updates: those whose layer is `trainable`, in Keras' order. */
  get trainableWeights(): TaskWeight[] {
    return this.weights.filter((w) => w.variable.trainable);
  }

  /** Keras' `trainable` for the whole task: `false` freezes backbone and head. */
  get trainable(): boolean {
    return this.backbone.trainable && this.store.isTrainable("");
  }

  set trainable(value: boolean) {
    this.backbone.trainable = value;
    this.store.setTrainable("", value);
  }

  /** Number of parameters (backbone and head). */
  countParams(): number {
    return this.weights.reduce((n, w) => n + w.variable.size, 0);
  }

  // === Compile ===

  /**
   * Keras' `compile`. Left out (or `"auto"`), each argument takes KerasHub's default for the
   * task. Compiling again replaces the optimizer and frees the previous one's state.
   */
  compile(options: CompileOptions = {}): void {
    this.assertUsable();
    if (typeof options !== "object" || options === null) {
      throw new AlbertInputError("invalid_type", "options", `compile: options must be an object, got ${JSON.stringify(options)}`);
    }
    const known = new Set(["optimizer", "loss", "metrics", "weightedMetrics"]);
    for (const key of Object.keys(options)) {
      if (!known.has(key)) {
        throw new AlbertInputError("invalid_value", "options", `compile: unknown option ${JSON.stringify(key)}; allowed: ${[...known].join(", ")}`);
      }
    }
    const defaults = this.defaultCompile();
    let optimizer = resolveOptimizer(options.optimizer, defaults.optimizer);
    // Keras' compile: under mixed_float16 the optimizer scales the loss.
    if (this.backbone.dtypePolicy.name === "mixed_float16" && !(optimizer instanceof LossScaleOptimizer)) {
      optimizer = new LossScaleOptimizer(optimizer);
    }
    const next: Compiled = {
      optimizer,
      loss: resolveLoss(options.loss, defaults.loss),
      metrics: resolveMetrics(options.metrics, defaults.metrics, "metrics"),
      weightedMetrics: resolveMetrics(options.weightedMetrics, defaults.weightedMetrics, "weightedMetrics"),
    };
    // The previous optimizer's slots belong to this model's variables: free them (unless the
    // same optimizer is compiled again, in a new loss-scale wrapper).
    const inner = (o: Optimizer) => (o instanceof LossScaleOptimizer ? o.innerOptimizer : o);
    if (this.compiled !== undefined && inner(this.compiled.optimizer) !== inner(optimizer)) this.compiled.optimizer.dispose();
    this.compiled = next;
  }

  /** The compiled optimizer (KerasHub compiles every task with its defaults on creation). */
  get optimizer(): Optimizer {
    return this.ensureCompiled().optimizer;
  }

  private ensureCompiled(): Compiled {
    if (this.compiled === undefined) this.compile();
    return this.compiled!;
  }

  // === Fit / evaluate ===

  /**
   * Keras' `fit`: trains on `x`/`y` for `epochs` passes of `batchSize` examples, calling the
   * callbacks with Keras' logs (running means over the epoch), and returns Keras' `History`.
   * Dropout is active; weights of non-trainable layers do not change.
   */
  async fit(x: unknown, y?: unknown, options: FitOptions = {}): Promise<History> {
    this.assertUsable();
    ensureBackend();
    const compiled = this.ensureCompiled();
    for (const key of Object.keys(options ?? {})) {
      if (!FIT_OPTIONS.has(key)) {
        throw new AlbertInputError("invalid_value", "options", `fit: unknown option ${JSON.stringify(key)}; allowed: ${[...FIT_OPTIONS].join(", ")}`);
      }
    }
    const batchSize = positiveInteger(options.batchSize, "batchSize", 32);
    const epochs = positiveInteger(options.epochs, "epochs", 1);
    const initialEpoch = options.initialEpoch ?? 0;
    if (!Number.isInteger(initialEpoch) || initialEpoch < 0) {
      throw new AlbertInputError("invalid_value", "initialEpoch", `initialEpoch must be an integer >= 0, got ${JSON.stringify(initialEpoch)}`);
    }
    const shuffle = options.shuffle ?? true;
    const seed = options.seed;
    if (seed !== undefined && (typeof seed !== "number" || !Number.isSafeInteger(seed))) {
      throw new AlbertInputError("invalid_value", "seed", `seed must be a safe integer, got ${JSON.stringify(seed)}`);
    }
    let train = this.dataset(x, y, options.sampleWeight, "fit");
    let validation = options.validationData === undefined ? undefined : this.validationDataset(options.validationData);
    if (options.validationSplit !== undefined) {
      const split = options.validationSplit;
      if (typeof split !== "number" || !(split > 0 && split < 1)) {
        throw new AlbertInputError("invalid_value", "validationSplit", `validationSplit must be a number in (0, 1), got ${JSON.stringify(split)}`);
      }
      if (validation !== undefined) {
        throw new AlbertInputError("invalid_value", "validationSplit", "pass validationData or validationSplit, not both");
      }
      [train, validation] = splitDataset(train, split);
    }
    const validationBatchSize = positiveInteger(options.validationBatchSize, "validationBatchSize", batchSize);
    const callbacks = new CallbackList(options.callbacks);
    const steps = Math.ceil(train.size / batchSize);
    const history = new History({ epochs, steps });
    const lossTracker = new Mean("loss");
    const variables = this.optimizedVariables();
    await ensureGradients();
    if (seed !== undefined && this.headFresh) this.seedHead(seed);
    const shuffler = seed === undefined ? undefined : new PythonRandom(seed);
    let step = 0;
    this.stopTraining = false;
    let logs: Logs = {};
    await callbacks.call("onTrainBegin", {});
    for (let epoch = initialEpoch; epoch < epochs && !this.stopTraining; epoch++) {
      lossTracker.reset();
      for (const m of [...compiled.metrics, ...compiled.weightedMetrics]) m.resetState();
      await callbacks.call("onEpochBegin", epoch, {});
      const parts = batches(order(train.size, shuffle, shuffler), batchSize);
      for (let b = 0; b < parts.length && !this.stopTraining; b++) {
        await callbacks.call("onTrainBatchBegin", b, {});
        const batch = train.batch(parts[b]!);
        this.trainOnBatch(batch, variables, compiled, lossTracker, stepSeed(seed, step++));
        logs = this.logs(lossTracker, compiled);
        await callbacks.call("onTrainBatchEnd", b, { ...logs });
      }
      if (validation !== undefined) {
        const validationLogs = await this.evaluateDataset(validation, validationBatchSize, new CallbackList(undefined));
        for (const [key, value] of Object.entries(validationLogs)) logs[`val_${key}`] = value;
      }
      await callbacks.call("onEpochEnd", epoch, { ...logs });
      history.record(epoch, logs);
    }
    await callbacks.call("onTrainEnd", { ...logs });
    return history;
  }

  /**
   * Keras' `evaluate(..., return_dict=True)`: the loss and metrics over `x`/`y`, in batches,
   * each batch weighted by its size (`{ loss, sparse_categorical_accuracy }`). Dropout is off.
   */
  async evaluate(x: unknown, y?: unknown, options: EvaluateOptions = {}): Promise<Logs> {
    this.assertUsable();
    ensureBackend();
    this.ensureCompiled();
    const batchSize = positiveInteger(options.batchSize, "batchSize", 32);
    return this.evaluateDataset(this.dataset(x, y, options.sampleWeight, "evaluate"), batchSize, new CallbackList(options.callbacks));
  }

  private async evaluateDataset(data: TaskDataset, batchSize: number, callbacks: CallbackList): Promise<Logs> {
    const compiled = this.ensureCompiled();
    const lossTracker = new Mean("loss");
    const all = [...compiled.metrics, ...compiled.weightedMetrics];
    for (const m of all) m.resetState();
    await callbacks.call("onTestBegin", {});
    const parts = batches(order(data.size, false), batchSize);
    let logs: Logs = {};
    for (let b = 0; b < parts.length; b++) {
      await callbacks.call("onTestBatchBegin", b, {});
      const batch = data.batch(parts[b]!);
      this.withBatchTensors(batch, (inputs, y, sampleWeight) => {
        const yPred = this.forward(inputs, false);
        try {
          const loss = tf.tidy(() => compiled.loss.call(y!, yPred, sampleWeight));
          lossTracker.update(loss.dataSync(), [], parts[b]!.length);
          loss.dispose();
          this.updateMetrics(compiled, y!, yPred, sampleWeight);
        } finally {
          yPred.dispose();
        }
      });
      logs = this.logs(lossTracker, compiled);
      await callbacks.call("onTestBatchEnd", b, { ...logs });
    }
    await callbacks.call("onTestEnd", { ...logs });
    return logs;
  }

  private validationDataset(data: FitOptions["validationData"]): TaskDataset {
    if (Array.isArray(data)) {
      if (data.length < 1 || data.length > 3) {
        throw new AlbertInputError("invalid_value", "validationData", `validationData must be [x, y] or [x, y, sampleWeight], got an array of length ${data.length}`);
      }
      return this.dataset(data[0], data[1], data[2], "evaluate");
    }
    if (typeof data === "object" && data !== null && "x" in data) {
      const d = data as { x: unknown; y?: unknown; sampleWeight?: unknown };
      return this.dataset(d.x, d.y, d.sampleWeight, "evaluate");
    }
    throw new AlbertInputError("invalid_type", "validationData", `validationData must be [x, y], [x, y, sampleWeight] or { x, y, sampleWeight }, got ${JSON.stringify(data)?.slice(0, 80)}`);
  }

  /**
   * How `fit` trains on this task: `"graph"` (native TensorFlow: each step, forward, backward
   * and the optimizer's update, runs as one TensorFlow graph that this library builds), or
   * `"tape (<why>)"`: op by op on TF.js' gradient tape (other backends, 16-bit policies,
   * optimizers or losses the graph does not implement, `ALBERT_TRAIN_GRAPH=0`). Before the
   * first `fit`, what it would use.
   */
  get trainingEngine(): string {
    this.assertUsable();
    const status = this.graphTraining.status;
    if (status !== "tape (not used yet)") return status;
    const reason = this.graphTraining.reasonAgainst(this.graphSetup(this.ensureCompiled()));
    return reason === undefined ? "graph (built on the first batch)" : `tape (${reason})`;
  }

  private graphSetup(compiled: Compiled): GraphTrainingSetup {
    return { backbone: this.backbone, head: this.trainGraphHead(), loss: compiled.loss, optimizer: compiled.optimizer, weights: this.weights };
  }

  private trainOnBatch(batch: TaskBatch, variables: OptimizedVariable[], compiled: Compiled, lossTracker: Mean, seed: number | string): void {
    this.withBatchTensors(batch, (inputs, y, sampleWeight) => {
      const setup = this.graphSetup(compiled);
      const session = this.graphTraining.sessionFor(setup);
      const graphStep = session && this.graphTraining.step(session, setup, variables, { inputs, y: y!, sampleWeight }, graphSeed(seed));
      const { loss, yPred } = graphStep ?? withDropoutSeed(typeof seed === "string" ? seed : undefined, () => this.tapeStep(inputs, y!, sampleWeight, variables, compiled));
      this.headFresh = false;
      try {
        lossTracker.update([loss], [], batch.inputs["tokenIds"]!.shape[0]!);
        this.updateMetrics(compiled, y!, yPred, sampleWeight);
      } finally {
        yPred.dispose();
      }
    });
  }

  /** One step on TF.js' gradient tape (`trainStep`). */
  private tapeStep(inputs: BatchTensors, y: tf.Tensor, sampleWeight: tf.Tensor | undefined, variables: OptimizedVariable[], compiled: Compiled) {
    // A frozen backbone without dropout computes what it computes at inference: run it once,
    // outside the gradient tape (as a TensorFlow graph on native TensorFlow), and train the
    // head on its outputs. The same numbers as running it on the tape, a fraction of the work.
    const frozen = this.backbone.dropout === 0 && !this.backbone.weights.some((w) => w.variable.trainable);
    this.frozenBackbone = frozen ? this.backbone.predict(this.backboneInputs(inputs)) : undefined;
    try {
      return trainStep({
        variables,
        lookups: [
          { layer: this.backbone.tokenEmbedding, ids: inputs["tokenIds"]! },
          { layer: this.backbone.segmentEmbedding, ids: inputs["segmentIds"]! },
        ],
        forward: () => this.forward(inputs, true),
        loss: (p) => compiled.loss.call(y, p, sampleWeight),
        optimizer: compiled.optimizer,
      });
    } finally {
      if (this.frozenBackbone !== undefined) tf.dispose([this.frozenBackbone.sequenceOutput, this.frozenBackbone.pooledOutput]);
      this.frozenBackbone = undefined;
    }
  }

  /**
   * Redraws a new head's kernels from `seed` (`fit`'s `seed`): each matrix of the head, in
   * order, from KerasHub's truncated normal (stddev 0.02) seeded with `seed`, `seed + 1`, ...;
   * biases and LayerNorm weights start at fixed values anyway.
   */
  private seedHead(seed: number): void {
    const kernels = this.store.all().filter(({ variable }) => variable.rank === 2);
    kernels.forEach(({ variable }, i) => {
      const values = fillTruncatedNormal(new Float32Array(variable.size), 0.02, seed + i);
      tf.tidy(() => variable.assign(this.store.toVariableValue(tf.tensor(values, variable.shape))));
    });
  }

  private updateMetrics(compiled: Compiled, y: tf.Tensor, yPred: tf.Tensor, sampleWeight: tf.Tensor | undefined): void {
    for (const m of compiled.metrics) m.updateState(y, yPred);
    for (const m of compiled.weightedMetrics) m.updateState(y, yPred, sampleWeight);
  }

  private logs(lossTracker: Mean, compiled: Compiled): Logs {
    const logs: Logs = { loss: lossTracker.result() };
    for (const m of [...compiled.metrics, ...compiled.weightedMetrics]) logs[m.name] = m.result();
    return logs;
  }

  /** The trainable variables in Keras' order, as the optimizer sees them. */
  private optimizedVariables(): OptimizedVariable[] {
    return this.trainableWeights.map(({ path, variable }) => ({ path, variable }));
  }

  /** Runs `fn` with a batch's arrays as tensors, freed afterwards. */
  protected withBatchTensors<T>(batch: TaskBatch, fn: (inputs: BatchTensors, y?: tf.Tensor, sampleWeight?: tf.Tensor) => T): T {
    const inputs = Object.fromEntries(Object.entries(batch.inputs).map(([k, grid]) => [k, gridTensor(grid)]));
    const y = batch.y && gridTensor(batch.y);
    const sampleWeight = batch.sampleWeight && gridTensor(batch.sampleWeight);
    try {
      return fn(inputs, y, sampleWeight);
    } finally {
      tf.dispose([...Object.values(inputs), ...(y ? [y] : []), ...(sampleWeight ? [sampleWeight] : [])]);
    }
  }

  /** `predict`'s `batchSize` (default 32), checked. */
  protected predictBatchSize(options: { batchSize?: number }): number {
    this.assertUsable();
    return positiveInteger(options?.batchSize, "batchSize", 32);
  }

  /** The backbone on a batch's packed inputs (graph inference unless training); the caller
   * disposes both outputs. */
  protected callBackbone(inputs: BatchTensors, training: boolean): { sequenceOutput: tf.Tensor3D; pooledOutput: tf.Tensor2D } {
    if (this.frozenBackbone !== undefined) {
      const { sequenceOutput, pooledOutput } = this.frozenBackbone;
      return { sequenceOutput: tf.clone(sequenceOutput), pooledOutput: tf.clone(pooledOutput) };
    }
    return this.backbone.call(this.backboneInputs(inputs), { training });
  }

  private backboneInputs(inputs: BatchTensors) {
    return { tokenIds: inputs["tokenIds"]!, segmentIds: inputs["segmentIds"]!, paddingMask: inputs["paddingMask"]! };
  }

  /** Runs the model over a dataset in batches and concatenates the outputs (dropout off). */
  protected predictDataset(data: TaskDataset, batchSize: number): tf.Tensor {
    const outputs: tf.Tensor[] = [];
    try {
      for (const part of batches(order(data.size, false), batchSize)) {
        outputs.push(this.withBatchTensors(data.batch(part), (inputs) => this.forward(inputs, false)));
      }
      return outputs.length === 1 ? outputs[0]! : tf.concat(outputs, 0);
    } finally {
      if (outputs.length > 1) tf.dispose(outputs);
    }
  }

  /** Checks packed inputs (ranges, shapes, length) the way the backbone will, up front. */
  protected checkPacked(inputs: Record<string, Grid>): void {
    const rows = inputs["tokenIds"]!.shape[0]!;
    for (let start = 0; start < rows; start += 256) {
      const part = Array.from({ length: Math.min(256, rows - start) }, (_, i) => start + i);
      const [tokenIds, segmentIds, paddingMask] = (["tokenIds", "segmentIds", "paddingMask"] as const).map((k) => gridTensor(takeRows(inputs[k]!, part)));
      try {
        const prepared = prepareInputs({ tokenIds: tokenIds!, segmentIds: segmentIds!, paddingMask: paddingMask! }, this.backbone);
        tf.dispose([prepared.tokenIds, prepared.segmentIds, prepared.paddingMask, prepared.maskBias]);
      } catch (error) {
        throw error instanceof AlbertInputError && start > 0
          ? new AlbertInputError(error.code, error.argument, `${error.message} (in rows ${start}..${start + part.length - 1})`)
          : error;
      } finally {
        tf.dispose([tokenIds!, segmentIds!, paddingMask!]);
      }
    }
  }

  // === Config and presets ===

  /** KerasHub's `get_config()` of the task (snake_case): the backbone and the preprocessor
   * serialized, the name, and the subclass's own arguments. */
  getConfig(): Record<string, unknown> {
    return {
      backbone: serializedBackbone(this.backbone),
      preprocessor: this.preprocessor?.serialize() ?? null,
      name: this.name,
    };
  }

  /**
   * Writes the task as a KerasHub task preset: the backbone (`config.json`,
   * `model.weights.h5`, `metadata.json`), the attached preprocessor (`preprocessor.json`,
   * `tokenizer.json`, `assets/tokenizer/vocabulary.spm`), `task.json` and `task.weights.h5`
   * (the head, the optimizer's state and KerasHub's empty groups), and what KerasHub has no
   * place for in `albert_ts_task.json`. Python KerasHub's `from_preset` loads it.
   */
  async saveToPreset(dir: string): Promise<void> {
    this.assertUsable();
    if (typeof dir !== "string" || dir.length === 0) {
      throw new AlbertInputError("invalid_value", "dir", `saveToPreset: dir must be a non-empty path string, got ${JSON.stringify(dir)}`);
    }
    const files = this.presetFiles();
    await saveTaskPreset(dir, this.backbone, {
      ...files,
      name: this.name,
      optimizer: this.optimizer,
      preprocessor: this.preprocessor,
    });
  }

  // === Lifecycle ===

  /** Frees the backbone, the head and the compiled optimizer's state. */
  dispose(): void {
    if (this.disposed) return;
    this.graphTraining.dispose();
    this.compiled?.optimizer.dispose();
    this.backbone.dispose();
    this.store.dispose();
    this.disposed = true;
  }

  protected assertUsable(): void {
    if (this.disposed) {
      throw new AlbertConfigError("model_disposed", `${this.name} has been disposed: its weights are freed; build or load the task again`);
    }
  }
}

/**
 * The seed of one `fit` step: with `fit`'s `seed`, a string naming the step (for TF.js'
 * seeded dropout on the tape, and hashed for the graph's); without, a fresh random int32.
 */
function stepSeed(seed: number | undefined, step: number): number | string {
  return seed === undefined ? (Math.random() * 2 ** 32) | 0 : `${seed}/${step}`;
}

/** A step seed as the graph's int32 dropout seed (FNV-1a of a string seed). */
function graphSeed(seed: number | string): number {
  if (typeof seed === "number") return seed;
  let hash = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) hash = Math.imul(hash ^ seed.charCodeAt(i), 0x01000193);
  return hash | 0;
}

function resolveOptimizer(value: CompileOptions["optimizer"], fallback: Optimizer): Optimizer {
  if (value === undefined || value === "auto") return fallback;
  if (value === "adam") return new Adam();
  if (value === "adamw") return new AdamW();
  if (typeof value === "object" && value !== null && typeof (value as Optimizer).applyGradients === "function") return value;
  throw new AlbertConfigError("invalid_argument", `optimizer must be an Optimizer (new Adam(...), new AdamW(...)), "adam", "adamw" or "auto", got ${JSON.stringify(value)}`, "optimizer");
}

function resolveLoss(value: CompileOptions["loss"], fallback: Loss): Loss {
  if (value === undefined || value === "auto") return fallback;
  if (value === "sparse_categorical_crossentropy") return new SparseCategoricalCrossentropy();
  if (typeof value === "object" && value !== null && typeof (value as Loss).call === "function") return value;
  throw new AlbertConfigError(
    "invalid_argument",
    `loss must be a Loss (new SparseCategoricalCrossentropy(...)), "sparse_categorical_crossentropy" or "auto", got ${JSON.stringify(value)}`,
    "loss",
  );
}

function resolveMetrics(value: CompileOptions["metrics"], fallback: Metric[], argument: string): Metric[] {
  if (value === undefined || value === "auto") return fallback;
  if (!Array.isArray(value)) {
    throw new AlbertConfigError("invalid_argument", `${argument} must be an array of metrics or "auto", got ${JSON.stringify(value)}`, argument);
  }
  return value.map((m) => {
    if (m === "accuracy" || m === "sparse_categorical_accuracy") return new SparseCategoricalAccuracy(m);
    if (typeof m === "object" && m !== null && typeof (m as Metric).updateState === "function") return m as Metric;
    throw new AlbertConfigError(
      "invalid_argument",
      `${argument} entries must be Metric objects, "accuracy" or "sparse_categorical_accuracy", got ${JSON.stringify(m)}`,
      argument,
    );
  });
}

/** Keras' `validation_split`: the last `fraction` of the examples, taken before shuffling. */
function splitDataset(data: TaskDataset, fraction: number): [TaskDataset, TaskDataset] {
  const held = Math.floor(data.size * fraction);
  const kept = data.size - held;
  if (held === 0 || kept === 0) {
    throw new AlbertInputError("invalid_value", "validationSplit", `validationSplit ${fraction} of ${data.size} examples leaves an empty training or validation set`);
  }
  const view = (offset: number, size: number): TaskDataset => ({
    size,
    batch: (indices) => data.batch(indices.map((i) => i + offset)),
  });
  return [view(0, kept), view(kept, held)];
}
