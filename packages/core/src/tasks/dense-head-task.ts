import type { WeightMap } from "@albert/presets";
import { AlbertTextClassifierPreprocessor } from "@albert/tokenizer";
import { AlbertBackbone } from "../albert-backbone.js";
import { AlbertConfigError, AlbertInputError } from "../errors.js";
import { Dense } from "../layers/dense.js";
import { WeightStore } from "../layers/layer.js";
import { tf } from "../tf.js";
import { dropout } from "../layers/dropout.js";
import { checkLabels, type Labels } from "./albert-text-classifier.js";
import { hfLabels, hfLinearHead, hfPreprocessorOptions, type HfHeadSpec } from "./hf-task-preset.js";
import { Task, type TaskPresetFilesOf } from "./task.js";
import { checkRange, toGrid, type Grid } from "./task-data.js";
import { idsByLabel, labelsById, logitsHeadPresetFiles, logitsHeadSpecs } from "./logits-head.js";
import { fromTaskPreset, headWeights, type KerasTaskClass, type TaskPresetOptions } from "./task-presets.js";

/** The constructor arguments every dense-head task takes (KerasHub's task kwargs). */
export interface DenseHeadTaskArgs {
  backbone: AlbertBackbone;
  /** Turns raw text into the backbone's inputs (`[CLS] a [SEP] (b [SEP])`). */
  preprocessor?: AlbertTextClassifierPreprocessor | null;
  /** Dropout before the `logits` layer while training (default 0.1, HF's
   * `classifier_dropout_prob` and KerasHub's classifier default). */
  dropout?: number;
  /** The task's Keras name. */
  name?: string;
  /** Class names, saved with the preset (`albert_ts_task.json`). */
  id2label?: Labels;
  /** Compile with the task's defaults on creation, as KerasHub (default true). */
  compile?: boolean;
}

/** What a subclass fixes: its class, its default name and the width of its `logits` layer. */
export interface DenseHead {
  className: string;
  defaultName: string;
  units: number;
}

function describe(value: unknown): string {
  return JSON.stringify(value)?.slice(0, 80) ?? String(value);
}

/**
 * The tasks that put one Dense layer named `logits` (after dropout) on the backbone's sequence
 * or pooled output, as transformers' `AlbertFor{TokenClassification, QuestionAnswering,
 * MultipleChoice}` do with their `classifier` / `qa_outputs` `Linear`. They share KerasHub's
 * task machinery (compile, fit, evaluate, presets) with `AlbertTextClassifier`; their presets
 * use KerasHub's task layout under their own class names (`task.json` with
 * `registered_name: "albert_ts>..."`, the `logits` layer in `task.weights.h5` as
 * `layers/dense`), which Python KerasHub cannot deserialize, as it has no such classes.
 */
export abstract class DenseHeadTask extends Task {
  readonly dropout: number;
  /** The attached preprocessor (`null`: inputs must be packed ids). */
  preprocessor: AlbertTextClassifierPreprocessor | null;
  /** The Dense layer named `logits` ([hiddenDim, units] kernel). */
  readonly outputDense: Dense;
  protected readonly labels: string[] | undefined;

  protected constructor(args: DenseHeadTaskArgs, weights: WeightMap | undefined, head: DenseHead) {
    if (typeof args !== "object" || args === null || !(args.backbone instanceof AlbertBackbone)) {
      throw new AlbertConfigError("invalid_argument", `${head.className} needs { backbone: AlbertBackbone, ... }, got backbone ${describe(args?.backbone)}`, "backbone");
    }
    const { dropout = 0.1, preprocessor = null, name = head.defaultName } = args;
    if (typeof dropout !== "number" || !(dropout >= 0 && dropout < 1)) {
      throw new AlbertConfigError("invalid_argument", `dropout must be a number in [0, 1), got ${describe(dropout)}`, "dropout");
    }
    if (preprocessor !== null && !(preprocessor instanceof AlbertTextClassifierPreprocessor)) {
      throw new AlbertConfigError("invalid_argument", `preprocessor must be an AlbertTextClassifierPreprocessor or null, got ${describe(preprocessor)}`, "preprocessor");
    }
    const labels = checkLabels(args.id2label, head.units);
    const store = new WeightStore(name, weights, args.backbone.dtypePolicy);
    super(args.backbone, store, name);
    this.outputDense = new Dense(store, "logits", args.backbone.hiddenDim, head.units);
    this.dropout = dropout;
    this.preprocessor = preprocessor;
    this.labels = labels;
  }

