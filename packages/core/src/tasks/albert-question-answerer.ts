import type { WeightMap } from "@albert/presets";
import { AlbertInputError } from "../errors.js";
import { tf } from "../tf.js";
import { SparseCategoricalCrossentropy } from "../training/losses.js";
import { Adam } from "../training/optimizers/adam.js";
import type { TrainHead } from "../graph/train-graph.js";
import type { ClassifierInputs, ClassifierPredictOptions } from "./albert-text-classifier.js";
import {
  DenseHeadTask,
  denseHeadFromPreset,
  type DenseHeadPresetOptions,
  type DenseHeadTaskArgs,
} from "./dense-head-task.js";
import type { HfHeadSpec } from "./hf-task-preset.js";
import type { BatchTensors, TaskDataset } from "./task.js";
import { checkRange, rowsDataset, toGrid, type Grid } from "./task-data.js";
import type { KerasTaskClass } from "./task-presets.js";
import { textOrPackedInputs } from "./text-or-packed.js";

/** `new AlbertQuestionAnswerer(...)`'s arguments. */
export type AlbertQuestionAnswererArgs = DenseHeadTaskArgs;

export type AlbertQuestionAnswererPresetOptions = DenseHeadPresetOptions<AlbertQuestionAnswererArgs>;

/** Where an answer starts and ends: one logit per token for each. */
export interface SpanLogits {
  /** `[batch, seq]`. */
  startLogits: tf.Tensor2D;
  /** `[batch, seq]`. */
  endLogits: tf.Tensor2D;
}

/**
 * Extractive question answering, as transformers' `AlbertForQuestionAnswering` (which KerasHub
 * does not have): a Dense layer named `logits` with 2 units on the backbone's sequence output,
 * split into start and end logits per token. Inputs are `[CLS] question [SEP] context [SEP]`
 * (raw `{ first: questions, second: contexts }` through the attached preprocessor, or packed
 * ids). `fit` takes `y` = `[[start, end], ...]` token positions; the loss is the mean of the
 * start and end cross-entropies, as HF's. For span selection over long contexts, use the
 * `question-answering` pipeline of `@albert/pipelines`.
 *
 * @example
 * ```ts
 * import { AlbertQuestionAnswerer } from "@albert/core";
 *
 * const qa = await AlbertQuestionAnswerer.fromPreset("hf://org/albert-squad");
 * const { startLogits, endLogits } = qa.predict({ first: ["who may copy it?"], second: ["you may copy it."] });
 * console.log(startLogits.shape, endLogits.shape); // [1, seq] each
 * startLogits.dispose();
 * endLogits.dispose();
 * qa.dispose();
 * ```
 */
export class AlbertQuestionAnswerer extends DenseHeadTask {
  static readonly className = "AlbertQuestionAnswerer";
  static readonly kerasClass: KerasTaskClass = {
    module: "albert_ts.tasks",
    className: "AlbertQuestionAnswerer",
    registeredName: "albert_ts>AlbertQuestionAnswerer",
  };
  static readonly hfHead: HfHeadSpec = {
    task: "AlbertQuestionAnswerer",
    architectures: ["AlbertForQuestionAnswering"],
    readsPooler: false,
  };

  /** @param options.weights the head's weights (`logits/kernel` [hidden, 2], `logits/bias`). */
  constructor(args: AlbertQuestionAnswererArgs, options: { weights?: WeightMap } = {}) {
    super(args, options.weights, { className: AlbertQuestionAnswerer.className, defaultName: "albert_question_answerer", units: 2 });
    if (args.compile !== false) this.compile();
  }

  protected get kerasClass(): KerasTaskClass {
    return AlbertQuestionAnswerer.kerasClass;
  }

  /**
   * Start and end logits `[batch, seq]` for raw `{ first: questions, second: contexts }` or
   * packed inputs, in batches of `batchSize`. The caller disposes both tensors.
   */
  predict(x: ClassifierInputs, options: ClassifierPredictOptions = {}): SpanLogits {
    const batchSize = this.predictBatchSize(options);
    const both = this.predictDataset(this.dataset(x, undefined, undefined, "predict"), batchSize);
    try {
      const [start, end] = tf.unstack(both, 1) as [tf.Tensor2D, tf.Tensor2D];
      return { startLogits: start, endLogits: end };
    } finally {
      both.dispose();
    }
  }

  /** `[batch, 2, seq]`: start logits then end logits (the layout the loss reads). */
  protected override trainGraphHead(): TrainHead {
    return { kind: "sequence", dropout: this.dropout, transpose: true };
  }

  protected forward(inputs: BatchTensors, training: boolean): tf.Tensor {
    const out = this.callBackbone(inputs, training);
    out.pooledOutput.dispose();
    try {
      return tf.tidy(() => tf.transpose(this.logitsOf(out.sequenceOutput, training), [0, 2, 1]));
    } finally {
      out.sequenceOutput.dispose();
    }
  }

  protected dataset(x: unknown, y: unknown, sampleWeight: unknown, purpose: "fit" | "evaluate" | "predict"): TaskDataset {
    const { size, inputs } = textOrPackedInputs(x, this.preprocessor, (grids) => this.checkPacked(grids), "the question answerer");
    let labels: Grid | undefined;
    if (purpose !== "predict") {
      if (y === undefined || y === null) {
        throw new AlbertInputError("missing_input", "y", "y is missing: pass [start, end] token positions of each answer ([batch, 2])");
      }
      labels = toGrid(y, "y", 2, "int");
      if (labels.shape[0] !== size || labels.shape[1] !== 2) {
        throw new AlbertInputError("shape_mismatch", "y", `y has shape [${labels.shape}] but needs [${size}, 2]: the start and end position of each answer`);
      }
      const length = inputs([0]).tokenIds!.shape[1]!;
      checkRange(labels, "y", length, `token positions (sequence length ${length})`);
    }
    if (sampleWeight !== undefined && purpose !== "predict") {
      throw new AlbertInputError("invalid_value", "sampleWeight", "the question answerer takes no sampleWeight");
    }
    return rowsDataset(size, inputs, labels);
  }

  /** Adam(5e-5); the loss is the mean over the start and end positions (HF's total loss). */
  protected defaultCompile() {
    return {
      optimizer: new Adam({ learningRate: 5e-5 }),
      loss: new SparseCategoricalCrossentropy({ fromLogits: true }),
      metrics: [],
      weightedMetrics: [],
    };
  }

  /**
   * Loads a question answerer: an HF `AlbertForQuestionAnswering` checkpoint (`qa_outputs`), a
   * preset this class saved, or a backbone preset (a new head).
   */
  static fromPreset(preset: string, options: AlbertQuestionAnswererPresetOptions = {}): Promise<AlbertQuestionAnswerer> {
    return denseHeadFromPreset(
      preset,
      options,
      { className: AlbertQuestionAnswerer.className, hf: AlbertQuestionAnswerer.hfHead, hfTensor: "qa_outputs", units: 2 },
      ({ args: { numClasses: _units, ...args }, weights }) => new AlbertQuestionAnswerer(args, weights ? { weights } : {}),
    );
  }
}
