import type { WeightMap } from "@albert/presets";
import { AlbertTextClassifierPreprocessor } from "@albert/tokenizer";
import { AlbertBackbone } from "../albert-backbone.js";
import { Precision } from "../dtype/rounding.js";
import { AlbertConfigError, AlbertInputError } from "../errors.js";
import { Dense } from "../layers/dense.js";
import { WeightStore } from "../layers/layer.js";
import { tf } from "../tf.js";
import { dropout } from "../layers/dropout.js";
import { SparseCategoricalCrossentropy } from "../training/losses.js";
import { SparseCategoricalAccuracy } from "../training/metrics.js";
import { Adam } from "../training/optimizers/adam.js";
import type { TrainHead } from "../graph/train-graph.js";
import { Task, type BatchTensors, type TaskDataset, type TaskPresetFilesOf } from "./task.js";
import { checkRange, rowsDataset, toGrid, type Grid, type TextInputs } from "./task-data.js";
import { textOrPackedInputs } from "./text-or-packed.js";
import { hfLabels, hfLinearHead, hfPreprocessorOptions, type HfHeadSpec } from "./hf-task-preset.js";
import { idsByLabel, labelsById, logitsHeadPresetFiles, logitsHeadSpecs } from "./logits-head.js";
import { fromTaskPreset, headWeights, type KerasTaskClass, type TaskPresetOptions } from "./task-presets.js";
import type { PackedTaskInputs } from "./packed-inputs.js";

/** Keras activations a classifier's output can take (`"linear"`/`null`: logits). */
export type ClassifierActivation = "linear" | "softmax" | "sigmoid" | "relu" | "tanh";

const ACTIVATIONS: Record<ClassifierActivation, (x: tf.Tensor) => tf.Tensor> = {
  linear: (x) => x,
  softmax: (x) => tf.softmax(x),
  sigmoid: (x) => tf.sigmoid(x),
  relu: (x) => tf.relu(x),
  tanh: (x) => tf.tanh(x),
};

/** Class labels: `["negative", "positive"]` or `{ 0: "negative", 1: "positive" }`. */
export type Labels = readonly string[] | Readonly<Record<number | string, string>>;

/** `new AlbertTextClassifier(...)`'s arguments: KerasHub's, in camelCase. */
export interface AlbertTextClassifierArgs {
  backbone: AlbertBackbone;
  /** Number of classes: the width of the `logits` layer. */
  numClasses: number;
  /** Turns raw text into the backbone's inputs (`predict`, `fit` and `evaluate` on strings). */
  preprocessor?: AlbertTextClassifierPreprocessor | null;
  /** Applied to the outputs (default `null`: logits; `"softmax"` for probabilities). */
  activation?: ClassifierActivation | null;
  /** Dropout on the pooled output before `logits`, while training (default 0.1). */
  dropout?: number;
  /** The task's Keras name (default `"albert_text_classifier"`). */
  name?: string;
  /** Beyond KerasHub: class names, saved with the preset (`albert_ts_task.json`). `fit` and
   * `evaluate` then also take labels by name. */
  id2label?: Labels;
  /** KerasHub compiles a task with its defaults on creation (default true). */
  compile?: boolean;
}

/** `AlbertTextClassifier.fromPreset` options: the constructor's arguments (KerasHub's kwargs)
 * and how to resolve the preset. Passing `numClasses` builds a new head, as KerasHub does. */
export type AlbertTextClassifierPresetOptions = TaskPresetOptions & Partial<Omit<AlbertTextClassifierArgs, "backbone">>;

/** What `predict` takes: raw text (with a preprocessor attached) or packed inputs. */
export type ClassifierInputs = TextInputs | PackedTaskInputs;

export interface ClassifierPredictOptions {
  /** Examples per forward pass (default 32, as Keras). */
  batchSize?: number;
}

function describe(value: unknown): string {
  return JSON.stringify(value)?.slice(0, 80) ?? String(value);
}

export function checkLabels(labels: Labels | undefined, numClasses: number): string[] | undefined {
  if (labels === undefined) return undefined;
  const list = Array.isArray(labels)
    ? [...(labels as string[])]
    : Array.from({ length: numClasses }, (_, i) => (labels as Record<string, string>)[String(i)]);
  if (list.length !== numClasses || list.some((l) => typeof l !== "string") || new Set(list).size !== list.length) {
    throw new AlbertConfigError(
      "invalid_argument",
      `id2label must name each of the ${numClasses} classes once (an array of ${numClasses} distinct strings, or { 0: ..., ${numClasses - 1}: ... }), got ${describe(labels)}`,
      "id2label",
    );
  }
  return list as string[];
}

