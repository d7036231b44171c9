import type { WeightMap } from "@albert/presets";
import { AlbertConfigError } from "../errors.js";
import type { tf } from "../tf.js";
import { SparseCategoricalCrossentropy } from "../training/losses.js";
import { SparseCategoricalAccuracy } from "../training/metrics.js";
import { Adam } from "../training/optimizers/adam.js";
import type { TrainHead } from "../graph/train-graph.js";
import type { ClassifierInputs, ClassifierPredictOptions } from "./albert-text-classifier.js";
import {
  DenseHeadTask,
  denseHeadFromPreset,
  tokenLabelGrids,
  type DenseHeadPresetOptions,
  type DenseHeadTaskArgs,
} from "./dense-head-task.js";
import type { HfHeadSpec } from "./hf-task-preset.js";
import type { BatchTensors, TaskDataset } from "./task.js";
import { rowsDataset, type Grid } from "./task-data.js";
import type { KerasTaskClass } from "./task-presets.js";
import { textOrPackedInputs } from "./text-or-packed.js";

/** `new AlbertTokenClassifier(...)`'s arguments. */
export interface AlbertTokenClassifierArgs extends DenseHeadTaskArgs {
  /** Number of labels per token (`num_labels`). */
  numClasses: number;
}

export type AlbertTokenClassifierPresetOptions = DenseHeadPresetOptions<AlbertTokenClassifierArgs>;

/**
 * A label for every token (named entities, parts of speech): the backbone's sequence output,
 * dropout, and a Dense layer named `logits` with `numClasses` units, as transformers'
 * `AlbertForTokenClassification` (which KerasHub does not have). `predict` returns logits
 * `[batch, seq, numClasses]` for raw text (through the attached preprocessor) or packed ids.
 * `fromPreset` loads HF `AlbertForTokenClassification` checkpoints (`classifier.*`, `id2label`)
 * and this class's own presets (see `saveToPreset`). `fit` takes one label per token, -100 to
 * ignore one (HF's convention).
 *
 * @example
 * ```ts
 * import { AlbertTokenClassifier } from "@albert/core";
 *
 * const ner = await AlbertTokenClassifier.fromPreset("hf://org/albert-ner");
 * const logits = ner.predict(["john smith lives in new york city."]); // [1, seq, numClasses]
 * console.log(ner.id2label, logits.shape);
 * logits.dispose();
 * ner.dispose();
 * ```
 */
export class AlbertTokenClassifier extends DenseHeadTask {
  static readonly className = "AlbertTokenClassifier";
  /** `task.json`'s class: ours, as KerasHub has no token classifier. */
  static readonly kerasClass: KerasTaskClass = {
    module: "albert_ts.tasks",
    className: "AlbertTokenClassifier",
    registeredName: "albert_ts>AlbertTokenClassifier",
  };
  static readonly hfHead: HfHeadSpec = {
    task: "AlbertTokenClassifier",
    architectures: ["AlbertForTokenClassification"],
    readsPooler: false,
  };

  readonly numClasses: number;

  /** @param options.weights the head's weights (`logits/kernel`, `logits/bias`). */
  constructor(args: AlbertTokenClassifierArgs, options: { weights?: WeightMap } = {}) {
    const numClasses = args?.numClasses;
    if (typeof numClasses !== "number" || !Number.isInteger(numClasses) || numClasses < 1) {
      throw new AlbertConfigError("invalid_argument", `numClasses must be an integer >= 1 (labels per token), got ${JSON.stringify(numClasses)}`, "numClasses");
    }
    super(args, options.weights, { className: AlbertTokenClassifier.className, defaultName: "albert_token_classifier", units: numClasses });
    this.numClasses = numClasses;
    if (args.compile !== false) this.compile();
  }

  protected get kerasClass(): KerasTaskClass {
    return AlbertTokenClassifier.kerasClass;
  }

  /**
   * Logits for every token, `[batch, seq, numClasses]`, for raw text or packed inputs, in
   * batches of `batchSize`. Dropout is off. The caller disposes the tensor.
   */
  predict(x: ClassifierInputs, options: ClassifierPredictOptions = {}): tf.Tensor3D {
    const batchSize = this.predictBatchSize(options);
    return this.predictDataset(this.dataset(x, undefined, undefined, "predict"), batchSize) as tf.Tensor3D;
  }

  protected override trainGraphHead(): TrainHead {
    return { kind: "sequence", dropout: this.dropout };
  }

  protected forward(inputs: BatchTensors, training: boolean): tf.Tensor {
    const out = this.callBackbone(inputs, training);
    out.pooledOutput.dispose();
    try {
      return this.logitsOf(out.sequenceOutput, training);
    } finally {
      out.sequenceOutput.dispose();
    }
  }

  protected dataset(x: unknown, y: unknown, sampleWeight: unknown, purpose: "fit" | "evaluate" | "predict"): TaskDataset {
    const { size, inputs } = textOrPackedInputs(x, this.preprocessor, (grids) => this.checkPacked(grids), "the token classifier");
    let labels: { y: Grid; sampleWeight: Grid } | undefined;
    if (purpose !== "predict") {
      const shape = inputs([0]).tokenIds!.shape;
      labels = tokenLabelGrids(y, sampleWeight, [size, shape[1]!], this.numClasses, this.label2id);
    }
    return rowsDataset(size, inputs, labels?.y, labels?.sampleWeight);
  }

  /** As transformers' Trainer: Adam(5e-5), cross-entropy from logits over the labelled tokens. */
  protected defaultCompile() {
    return {
      optimizer: new Adam({ learningRate: 5e-5 }),
      loss: new SparseCategoricalCrossentropy({ fromLogits: true }),
      metrics: [],
      weightedMetrics: [new SparseCategoricalAccuracy()],
    };
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), num_classes: this.numClasses };
  }

  /**
   * Loads a token classifier: an HF `AlbertForTokenClassification` checkpoint (its
   * `classifier` and `id2label`), a preset this class saved, or a backbone preset with
   * `numClasses` (a new head). Options are the constructor's arguments and the resolver's.
   */
  static fromPreset(preset: string, options: AlbertTokenClassifierPresetOptions = {}): Promise<AlbertTokenClassifier> {
    return denseHeadFromPreset(
      preset,
      options,
      { className: AlbertTokenClassifier.className, hf: AlbertTokenClassifier.hfHead, hfTensor: "classifier" },
      ({ args, weights }) => new AlbertTokenClassifier(args, weights ? { weights } : {}),
    );
  }
}
