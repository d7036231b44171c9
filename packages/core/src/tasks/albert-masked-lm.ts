import type { AlbertActivation, TaskExtras, WeightMap } from "@albert/presets";
import { AlbertMaskedLMPreprocessor } from "@albert/tokenizer";
import { AlbertBackbone } from "../albert-backbone.js";
import { AlbertConfigError, AlbertInputError } from "../errors.js";
import type { TrainHead } from "../graph/train-graph.js";
import { WeightStore } from "../layers/layer.js";
import type { tf } from "../tf.js";
import { SparseCategoricalCrossentropy } from "../training/losses.js";
import { SparseCategoricalAccuracy } from "../training/metrics.js";
import { Adam } from "../training/optimizers/adam.js";
import { hfMaskedLMHead, hfPreprocessorOptions } from "./hf-task-preset.js";
import { MaskedLMHead } from "./masked-lm-head.js";
import { packedGrids, type PackedTaskInputs } from "./packed-inputs.js";
import { Task, type BatchTensors, type TaskDataset, type TaskPresetFilesOf } from "./task.js";
import { checkRange, gridRows, isTextInput, rowsDataset, takeText, textSegments, toGrid, type Grid } from "./task-data.js";
import {
  fromTaskPreset,
  headWeights,
  taskConfigJson,
  variableValues,
  type KerasTaskClass,
  type TaskPresetOptions,
} from "./task-presets.js";

/** `new AlbertMaskedLM(...)`'s arguments: KerasHub's, in camelCase, plus the head's settings
 * HF checkpoints need. */
export interface AlbertMaskedLMArgs {
  backbone: AlbertBackbone;
  /** Masks raw text for `fit` (KerasHub's `AlbertMaskedLMPreprocessor`). */
  preprocessor?: AlbertMaskedLMPreprocessor | null;
  /** The task's Keras name (default `"albert_masked_lm"`). */
  name?: string;
  /** Beyond KerasHub: the head's activation (default `"gelu_approximate"`; HF's `hidden_act`). */
  intermediateActivation?: AlbertActivation;
  /** Beyond KerasHub: the head's LayerNorm epsilon (default 1e-5; HF's `layer_norm_eps`). */
  layerNormEpsilon?: number;
  /** KerasHub compiles a task with its defaults on creation (default true). */
  compile?: boolean;
}

export type AlbertMaskedLMPresetOptions = TaskPresetOptions & Partial<Omit<AlbertMaskedLMArgs, "backbone">>;

export interface MaskedLMPredictOptions {
  /** Examples per forward pass (default 32). */
  batchSize?: number;
}

/** What `AlbertMaskedLMPreprocessor.call` returns: KerasHub's `(x, y, sample_weight)`. */
interface MaskedBatch {
  x: PackedTaskInputs;
  y?: unknown;
  sampleWeight?: unknown;
}

function isMaskedBatch(x: unknown): x is MaskedBatch {
  return typeof x === "object" && x !== null && !Array.isArray(x) && "x" in x && "y" in x;
}

/**
 * KerasHub's `AlbertMaskedLM`: an `AlbertBackbone` with KerasHub's `MaskedLMHead` (Dense H→E
 * with the tanh GELU, LayerNorm with epsilon 1e-5, logits through the tied token embedding
 * plus an output bias), predicting the tokens at `maskPositions`. It trains with `fit` on
 * `AlbertMaskedLMPreprocessor`'s output, or on raw text through an attached one (masking anew
 * every epoch, as KerasHub's pipeline does), with KerasHub's defaults (Adam(5e-5), sparse
 * categorical cross-entropy from logits weighted by `sampleWeight`, weighted accuracy).
 *
 * @example
 * ```ts
 * import { AlbertMaskedLM, tf } from "@albert/core";
 * import { AlbertMaskedLMPreprocessor } from "@albert/tokenizer";
 *
 * const mlm = await AlbertMaskedLM.fromPreset("./albert_preset");
 * const logits = mlm.predict({
 *   tokenIds: [[2, 48, 4, 3]], segmentIds: [[0, 0, 0, 0]], paddingMask: [[1, 1, 1, 1]],
 *   maskPositions: [[2]],
 * }); // [1, 1, vocabularySize]
 * logits.dispose();
 * await mlm.fit(["The quick brown fox jumped.", "Call me Ishmael."], undefined, { batchSize: 2 });
 * mlm.dispose();
 * ```
 */