/**
 * KerasHub's `AlbertTextClassifier`: an `AlbertBackbone`, dropout on its pooled output, and a
 * Dense layer named `logits` with `numClasses` units, with an optional attached
 * `AlbertTextClassifierPreprocessor` so that `predict`, `fit` and `evaluate` take raw text.
 * It trains as Keras' `fit` does (KerasHub's defaults: Adam(1e-5), sparse categorical
 * cross-entropy from logits, sparse categorical accuracy), and saves and loads KerasHub task
 * presets that Python KerasHub reads with the same logits.
 *
 * @example
 * ```ts
 * import { AlbertTextClassifier, Adam, tf } from "@albert/core";
 *
 * const classifier = await AlbertTextClassifier.fromPreset("albert_base_en_uncased", { numClasses: 2 });
 * const texts = ["The quick brown fox jumped.", "I forgot my homework."];
 * classifier.compile({ optimizer: new Adam({ learningRate: 5e-5 }) });
 * const history = await classifier.fit(texts, [1, 0], { batchSize: 2, epochs: 3 });
 * const logits = classifier.predict(texts); // [2, 2]
 * console.log(history.history.loss, await logits.array());
 * logits.dispose();
 * await classifier.saveToPreset("./my_classifier"); // Python: AlbertTextClassifier.from_preset
 * classifier.dispose();
 * ```
 */
export class AlbertTextClassifier extends Task {
  static readonly className = "AlbertTextClassifier";
  /** KerasHub's class, as `task.json` names it. */
  static readonly kerasClass: KerasTaskClass = {
    module: "keras_hub.src.models.albert.albert_text_classifier",
    className: "AlbertTextClassifier",
    registeredName: "keras_hub>AlbertTextClassifier",
  };

  /** The transformers class whose head `fromPreset` reads from HF checkpoints. */
  static readonly hfHead: HfHeadSpec = {
    task: "AlbertTextClassifier",
    architectures: ["AlbertForSequenceClassification"],
    readsPooler: true,
  };

  readonly numClasses: number;
  readonly activation: ClassifierActivation;
  readonly dropout: number;
  /** The attached preprocessor (`null`: inputs must be packed ids). */
  preprocessor: AlbertTextClassifierPreprocessor | null;
  /** The Dense layer named `logits` ([hiddenDim, numClasses] kernel). */
  readonly outputDense: Dense;
  private readonly labels: string[] | undefined;

  /**
   * @param options.weights the head's weights (`logits/kernel`, `logits/bias`) instead of
   *   random ones (what `fromPreset` uses).
   */
  constructor(args: AlbertTextClassifierArgs, options: { weights?: WeightMap } = {}) {
    if (typeof args !== "object" || args === null || !(args.backbone instanceof AlbertBackbone)) {
      throw new AlbertConfigError("invalid_argument", `AlbertTextClassifier needs { backbone: AlbertBackbone, numClasses, ... }, got backbone ${describe(args?.backbone)}`, "backbone");
    }
    const { numClasses, dropout = 0.1, activation = null, preprocessor = null, name = "albert_text_classifier" } = args;
    if (numClasses === undefined) {
      throw new AlbertConfigError("invalid_argument", "numClasses is required to build a new classification head (the number of classes, an integer >= 1)", "numClasses");
    }
    if (!Number.isInteger(numClasses) || numClasses < 1) {
      throw new AlbertConfigError("invalid_argument", `numClasses must be an integer >= 1, got ${describe(numClasses)}`, "numClasses");
    }
    if (typeof dropout !== "number" || !(dropout >= 0 && dropout < 1)) {
      throw new AlbertConfigError("invalid_argument", `dropout must be a number in [0, 1), got ${describe(dropout)}`, "dropout");
    }
    const act = activation ?? "linear";
    if (!(act in ACTIVATIONS)) {
      throw new AlbertConfigError("invalid_argument", `activation must be null or one of ${Object.keys(ACTIVATIONS).join(", ")}, got ${describe(activation)}`, "activation");
    }
    if (preprocessor !== null && !(preprocessor instanceof AlbertTextClassifierPreprocessor)) {
      throw new AlbertConfigError("invalid_argument", `preprocessor must be an AlbertTextClassifierPreprocessor or null, got ${describe(preprocessor)}`, "preprocessor");
    }
    const labels = checkLabels(args.id2label, numClasses);
    // The head computes under the backbone's dtype policy, as KerasHub builds its layers.
    const store = new WeightStore(name, options.weights, args.backbone.dtypePolicy);
    super(args.backbone, store, name);
    this.outputDense = new Dense(store, "logits", args.backbone.hiddenDim, numClasses);
    this.numClasses = numClasses;
    this.activation = act;
    this.dropout = dropout;
    this.preprocessor = preprocessor;
    this.labels = labels;
    if (args.compile !== false) this.compile();
  }

