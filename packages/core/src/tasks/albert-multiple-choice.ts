import type { WeightMap } from "@albert/presets";
import { AlbertInputError } from "../errors.js";
import type { BatchInput } from "../inputs.js";
import { tf } from "../tf.js";
import { SparseCategoricalCrossentropy } from "../training/losses.js";
import { SparseCategoricalAccuracy } from "../training/metrics.js";
import { Adam } from "../training/optimizers/adam.js";
import type { TrainHead } from "../graph/train-graph.js";
import type { ClassifierPredictOptions } from "./albert-text-classifier.js";
import {
  DenseHeadTask,
  denseHeadFromPreset,
  type DenseHeadPresetOptions,
  type DenseHeadTaskArgs,
} from "./dense-head-task.js";
import type { HfHeadSpec } from "./hf-task-preset.js";
import { packedGrids } from "./packed-inputs.js";
import type { BatchTensors, TaskBatch, TaskDataset } from "./task.js";
import { checkRange, gridRows, rowsDataset, toGrid, type Grid } from "./task-data.js";
import type { KerasTaskClass } from "./task-presets.js";

/** `new AlbertMultipleChoice(...)`'s arguments. */
export type AlbertMultipleChoiceArgs = DenseHeadTaskArgs;

export type AlbertMultipleChoicePresetOptions = DenseHeadPresetOptions<AlbertMultipleChoiceArgs>;

/** Raw multiple-choice examples: a prompt and its candidate answers (each row the same count). */
export interface MultipleChoiceText {
  prompts: readonly string[];
  choices: readonly (readonly string[])[];
}

/** Packed `[batch, choices, seq]` ids (nested arrays or rank-3 tensors). */
export interface MultipleChoicePacked {
  tokenIds: BatchInput | readonly (readonly (readonly number[])[])[] | tf.Tensor3D;
  segmentIds: BatchInput | readonly (readonly (readonly number[])[])[] | tf.Tensor3D;
  paddingMask: BatchInput | readonly (readonly (readonly (number | boolean)[])[])[] | tf.Tensor3D;
}

export type MultipleChoiceInputs = MultipleChoiceText | MultipleChoicePacked;

const PACKED = ["tokenIds", "segmentIds", "paddingMask"] as const;

function isChoiceText(x: unknown): x is MultipleChoiceText {
  return typeof x === "object" && x !== null && "prompts" in x && "choices" in x;
}

/** A `[batch, choices, seq]` input as a grid (tensors, or nested arrays). */
function grid3(value: unknown, argument: string): Grid {
  if (value instanceof tf.Tensor) return toGrid(value, argument, 3, "int");
  if (!Array.isArray(value) || value.some((row) => !Array.isArray(row))) {
    throw new AlbertInputError("invalid_shape", argument, `${argument} must be [batch, choices, seq] (nested arrays or a rank-3 tensor), got ${JSON.stringify(value)?.slice(0, 80)}`);
  }
  const rows = value as unknown[][];
  const choices = rows[0]?.length ?? 0;
  rows.forEach((row, r) => {
    if (row.length !== choices) {
      throw new AlbertInputError("ragged_batch", argument, `${argument}[${r}] has ${row.length} choices but ${argument}[0] has ${choices}; every example needs the same number`);
    }
  });
  const flat = toGrid(
    rows.flatMap((row) => row.map((cells) => (Array.isArray(cells) ? cells.map((v: unknown) => (v === true ? 1 : v === false ? 0 : v)) : cells))),
    argument,
    2,
    "int",
  );
  return { data: flat.data, shape: [rows.length, choices, flat.shape[1]!] };
}

