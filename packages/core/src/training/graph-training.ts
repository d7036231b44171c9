import { argsFromConfig, resolveArgs } from "../albert-backbone-config.js";
import type { AlbertBackbone } from "../albert-backbone.js";
import { trainGraphBackend, TrainGraphSession } from "../graph/train-engine.js";
import type { TrainDataInput, TrainGraphSpec, TrainHead } from "../graph/train-graph.js";
import { tf } from "../tf.js";
import { SparseCategoricalCrossentropy, type Loss } from "./losses.js";
import { Adam } from "./optimizers/adam.js";
import { AdamW } from "./optimizers/adamw.js";
import type { OptimizedVariable, Optimizer } from "./optimizers/optimizer.js";

/** A task variable as the train graph reads it. */
export interface GraphTrainWeight {
  path: string;
  variable: tf.Variable;
}

/** What a task trains, for the graph: its backbone, head, loss, optimizer and variables. */
export interface GraphTrainingSetup {
  backbone: AlbertBackbone;
  /** The task's head as the graph builds it; `undefined`: the task has none (tape only). */
  head: TrainHead | undefined;
  loss: Loss;
  optimizer: Optimizer;
  /** Every task variable (backbone, then head). */
  weights: readonly GraphTrainWeight[];
}

/** A batch for the graph: int32 model inputs, labels and optional float32 sample weights. */
export interface GraphBatch {
  inputs: Record<string, tf.Tensor>;
  y: tf.Tensor;
  sampleWeight?: tf.Tensor;
}

/**
 * Whether `fit` trains through the native train graph: `ALBERT_TRAIN_GRAPH=1` turns it on,
 * `0` off; left unset, the default below.
 */
const GRAPH_BY_DEFAULT = true;

function graphWanted(): boolean {
  const flag = process.env["ALBERT_TRAIN_GRAPH"];
  return flag === undefined ? GRAPH_BY_DEFAULT : flag !== "0";
}

/**
 * The train graph's spec for a task, or why it cannot have one (a reason in words): float32
 * policies, Keras' `Adam`/`AdamW` and `SparseCategoricalCrossentropy` with a scalar reduction,
 * and the heads the graph builds.
 */
export function trainGraphSpec(setup: GraphTrainingSetup): TrainGraphSpec | string {
  const { backbone, head, loss, optimizer } = setup;
  const policy = backbone.dtypePolicy;
  if (policy.computeDtype !== "float32" || policy.variableDtype !== "float32") return `the graph trains in float32; the policy is ${policy.name}`;
  if (head === undefined) return "the task's head has no train graph";
  if (optimizer.constructor !== Adam && optimizer.constructor !== AdamW) return `the graph applies Adam and AdamW; the optimizer is a ${optimizer.constructor.name}`;
  if (loss.constructor !== SparseCategoricalCrossentropy) return `the graph computes SparseCategoricalCrossentropy; the loss is a ${loss.constructor.name}`;
  const crossEntropy = loss as SparseCategoricalCrossentropy;
  if (crossEntropy.reduction === "none") return "the loss's reduction is none";
  const adam = optimizer as Adam;
  const resolved = resolveArgs(argsFromConfig(backbone.getConfig()));
  return {
    model: {
      numLayers: resolved.numLayers,
      numGroups: resolved.numGroups,
      numInnerRepetitions: resolved.numInnerRepetitions,
      numHeads: resolved.numHeads,
      hiddenDim: resolved.hiddenDim,
      embeddingDim: resolved.embeddingDim,
      intermediateDim: resolved.intermediateDim,
      activation: resolved.activation,
      layerNormEpsilon: resolved.layerNormEpsilon,
      dropout: resolved.dropout,
    },
    head,
    loss: { fromLogits: crossEntropy.fromLogits, reduction: crossEntropy.reduction },
    variables: setup.weights.map(({ path, variable }) => ({
      path,
      shape: [...variable.shape],
      trainable: variable.trainable,
      weightDecay: adam instanceof AdamW && adam.usesWeightDecay({ path, variable }) ? adam.weightDecay : 0,
    })),
    optimizer: { beta1: adam.beta1, beta2: adam.beta2, epsilon: adam.epsilon },
  };
}

/**
 * `fit`'s native train graph for one task: built on the first batch, rebuilt when what it
 * depends on changes (which variables train, the head, the loss, the optimizer's constants),
 * and given up for the tape when it cannot be built or run (`status` says why).
 */
export class GraphTraining {
  private session: { key: string; session: TrainGraphSession } | undefined;
  private failed: { key: string; reason: string } | undefined;
  private lastReason = "not used yet";

  /**
   * `"graph"`, or `"tape (<why>)"`: what the latest `fit` batch ran on (before any batch: what
   * it would run on, so far as it is known without building).
   */
  get status(): string {
    return this.session !== undefined && this.lastReason === "" ? "graph" : `tape (${this.lastReason})`;
  }

  /** Why this setup would train on the tape (`undefined`: it would use the graph). */
  reasonAgainst(setup: GraphTrainingSetup): string | undefined {
    const spec = this.specFor(setup);
    return typeof spec === "string" ? spec : undefined;
  }