export class AlbertMaskedLM extends Task {
  static readonly className = "AlbertMaskedLM";
  /** KerasHub's class, as `task.json` names it. */
  static readonly kerasClass: KerasTaskClass = {
    module: "keras_hub.src.models.albert.albert_masked_lm",
    className: "AlbertMaskedLM",
    registeredName: "keras_hub>AlbertMaskedLM",
  };

  /** The attached preprocessor (`null`: inputs must be packed). */
  preprocessor: AlbertMaskedLMPreprocessor | null;
  readonly maskedLMHead: MaskedLMHead;

  /** @param options.weights the head's weights (`mlm_head/...`) instead of random ones. */
  constructor(args: AlbertMaskedLMArgs, options: { weights?: WeightMap } = {}) {
    if (typeof args !== "object" || args === null || !(args.backbone instanceof AlbertBackbone)) {
      throw new AlbertConfigError("invalid_argument", `AlbertMaskedLM needs { backbone: AlbertBackbone, ... }, got backbone ${JSON.stringify(args?.backbone)?.slice(0, 80)}`, "backbone");
    }
    const { preprocessor = null, name = "albert_masked_lm" } = args;
    if (preprocessor !== null && !(preprocessor instanceof AlbertMaskedLMPreprocessor)) {
      throw new AlbertConfigError("invalid_argument", "preprocessor must be an AlbertMaskedLMPreprocessor or null", "preprocessor");
    }
    // The head computes under the backbone's dtype policy, as KerasHub builds its layers.
    const store = new WeightStore(name, options.weights, args.backbone.dtypePolicy);
    super(args.backbone, store, name);
    this.maskedLMHead = new MaskedLMHead(store, "mlm_head", {
      tokenEmbedding: args.backbone.tokenEmbedding,
      hiddenDim: args.backbone.hiddenDim,
      ...(args.intermediateActivation !== undefined ? { intermediateActivation: args.intermediateActivation } : {}),
      ...(args.layerNormEpsilon !== undefined ? { layerNormEpsilon: args.layerNormEpsilon } : {}),
    });
    this.preprocessor = preprocessor;
    if (args.compile !== false) this.compile();
  }

  // === Inference ===

  /**
   * Vocabulary logits at `maskPositions` ([batch, positions, vocabularySize]), or at every
   * position when `maskPositions` is left out ([batch, seq, vocabularySize], as HF's
   * `AlbertForMaskedLM`). Inputs are packed ids; dropout is off. The caller disposes the tensor.
   */
  predict(x: PackedTaskInputs, options: MaskedLMPredictOptions = {}): tf.Tensor3D {
    const batchSize = this.predictBatchSize(options);
    if (isTextInput(x)) {
      throw new AlbertInputError(
        "invalid_type",
        "x",
        "AlbertMaskedLM.predict takes packed { tokenIds, segmentIds, paddingMask, maskPositions? }: mark the tokens to predict with [MASK] and pass their positions",
      );
    }
    return this.predictDataset(this.dataset(x, undefined, undefined, "predict"), batchSize) as tf.Tensor3D;
  }

  protected forward(inputs: BatchTensors, training: boolean): tf.Tensor {
    const out = this.callBackbone(inputs, training);
    out.pooledOutput.dispose();
    try {
      return this.maskedLMHead.call(out.sequenceOutput, inputs["maskPositions"] as tf.Tensor2D | undefined);
    } finally {
      out.sequenceOutput.dispose();
    }
  }

  protected override trainGraphHead(): TrainHead {
    const head = this.maskedLMHead;
    return { kind: "masked_lm", activation: head.intermediateActivation, layerNormEpsilon: head.layerNormEpsilon };
  }