/**
 * Picks one of several candidate continuations, as transformers' `AlbertForMultipleChoice`
 * (which KerasHub does not have): each (prompt, choice) pair is packed as
 * `[CLS] prompt [SEP] choice [SEP]` and scored by a Dense layer named `logits` with one unit on
 * the pooled output; the scores of a prompt's choices form its logits `[batch, choices]`.
 * Inputs are `{ prompts, choices }` (through the attached preprocessor) or packed ids
 * `[batch, choices, seq]`; `fit` takes the index of the right choice per example.
 *
 * @example
 * ```ts
 * import { AlbertMultipleChoice } from "@albert/core";
 *
 * const mc = await AlbertMultipleChoice.fromPreset("hf://org/albert-swag");
 * const logits = mc.predict({
 *   prompts: ["the license applies to"],
 *   choices: [["any program.", "no program at all.", "only cats."]],
 * }); // [1, 3]
 * logits.dispose();
 * mc.dispose();
 * ```
 */
export class AlbertMultipleChoice extends DenseHeadTask {
  static readonly className = "AlbertMultipleChoice";
  static readonly kerasClass: KerasTaskClass = {
    module: "albert_ts.tasks",
    className: "AlbertMultipleChoice",
    registeredName: "albert_ts>AlbertMultipleChoice",
  };
  static readonly hfHead: HfHeadSpec = {
    task: "AlbertMultipleChoice",
    architectures: ["AlbertForMultipleChoice"],
    readsPooler: true,
  };

  /** @param options.weights the head's weights (`logits/kernel` [hidden, 1], `logits/bias`). */
  constructor(args: AlbertMultipleChoiceArgs, options: { weights?: WeightMap } = {}) {
    super(args, options.weights, { className: AlbertMultipleChoice.className, defaultName: "albert_multiple_choice", units: 1 });
    if (args.compile !== false) this.compile();
  }

  protected get kerasClass(): KerasTaskClass {
    return AlbertMultipleChoice.kerasClass;
  }

  /** Logits `[batch, choices]`, in batches of `batchSize` examples. The caller disposes them. */
  predict(x: MultipleChoiceInputs, options: ClassifierPredictOptions = {}): tf.Tensor2D {
    const batchSize = this.predictBatchSize(options);
    return this.predictDataset(this.dataset(x, undefined, undefined, "predict"), batchSize) as tf.Tensor2D;
  }

  /** The number of choices of the batch in flight (`withBatchTensors` flattens them). */
  private choices = 1;

  /**
   * Batches hold `[b, C, S]` grids; the model (and the embedding lookups of `fit`) sees them
   * as `[b·C, S]` rows, and `forward` regroups the scores by `C`.
   */
  protected override withBatchTensors<T>(batch: TaskBatch, fn: (inputs: BatchTensors, y?: tf.Tensor, sampleWeight?: tf.Tensor) => T): T {
    const [b, c, s] = batch.inputs["tokenIds"]!.shape as [number, number, number];
    this.choices = c;
    const inputs = Object.fromEntries(Object.entries(batch.inputs).map(([k, g]) => [k, { data: g.data, shape: [b * c, s] }]));
    return super.withBatchTensors({ ...batch, inputs }, fn);
  }

  protected override trainGraphHead(): TrainHead {
    return { kind: "pooled", dropout: this.dropout, activation: "linear", choices: this.choices };
  }

  /** Scores each (prompt, choice) row's pooled output, and regroups them `[b, C]`. */
  protected forward(inputs: BatchTensors, training: boolean): tf.Tensor {
    const out = this.callBackbone(inputs, training);
    out.sequenceOutput.dispose();
    try {
      return tf.tidy(() => tf.reshape(this.logitsOf(out.pooledOutput, training), [-1, this.choices]));
    } finally {
      out.pooledOutput.dispose();
    }
  }

