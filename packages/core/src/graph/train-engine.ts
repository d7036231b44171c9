import type { tf } from "../tf.js";
import { loadSavedModel, nativeSessionBackend, type SessionBackend } from "./native-session.js";
import { buildTrainGraph, type TrainDataInput, type TrainGraph, type TrainGraphSpec } from "./train-graph.js";

/** What one run of the train graph returns (the caller owns every tensor). */
export interface TrainGraphOutputs {
  loss: tf.Tensor;
  yPred: tf.Tensor;
  /** Per updated variable (`updated` order): new value, momentum and velocity; or, for a
   * gradients-only graph, its dense gradient. */
  values: tf.Tensor[];
}

/** Where the train graph can run: the native backend's session API, else `undefined`. */
export function trainGraphBackend(): SessionBackend | undefined {
  return nativeSessionBackend();
}

/**
 * One loaded TensorFlow session running a whole training step (`buildTrainGraph`): one native
 * call per batch. Variables and optimizer slots are fed on every run; their new values come
 * back as tensors for the caller to assign.
 */
export class TrainGraphSession {
  private constructor(
    private readonly backend: SessionBackend,
    private readonly id: number,
    private readonly graph: TrainGraph,
  ) {}

  static load(backend: SessionBackend, spec: TrainGraphSpec): TrainGraphSession {
    const graph = buildTrainGraph(spec);
    return new TrainGraphSession(backend, loadSavedModel(backend, graph.savedModel), graph);
  }

  /** The data inputs `run` takes. */
  get dataInputs(): readonly TrainDataInput[] {
    return this.graph.dataInputs;
  }

  /** Variable paths `run` takes as `weights`, in order. */
  get weightInputs(): readonly string[] {
    return this.graph.weightInputs;
  }

  /** The variables the step updates (their slots are `run`'s `slots`, two each). */
  get updated(): readonly string[] {
    return this.graph.updated;
  }

  run(data: Readonly<Record<TrainDataInput, tf.Tensor | undefined>>, weights: readonly tf.Tensor[], slots: readonly tf.Tensor[]): TrainGraphOutputs {
    const inputs = [...this.graph.dataInputs.map((name) => data[name]!), ...weights, ...slots];
    const [loss, yPred, ...values] = this.backend.runSavedModel(this.id, inputs, this.graph.feeds, this.graph.outputs);
    return { loss: loss!, yPred: yPred!, values };
  }

  dispose(): void {
    this.backend.deleteSavedModel(this.id);
  }
}