  // === Data ===

  protected dataset(x: unknown, y: unknown, sampleWeight: unknown, purpose: "fit" | "evaluate" | "predict"): TaskDataset {
    if (isMaskedBatch(x)) {
      if (y !== undefined) throw new AlbertInputError("invalid_value", "y", "x already holds { x, y, sampleWeight } (the preprocessor's output): leave y out");
      return this.dataset(x.x, x.y, x.sampleWeight ?? sampleWeight, purpose);
    }
    if (isTextInput(x)) {
      const preprocessor = this.preprocessor;
      if (preprocessor === null) {
        throw new AlbertInputError(
          "invalid_type",
          "x",
          "x is text but the masked LM has no preprocessor: attach an AlbertMaskedLMPreprocessor, or pass its output ({ x, y, sampleWeight })",
        );
      }
      if (y !== undefined) throw new AlbertInputError("invalid_value", "y", "with raw text the preprocessor makes the labels: leave y out");
      const segments = textSegments(x, "x");
      return {
        size: segments[0]!.length,
        batch: (indices) => {
          const masked = preprocessor.call(takeText(segments, indices));
          const inputs = packedGrids(masked.x);
          return {
            inputs,
            y: toGrid(masked.y, "y", 2, "int"),
            sampleWeight: toGrid(masked.sampleWeight, "sampleWeight", 2, "float"),
          };
        },
      };
    }
    const grids = packedGrids(x, "x");
    this.checkPacked(grids);
    const [size, length] = grids["tokenIds"]!.shape as [number, number];
    const positions = grids["maskPositions"];
    if (positions === undefined && purpose !== "predict") {
      throw new AlbertInputError("missing_input", "maskPositions", "x.maskPositions is missing: training and evaluation predict the tokens at maskPositions ([batch, n])");
    }
    if (positions !== undefined) {
      if (positions.shape[0] !== size) {
        throw new AlbertInputError("shape_mismatch", "maskPositions", `maskPositions has ${positions.shape[0]} rows but tokenIds has ${size}`);
      }
      checkRange(positions, "maskPositions", length, `positions in the sequence (length ${length})`);
    }
    let labels: Grid | undefined;
    let weights: Grid | undefined;
    if (purpose !== "predict") {
      if (y === undefined) throw new AlbertInputError("missing_input", "y", "y is missing: pass the original token ids at maskPositions ([batch, n])");
      labels = toGrid(y, "y", 2, "int");
      if (labels.shape.join() !== positions!.shape.join()) {
        throw new AlbertInputError("shape_mismatch", "y", `y has shape [${labels.shape}] but maskPositions has [${positions!.shape}]: one label per mask position`);
      }
      checkRange(labels, "y", this.backbone.vocabularySize, `token ids (vocabularySize ${this.backbone.vocabularySize})`);
      if (sampleWeight !== undefined) {
        weights = toGrid(sampleWeight, "sampleWeight", 2, "float");
        if (weights.shape.join() !== labels.shape.join()) {
          throw new AlbertInputError("shape_mismatch", "sampleWeight", `sampleWeight has shape [${weights.shape}] but y has [${labels.shape}]`);
        }
      }
    }
    return rowsDataset(size, gridRows(grids), labels, weights);
  }

  protected defaultCompile() {
    return {
      optimizer: new Adam({ learningRate: 5e-5 }),
      loss: new SparseCategoricalCrossentropy({ fromLogits: true }),
      metrics: [],
      weightedMetrics: [new SparseCategoricalAccuracy()],
    };
  }

  // === Config and presets ===