  protected dataset(x: unknown, y: unknown, sampleWeight: unknown, purpose: "fit" | "evaluate" | "predict"): TaskDataset {
    let size: number;
    let choices: number;
    let inputs: (indices: readonly number[]) => Record<string, Grid>;
    if (isChoiceText(x)) {
      const preprocessor = this.preprocessor;
      if (preprocessor === null) {
        throw new AlbertInputError("invalid_type", "x", "x is text but the multiple-choice model has no preprocessor: attach one or pass packed [batch, choices, seq] ids");
      }
      const { prompts, choices: options } = x;
      if (!Array.isArray(prompts) || !Array.isArray(options) || prompts.length !== options.length || prompts.length === 0) {
        throw new AlbertInputError("shape_mismatch", "x", `x needs as many choice lists as prompts (at least one), got ${prompts?.length} prompts and ${options?.length} choice lists`);
      }
      size = prompts.length;
      choices = options[0]!.length;
      options.forEach((row, i) => {
        if (!Array.isArray(row) || row.length !== choices || choices === 0) {
          throw new AlbertInputError("ragged_batch", "x.choices", `x.choices[${i}] has ${row?.length} choices but x.choices[0] has ${choices}; every prompt needs the same number (at least one)`);
        }
      });
      inputs = (indices) => {
        const firsts = indices.flatMap((i) => Array<string>(choices).fill(prompts[i]!));
        const seconds = indices.flatMap((i) => [...options[i]!]);
        const packed = packedGrids(preprocessor.call([firsts, seconds]));
        return Object.fromEntries(Object.entries(packed).map(([k, g]) => [k, { data: g.data, shape: [indices.length, choices, g.shape[1]!] }]));
      };
    } else {
      if (typeof x !== "object" || x === null) {
        throw new AlbertInputError("invalid_type", "x", `x must be { prompts, choices } or packed { tokenIds, segmentIds, paddingMask } [batch, choices, seq], got ${JSON.stringify(x)?.slice(0, 80)}`);
      }
      const packed = x as Record<string, unknown>;
      const grids: Record<string, Grid> = {};
      for (const k of PACKED) {
        if (packed[k] === undefined) throw new AlbertInputError("missing_input", k, `x.${k} is missing: packed inputs are { tokenIds, segmentIds, paddingMask } ([batch, choices, seq] each)`);
        grids[k] = grid3(packed[k], k);
      }
      [size, choices] = grids["tokenIds"]!.shape as [number, number];
      for (const k of PACKED) {
        if (grids[k]!.shape.join() !== grids["tokenIds"]!.shape.join()) {
          throw new AlbertInputError("shape_mismatch", k, `x.${k} has shape [${grids[k]!.shape}] but tokenIds has [${grids["tokenIds"]!.shape}]`);
        }
      }
      const [b, c, s] = grids["tokenIds"]!.shape as [number, number, number];
      this.checkPacked(Object.fromEntries(PACKED.map((k) => [k, { data: grids[k]!.data, shape: [b * c, s] }])));
      inputs = gridRows(grids);
    }
    let labels: Grid | undefined;
    if (purpose !== "predict") {
      labels = toGrid(y, "y", 1, "int");
      if (labels.shape[0] !== size) {
        throw new AlbertInputError("shape_mismatch", "y", `y has ${labels.shape[0]} labels but x has ${size} examples: pass the index of the right choice per example`);
      }
      checkRange(labels, "y", choices, `choice indexes (${choices} choices)`);
    }
    const weights = sampleWeight === undefined || purpose === "predict" ? undefined : toGrid(sampleWeight, "sampleWeight", 1, "float");
    return rowsDataset(size, inputs, labels, weights);
  }

  /** Adam(5e-5), cross-entropy from logits over the choices, accuracy. */
  protected defaultCompile() {
    return {
      optimizer: new Adam({ learningRate: 5e-5 }),
      loss: new SparseCategoricalCrossentropy({ fromLogits: true }),
      metrics: [new SparseCategoricalAccuracy()],
      weightedMetrics: [],
    };
  }

  /**
   * Loads a multiple-choice model: an HF `AlbertForMultipleChoice` checkpoint (`classifier`, one
   * output), a preset this class saved, or a backbone preset (a new head).
   */
  static fromPreset(preset: string, options: AlbertMultipleChoicePresetOptions = {}): Promise<AlbertMultipleChoice> {
    return denseHeadFromPreset(
      preset,
      options,
      { className: AlbertMultipleChoice.className, hf: AlbertMultipleChoice.hfHead, hfTensor: "classifier", units: 1 },
      ({ args: { numClasses: _units, ...args }, weights }) => new AlbertMultipleChoice(args, weights ? { weights } : {}),
    );
  }
}