  /** Class names by index, when the classifier has them (`id2label`). */
  get id2label(): Record<number, string> | undefined {
    return labelsById(this.labels);
  }

  /** Class index by name, when the classifier has labels. */
  get label2id(): Record<string, number> | undefined {
    return idsByLabel(this.labels);
  }

  // === Inference ===

  /**
   * The outputs (logits unless `activation` is set) for raw text (through the attached
   * preprocessor: strings, `{ first, second }` pairs or KerasHub's `[firsts, seconds]`) or
   * packed `{ tokenIds, segmentIds, paddingMask }`, in batches of `batchSize`: [batch,
   * numClasses]. Dropout is off. The caller disposes the tensor.
   */
  predict(x: ClassifierInputs, options: ClassifierPredictOptions = {}): tf.Tensor2D {
    const batchSize = this.predictBatchSize(options);
    return this.predictDataset(this.dataset(x, undefined, undefined, "predict"), batchSize) as tf.Tensor2D;
  }

  protected forward(inputs: BatchTensors, training: boolean): tf.Tensor {
    const out = this.callBackbone(inputs, training);
    out.sequenceOutput.dispose();
    try {
      return tf.tidy(() => {
        let pooled: tf.Tensor = out.pooledOutput;
        if (training && this.dropout > 0) pooled = dropout(pooled, this.dropout);
        // In 16 bits the activation's result is rounded to the compute dtype too.
        const precision = new Precision(this.backbone.dtypePolicy.computeDtype);
        return precision.round(ACTIVATIONS[this.activation](this.outputDense.call(pooled)));
      });
    } finally {
      out.pooledOutput.dispose();
    }
  }

  protected override trainGraphHead(): TrainHead {
    return { kind: "pooled", dropout: this.dropout, activation: this.activation };
  }

  // === Data ===

  protected dataset(x: unknown, y: unknown, sampleWeight: unknown, purpose: "fit" | "evaluate" | "predict"): TaskDataset {
    const { size, inputs } = textOrPackedInputs(x, this.preprocessor, (grids) => this.checkPacked(grids), "the classifier");
    const labels = purpose === "predict" ? undefined : this.labelGrid(y, size);
    const weights = sampleWeight === undefined || purpose === "predict" ? undefined : toGrid(sampleWeight, "sampleWeight", 1, "float");
    if (weights !== undefined && weights.shape[0] !== size) {
      throw new AlbertInputError("shape_mismatch", "sampleWeight", `sampleWeight has ${weights.shape[0]} values but x has ${size} examples`);
    }
    return rowsDataset(size, inputs, labels, weights);
  }

  /** Labels as class indexes in [0, numClasses): integers, or names when `id2label` is set. */
  private labelGrid(y: unknown, size: number): Grid {
    if (y === undefined || y === null) {
      throw new AlbertInputError("missing_input", "y", "y is missing: pass one class index (an integer in [0, numClasses)) per example");
    }
    let value = y;
    if (Array.isArray(y) && y.some((v) => typeof v === "string")) {
      const ids = this.label2id;
      value = y.map((v, i) => {
        if (typeof v !== "string") return v;
        if (ids === undefined || !(v in ids)) {
          throw new AlbertInputError(
            "invalid_value",
            "y",
            ids === undefined
              ? `y[${i}] = ${JSON.stringify(v)} is a label name, but the classifier has no id2label; pass class indexes in [0, ${this.numClasses})`
              : `y[${i}] = ${JSON.stringify(v)} is not a label of this classifier; allowed: ${Object.keys(ids).join(", ")}`,
          );
        }
        return ids[v];
      });
    }
    if (value instanceof tf.Tensor && value.rank === 2 && value.shape[1] === 1) value = tf.tidy(() => tf.reshape(value as tf.Tensor, [-1]));
    const grid = toGrid(value, "y", 1, "int");
    if (value !== y) (value as { dispose?: () => void }).dispose?.();
    if (grid.shape[0] !== size) {
      throw new AlbertInputError("shape_mismatch", "y", `y has ${grid.shape[0]} labels but x has ${size} examples: pass one label per example`);
    }
    checkRange(grid, "y", this.numClasses, `class indexes (numClasses ${this.numClasses})`);
    return grid;
  }