  /**
   * Loads a masked LM from a preset, as KerasHub's `from_preset`: an `AlbertMaskedLM` task
   * preset loads its head; any other preset gets a new (random) head around its backbone. An HF
   * `AlbertForMaskedLM` (or `AlbertForPreTraining`) checkpoint loads its `predictions` head with
   * its `hidden_act` and `layer_norm_eps`; a checkpoint of another head is an `AlbertConfigError`.
   * Options are the constructor's (`preprocessor: null`, ...) and the resolver's.
   */
  static fromPreset(preset: string, options: AlbertMaskedLMPresetOptions = {}): Promise<AlbertMaskedLM> {
    return fromTaskPreset(
      preset,
      options,
      AlbertMaskedLM.className,
      (dir, loaded) => AlbertMaskedLMPreprocessor.fromPreset(dir, hfPreprocessorOptions(loaded)),
      ({ loaded, own, saved, preprocessor }) => {
        const head = loaded.extras?.masked_lm_head;
        const { hiddenDim: H, embeddingDim: E, vocabularySize: V } = loaded.backbone;
        // An HF AlbertForMaskedLM checkpoint: `predictions.*`, HF's activation and epsilon.
        const hf = loaded.hf && hfMaskedLMHead(loaded.hf, loaded.backbone);
        const dense = "layers/masked_lm_head/_intermediate_dense";
        const norm = "layers/masked_lm_head/_intermediate_layer_norm";
        const weights =
          hf?.weights ??
          (loaded.task?.weights !== undefined
            ? headWeights(
                loaded.task.weights,
                [
                  { group: "layers/masked_lm_head", index: 0, path: "mlm_head/output_bias", shape: [V] },
                  { group: dense, index: 0, path: "mlm_head/intermediate_dense/kernel", shape: [H, E] },
                  { group: dense, index: 1, path: "mlm_head/intermediate_dense/bias", shape: [E] },
                  { group: norm, index: 0, path: "mlm_head/intermediate_layer_norm/gamma", shape: [E] },
                  { group: norm, index: 1, path: "mlm_head/intermediate_layer_norm/beta", shape: [E] },
                ],
                loaded.dir,
              )
            : undefined);
        const intermediateActivation =
          own.intermediateActivation ?? hf?.intermediateActivation ?? (head?.intermediate_activation as AlbertActivation | undefined);
        const layerNormEpsilon = own.layerNormEpsilon ?? hf?.layerNormEpsilon ?? head?.layer_norm_epsilon;
        return new AlbertMaskedLM(
          {
            backbone: loaded.backbone,
            preprocessor,
            name: own.name ?? (saved?.["name"] as string | undefined) ?? "albert_masked_lm",
            ...(intermediateActivation !== undefined ? { intermediateActivation } : {}),
            ...(layerNormEpsilon !== undefined ? { layerNormEpsilon } : {}),
            ...(own.compile !== undefined ? { compile: own.compile } : {}),
          },
          weights ? { weights } : {},
        );
      },
    );
  }

  /** The `mlm_head` layers, the `mask_positions` input's empty group, and head settings
   * KerasHub does not have (a non-default activation or epsilon) for `albert_ts_task.json`. */
  protected presetFiles(): TaskPresetFilesOf {
    const head = this.maskedLMHead;
    const dtype = this.backbone.dtypePolicy.variableDtype;
    const extras: TaskExtras = {};
    if (head.intermediateActivation !== "gelu_approximate" || head.layerNormEpsilon !== 1e-5) {
      extras.masked_lm_head = { intermediate_activation: head.intermediateActivation, layer_norm_epsilon: head.layerNormEpsilon };
    }
    return {
      task: taskConfigJson(AlbertMaskedLM.kerasClass, this.getConfig(), this.backbone),
      headGroups: [
        { group: "layers/input_layer_3", layerName: "mask_positions", vars: [] },
        {
          group: "layers/masked_lm_head/_intermediate_dense",
          layerName: "intermediate_dense",
          vars: variableValues([head.intermediateDense.kernel, head.intermediateDense.bias], dtype),
        },
        {
          group: "layers/masked_lm_head/_intermediate_layer_norm",
          layerName: "intermediate_layer_norm",
          vars: variableValues([head.intermediateLayerNorm.gamma, head.intermediateLayerNorm.beta], dtype),
        },
        { group: "layers/masked_lm_head", layerName: "mlm_head", vars: variableValues([head.outputBias], dtype) },
      ],
      ...(Object.keys(extras).length > 0 ? { extras } : {}),
    };
  }
}