  /** Class names by index, when the task has them (`id2label`). */
  get id2label(): Record<number, string> | undefined {
    return labelsById(this.labels);
  }

  /** Class index by name, when the task has labels. */
  get label2id(): Record<string, number> | undefined {
    return idsByLabel(this.labels);
  }

  /** KerasHub's class as `task.json` names it. */
  protected abstract get kerasClass(): KerasTaskClass;

  /** Dropout (training only) then the `logits` layer. */
  protected logitsOf(x: tf.Tensor, training: boolean): tf.Tensor {
    return tf.tidy(() => this.outputDense.call(training && this.dropout > 0 ? dropout(x, this.dropout) : x));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), dropout: this.dropout };
  }

  /** The `logits` layer, the dropout layer's empty group, and the labels. */
  protected presetFiles(): TaskPresetFilesOf {
    return logitsHeadPresetFiles(this.kerasClass, this.getConfig(), this.backbone, this.outputDense, this.labels);
  }
}

/** `fromPreset` options of a dense-head task: the constructor's arguments and the resolver's. */
export type DenseHeadPresetOptions<Args> = TaskPresetOptions & Partial<Omit<Args, "backbone">>;

/** How a dense-head task reads its head from presets. */
export interface DenseHeadLoading {
  className: string;
  /** The transformers class(es) and tensor (`classifier`, `qa_outputs`) of HF checkpoints. */
  hf: HfHeadSpec;
  hfTensor: string;
  /** The head's width; undefined: the task's `numClasses`, from the options or the preset. */
  units?: number;
}

/** What a dense-head task's `fromPreset` hands to its constructor. */
export interface DenseHeadParts {
  args: DenseHeadTaskArgs & { numClasses: number };
  weights: WeightMap | undefined;
}

/**
 * The `fromPreset` of the dense-head tasks, as KerasHub's: a task preset of the class loads its
 * `logits` layer (`task.weights.h5`'s `layers/dense`) and labels; an HF checkpoint of the
 * matching transformers class loads its `Linear` head and `id2label`; a backbone preset, or
 * `numClasses` passed, builds a new head. Options override the preset's arguments.
 */