  protected defaultCompile() {
    return {
      optimizer: new Adam({ learningRate: 1e-5 }),
      // KerasHub: from_logits unless the activation is softmax.
      loss: new SparseCategoricalCrossentropy({ fromLogits: this.activation !== "softmax" }),
      metrics: [new SparseCategoricalAccuracy()],
      weightedMetrics: [],
    };
  }

  // === Config and presets ===

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), num_classes: this.numClasses, activation: this.activation, dropout: this.dropout };
  }

  /**
   * Loads a classifier from a preset, as KerasHub's `from_preset`: a task preset
   * (`task.json` + `task.weights.h5`) loads its head; a backbone preset, or passing
   * `numClasses`, builds a new head. An HF `AlbertForSequenceClassification` checkpoint loads
   * its `classifier` and `id2label` (another head's checkpoint is an `AlbertConfigError`). Other options are the constructor's (`dropout`,
   * `activation`, `preprocessor: null`, ...) and override the preset's. The preprocessor comes
   * from the preset (`preprocessor.json` and the tokenizer) unless `preprocessor` is given.
   */
  static fromPreset(preset: string, options: AlbertTextClassifierPresetOptions = {}): Promise<AlbertTextClassifier> {
    return fromTaskPreset(
      preset,
      options,
      AlbertTextClassifier.className,
      (dir, loaded) => AlbertTextClassifierPreprocessor.fromPreset(dir, hfPreprocessorOptions(loaded)),
      ({ loaded, own, saved, preprocessor }) => {
        // An HF AlbertForSequenceClassification checkpoint: its `classifier` and `id2label`.
        const hf =
          loaded.hf &&
          hfLinearHead(loaded.hf, AlbertTextClassifier.hfHead, loaded.backbone.hiddenDim, { tensor: "classifier", newHead: own.numClasses !== undefined });
        const numClasses = own.numClasses ?? hf?.outputs ?? (saved?.["num_classes"] as number | undefined);
        if (numClasses === undefined) {
          throw new AlbertConfigError(
            "invalid_argument",
            `${preset} is not an AlbertTextClassifier preset (no task.json for one): pass numClasses to build a new classification head`,
            "numClasses",
          );
        }
        const savedActivation = saved?.["activation"];
        const activation =
          own.activation !== undefined ? own.activation : savedActivation === "linear" || savedActivation == null ? null : (savedActivation as ClassifierActivation);
        const labels =
          own.id2label ??
          (hf && loaded.hf ? hfLabels(loaded.hf, hf.outputs) : undefined) ??
          (loaded.extras?.id2label ? Object.values(loaded.extras.id2label) : undefined);
        // KerasHub skips task.weights.h5 whenever num_classes is passed.
        const weights =
          hf?.weights ??
          (own.numClasses === undefined && loaded.task?.weights !== undefined
            ? headWeights(
                loaded.task.weights,
                logitsHeadSpecs(loaded.backbone.hiddenDim, numClasses),
                loaded.dir,
              )
            : undefined);
        return new AlbertTextClassifier(
          {
            backbone: loaded.backbone,
            numClasses,
            preprocessor,
            activation,
            dropout: own.dropout ?? (saved?.["dropout"] as number | undefined) ?? 0.1,
            name: own.name ?? (saved?.["name"] as string | undefined) ?? "albert_text_classifier",
            ...(labels !== undefined ? { id2label: labels } : {}),
            ...(own.compile !== undefined ? { compile: own.compile } : {}),
          },
          weights ? { weights } : {},
        );
      },
    );
  }

  /** The `logits` layer, KerasHub's empty dropout group, and the labels. */
  protected presetFiles(): TaskPresetFilesOf {
    return logitsHeadPresetFiles(AlbertTextClassifier.kerasClass, this.getConfig(), this.backbone, this.outputDense, this.labels);
  }
}