  private specFor(setup: GraphTrainingSetup): TrainGraphSpec | string {
    if (trainGraphBackend() === undefined) return "native TensorFlow is not the backend";
    if (!graphWanted()) return "ALBERT_TRAIN_GRAPH=0";
    return trainGraphSpec(setup);
  }

  /**
   * The session for this setup, or `undefined` to train on the tape (the reason kept for
   * `status`).
   */
  sessionFor(setup: GraphTrainingSetup): TrainGraphSession | undefined {
    const spec = this.specFor(setup);
    if (typeof spec === "string") return this.tape(spec);
    const backend = trainGraphBackend()!;
    const key = JSON.stringify(spec);
    if (this.failed?.key === key) return this.tape(this.failed.reason);
    if (this.session?.key !== key) {
      this.disposeSession();
      try {
        this.session = { key, session: TrainGraphSession.load(backend, spec) };
      } catch (error) {
        return this.fail(key, error);
      }
    }
    this.lastReason = "";
    return this.session.session;
  }

  /**
   * One training step through the graph: feeds the batch, the variables and the optimizer's
   * slots (built first, in Keras' order, as `applyGradients` builds them), assigns the new
   * values, and counts the step. Returns the loss before the step and the model's output;
   * `undefined` (nothing changed) when the session failed to run, and the tape should run
   * this batch instead.
   */
  step(
    session: TrainGraphSession,
    setup: GraphTrainingSetup,
    optimized: readonly OptimizedVariable[],
    batch: GraphBatch,
    seed: number,
  ): { loss: number; yPred: tf.Tensor } | undefined {
    const optimizer = setup.optimizer as Adam;
    optimizer.build(optimized);
    const byPath = new Map(setup.weights.map((w) => [w.path, w.variable]));
    const slots = session.updated.flatMap((path) => {
      const state = optimizer.slotsOf(byPath.get(path)!);
      if (state === undefined) throw new Error(`${optimizer.name}: variable ${path} was not among the variables this optimizer was built for`);
      return state;
    });
    const made: tf.Tensor[] = [];
    const data = this.feeds(session, batch, seed, optimizer, made);
    let outputs;
    try {
      outputs = session.run(data, session.weightInputs.map((path) => byPath.get(path)!), slots);
    } catch (error) {
      this.fail(this.session!.key, error);
      this.disposeSession();
      return undefined;
    } finally {
      tf.dispose(made);
    }
    const { loss, yPred, values } = outputs;
    try {
      session.updated.forEach((path, i) => {
        const state = optimizer.slotsOf(byPath.get(path)!)!;
        byPath.get(path)!.assign(values[3 * i]!);
        state[0]!.assign(values[3 * i + 1]!);
        state[1]!.assign(values[3 * i + 2]!);
      });
      optimizer.countStep();
      return { loss: loss.dataSync()[0]!, yPred };
    } finally {
      tf.dispose([loss, ...values]);
    }
  }

  /** The data and scalar inputs of one step (tensors made here are added to `made`). */
  private feeds(session: TrainGraphSession, batch: GraphBatch, seed: number, optimizer: Adam, made: tf.Tensor[]): Record<TrainDataInput, tf.Tensor | undefined> {
    const keep = <T extends tf.Tensor>(t: T): T => (made.push(t), t);
    const labels = keep(tf.tidy(() => tf.reshape(tf.cast(batch.y, "int32"), [-1])));
    const size = labels.size;
    const weights = keep(
      tf.tidy(() => {
        if (batch.sampleWeight === undefined) return tf.ones([size]);
        // Keras broadcasts weights with fewer axes over the labels' trailing ones.
        let w = tf.cast(batch.sampleWeight, "float32");
        while (w.rank < batch.y.rank) w = tf.expandDims(w, -1);
        return tf.reshape(tf.broadcastTo(w, batch.y.shape), [-1]);
      }),
    );
    const data: Record<TrainDataInput, tf.Tensor | undefined> = {
      token_ids: batch.inputs["tokenIds"],
      segment_ids: batch.inputs["segmentIds"],
      padding_mask: batch.inputs["paddingMask"],
      mask_positions: batch.inputs["maskPositions"],
      labels,
      sample_weight: weights,
      seed: keep(tf.scalar(seed | 0, "int32")),
      learning_rate: keep(tf.scalar(optimizer.learningRate)),
      alpha: keep(tf.scalar(optimizer.stepSize(optimizer.iterations + 1))),
    };
    for (const name of session.dataInputs) {
      if (data[name] === undefined) throw new Error(`train graph: no ${name} in the batch`);
    }
    return data;
  }

  private tape(reason: string): undefined {
    this.lastReason = reason;
    return undefined;
  }

  private fail(key: string, error: unknown): undefined {
    const reason = `the train graph failed: ${((error as Error).message ?? String(error)).split("\n")[0]}`;
    this.failed = { key, reason };
    return this.tape(reason);
  }

  private disposeSession(): void {
    this.session?.session.dispose();
    this.session = undefined;
  }

  dispose(): void {
    this.disposeSession();
  }
}