export function denseHeadFromPreset<T>(
  preset: string,
  options: DenseHeadPresetOptions<DenseHeadTaskArgs & { numClasses?: number }>,
  loading: DenseHeadLoading,
  make: (parts: DenseHeadParts) => T,
): Promise<T> {
  return fromTaskPreset(
    preset,
    options,
    loading.className,
    (dir, loaded) => AlbertTextClassifierPreprocessor.fromPreset(dir, hfPreprocessorOptions(loaded)),
    ({ loaded, own, saved, preprocessor }) => {
      const newHead = own.numClasses !== undefined;
      const hf = loaded.hf && hfLinearHead(loaded.hf, loading.hf, loaded.backbone.hiddenDim, { tensor: loading.hfTensor, newHead });
      const numClasses = loading.units ?? own.numClasses ?? hf?.outputs ?? (saved?.["num_classes"] as number | undefined);
      if (numClasses === undefined) {
        throw new AlbertConfigError(
          "invalid_argument",
          `${preset} is not an ${loading.className} preset (no task.json for one, no ${loading.hf.architectures[0]} checkpoint): pass numClasses to build a new head`,
          "numClasses",
        );
      }
      if (hf !== undefined && hf.outputs !== numClasses) {
        throw new AlbertConfigError(
          "weights_mismatch",
          `${loaded.dir}: the checkpoint's ${loading.hfTensor} head has ${hf.outputs} outputs, ${loading.className} needs ${numClasses}`,
          "preset",
        );
      }
      const weights =
        hf?.weights ??
        (!newHead && loaded.task?.weights !== undefined
          ? headWeights(loaded.task.weights, logitsHeadSpecs(loaded.backbone.hiddenDim, numClasses), loaded.dir)
          : undefined);
      const labels =
        own.id2label ??
        (hf && loaded.hf && loading.units === undefined ? hfLabels(loaded.hf, numClasses) : undefined) ??
        (loaded.extras?.id2label && !newHead ? Object.values(loaded.extras.id2label) : undefined);
      return make({
        args: {
          backbone: loaded.backbone,
          numClasses,
          preprocessor,
          dropout: own.dropout ?? (saved?.["dropout"] as number | undefined) ?? 0.1,
          ...(own.name ?? saved?.["name"] ? { name: (own.name ?? saved?.["name"]) as string } : {}),
          ...(labels !== undefined ? { id2label: labels } : {}),
          ...(own.compile !== undefined ? { compile: own.compile } : {}),
        },
        weights,
      });
    },
  );
}

/**
 * Per-token labels `[batch, seq]` for `fit`/`evaluate`: class indexes (or names, with
 * `id2label`), and transformers' ignore index -100, which gets sample weight 0 (as HF's loss
 * skips it). Returns the labels (ignored ones as 0) and the weights (`sampleWeight` times the
 * ignore mask).
 */
export function tokenLabelGrids(
  y: unknown,
  sampleWeight: unknown,
  shape: readonly number[],
  numClasses: number,
  label2id: Record<string, number> | undefined,
): { y: Grid; sampleWeight: Grid } {
  if (y === undefined || y === null) {
    throw new AlbertInputError("missing_input", "y", "y is missing: pass one class index per token ([batch, seq]; -100 to ignore a token)");
  }
  const named = Array.isArray(y)
    ? y.map((row, r) =>
        Array.isArray(row)
          ? row.map((v: unknown, c: number) => {
              if (typeof v !== "string") return v;
              if (label2id === undefined || !(v in label2id)) {
                throw new AlbertInputError(
                  "invalid_value",
                  "y",
                  label2id === undefined
                    ? `y[${r}][${c}] = ${JSON.stringify(v)} is a label name, but the task has no id2label; pass class indexes in [0, ${numClasses})`
                    : `y[${r}][${c}] = ${JSON.stringify(v)} is not a label of this task; allowed: ${Object.keys(label2id).join(", ")}`,
                );
              }
              return label2id[v];
            })
          : row,
      )
    : y;
  const labels = toGrid(named, "y", 2, "int");
  if (labels.shape.join() !== shape.join()) {
    throw new AlbertInputError("shape_mismatch", "y", `y has shape [${labels.shape}] but the inputs are [${shape}]: one label per token`);
  }
  const weights = sampleWeight === undefined ? undefined : toGrid(sampleWeight, "sampleWeight", 2, "float");
  if (weights !== undefined && weights.shape.join() !== shape.join()) {
    throw new AlbertInputError("shape_mismatch", "sampleWeight", `sampleWeight has shape [${weights.shape}] but y has [${shape}]`);
  }
  const mask = new Float32Array(labels.data.length);
  const ids = new Int32Array(labels.data.length);
  for (let i = 0; i < ids.length; i++) {
    const v = labels.data[i]!;
    if (v === -100) continue;
    ids[i] = v;
    mask[i] = weights === undefined ? 1 : weights.data[i]!;
  }
  const kept = { data: ids, shape: labels.shape };
  checkRange(kept, "y", numClasses, `class indexes (numClasses ${numClasses}), or -100 to ignore a token`);
  return { y: kept, sampleWeight: { data: mask, shape: labels.shape } };
}
