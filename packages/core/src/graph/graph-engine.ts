import type { FloatDtype } from "../dtype/dtype-policy.js";
import type { tf } from "../tf.js";
import {
  buildAlbertGraph,
  intermediateChunks,
  type AlbertGraphSpec,
  type GraphKernels,
  type GraphPrecision,
} from "./albert-graph.js";
import { loadSavedModel, nativeSessionBackend, type SessionBackend } from "./native-session.js";

const INPUTS = ["token_ids", "segment_ids", "padding_mask"].map((name) => ({ name: `${name}:0`, tfDtype: "DT_INT32" }));
const OUTPUTS = ["sequence_output:0", "pooled_output:0"];

/** The native backend's session API, when models run on TensorFlow's CPU device
 * (`ALBERT_GRAPH=0` turns inference graphs off). */
export function sessionBackend(): SessionBackend | undefined {
  return process.env["ALBERT_GRAPH"] === "0" ? undefined : nativeSessionBackend();
}

/**
 * One loaded TensorFlow session running the whole ALBERT forward pass: one native call per
 * `predict` instead of hundreds of eager ops, and oneDNN's fused kernels (matmul with bias and
 * GELU, LayerNorm). The model's variables are fed as inputs on every run.
 */
export class GraphSession {
  private constructor(
    private readonly backend: SessionBackend,
    private readonly id: number,
    /** Variable paths in feed order, and the graph's tensor names for them. */
    readonly weightInputs: readonly string[],
    private readonly inputInfos: { name: string; tfDtype: string }[],
  ) {}

  /**
   * Writes the graph to a private temporary folder, loads it, and removes the folder
   * (TensorFlow keeps the graph in memory). `kernels` asks for oneDNN's fused GELU and
   * cached weights (the FFN split is chosen here).
   */
  static load(
    backend: SessionBackend,
    spec: AlbertGraphSpec,
    weightShapes: ReadonlyMap<string, number[]>,
    kernels: Omit<GraphKernels, "ffnChunks">,
    precision: GraphPrecision = { compute: "float32" },
  ): GraphSession {
    const graph = buildAlbertGraph(spec, weightShapes, { ...kernels, ffnChunks: intermediateChunks(spec) }, precision);
    const id = loadSavedModel(backend, graph.savedModel);
    const infos = [...INPUTS, ...graph.weightTensorNames.map((name) => ({ name, tfDtype: "DT_FLOAT" }))];
    return new GraphSession(backend, id, graph.weightInputs, infos);
  }

  /** `weights`: the variables named by `weightInputs`, in that order. */
  run(tokenIds: tf.Tensor2D, segmentIds: tf.Tensor2D, paddingMask: tf.Tensor2D, weights: readonly tf.Tensor[]): [tf.Tensor3D, tf.Tensor2D] {
    const [sequence, pooled] = this.backend.runSavedModel(this.id, [tokenIds, segmentIds, paddingMask, ...weights], this.inputInfos, OUTPUTS);
    return [sequence as tf.Tensor3D, pooled as tf.Tensor2D];
  }

  dispose(): void {
    this.backend.deleteSavedModel(this.id);
  }
}

/** Why the graph path is not used for a model, for diagnostics. `exact`: a 16-bit graph that
 * rounds where KerasHub's eager call rounds (see `GraphPrecision.exact`); `fused-cached`: fused
 * kernels that keep their own reordered weights (`GraphKernels.cachedWeights`). */
export type GraphStatus =
  | "unavailable"
  | "not-built"
  | "fused"
  | "fused-cached"
  | "unfused"
  | "exact"
  | `disabled: ${string}`;

interface GraphVariant {
  fused: boolean;
  exact: boolean;
  /** oneDNN keeps its own reordered copy of the weights (see `GraphKernels.cachedWeights`). */
  cached: boolean;
}

/**
 * Which graphs to try for a compute dtype, best first. float16 always rounds exactly as
 * KerasHub does (oneDNN fuses no float16 kernels on CPUs, so nothing is lost); bfloat16 does
 * when `ALBERT_GRAPH=exact` asks for it, and otherwise first tries oneDNN's bfloat16 kernels
 * with cached weights.
 */
function graphVariants(compute: FloatDtype): GraphVariant[] {
  if (compute === "float16" || (compute === "bfloat16" && process.env["ALBERT_GRAPH"] === "exact")) {
    return [{ fused: false, exact: true, cached: false }];
  }
  const plain = [
    { fused: true, exact: false, cached: false },
    { fused: false, exact: false, cached: false },
  ];
  return compute === "bfloat16" ? [{ fused: true, exact: false, cached: true }, ...plain] : plain;
}

/**
 * The graph session of one model: built on first use (it depends only on the architecture)
 * and checked once against the eager path on a small input before it is trusted. Any failure
 * disables it for the model, which then keeps running eagerly.
 */
export class GraphInference {
  private session: GraphSession | undefined;
  private state: GraphStatus = "not-built";
  /** For a session that cached the weights: their versions when it did. */
  private cachedVersions: readonly unknown[] | undefined;

  constructor(
    private readonly spec: AlbertGraphSpec,
    /** The dtype the graph computes in. */
    readonly compute: FloatDtype,
    private readonly weightShapes: () => ReadonlyMap<string, number[]>,
    /** Runs the graph and the eager path on a probe input; true when they agree. */
    private readonly agrees: (session: GraphSession) => boolean,
    /** Something per variable that changes when it is assigned (TF.js data ids). */
    private readonly weightVersions: () => readonly unknown[] = () => [],
  ) {}

  get status(): GraphStatus {
    return sessionBackend() === undefined && this.session === undefined ? "unavailable" : this.state;
  }

  /** The session to run, or `undefined` to run eagerly. */
  get(): GraphSession | undefined {
    if (this.session !== undefined && this.cachedVersions !== undefined && this.weightsChanged()) {
      // Its kernels still hold the old weights: build it again around the new ones.
      this.dispose();
    }
    if (this.session !== undefined || this.state.startsWith("disabled")) return this.session;
    const backend = sessionBackend();
    if (backend === undefined) return undefined;
    let reason = "";
    for (const { fused, exact, cached } of graphVariants(this.compute)) {
      let session: GraphSession | undefined;
      try {
        const versions = this.weightVersions();
        session = GraphSession.load(
          backend,
          this.spec,
          this.weightShapes(),
          { fusedActivation: fused, cachedWeights: cached },
          { compute: this.compute, exact },
        );
        if (this.agrees(session)) {
          this.session = session;
          this.cachedVersions = cached ? versions : undefined;
          this.state = exact ? "exact" : cached ? "fused-cached" : fused ? "fused" : "unfused";
          return session;
        }
        reason = "its outputs differ from the eager path";
      } catch (error) {
        reason = (error as Error).message.split("\n")[0] ?? "load failed";
      }
      session?.dispose();
    }
    this.state = `disabled: ${reason}`;
    return undefined;
  }

  private weightsChanged(): boolean {
    const now = this.weightVersions();
    return now.length !== this.cachedVersions!.length || now.some((v, i) => v !== this.cachedVersions![i]);
  }

  dispose(): void {
    this.session?.dispose();
    this.session = undefined;
    this.cachedVersions = undefined;
    if (!this.state.startsWith("disabled")) this.state = "not-built";
  }
}
