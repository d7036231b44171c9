import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { WeightMap } from "@albert/presets";
import { tf } from "../tf.js";
import { buildAlbertSavedModel, type AlbertGraphSpec } from "./albert-graph.js";

/** The session API of tfjs-node's kernel backend (synchronous, unlike `loadSavedModel`). */
interface SessionBackend {
  isUsingGpuDevice?: boolean;
  loadSavedModelMetaGraph(path: string, tags: string): number;
  runSavedModel(id: number, inputs: tf.Tensor[], inputs2: { name: string; tfDtype: string }[], outputs: string[]): tf.Tensor[];
  deleteSavedModel(id: number): void;
}

const INPUTS = ["token_ids", "segment_ids", "padding_mask"].map((name) => ({ name: `${name}:0`, tfDtype: "DT_INT32" }));
const OUTPUTS = ["sequence_output:0", "pooled_output:0"];

/** The native backend's session API, when models run on TensorFlow's CPU device. */
export function sessionBackend(): SessionBackend | undefined {
  if (tf.getBackend() !== "tensorflow" || process.env["ALBERT_GRAPH"] === "0") return undefined;
  const backend = tf.backend() as unknown as Partial<SessionBackend>;
  if (backend.isUsingGpuDevice === true) return undefined; // _MklLayerNorm is a CPU kernel
  return typeof backend.loadSavedModelMetaGraph === "function" && typeof backend.runSavedModel === "function"
    ? (backend as SessionBackend)
    : undefined;
}

/**
 * One loaded TensorFlow session running the whole ALBERT forward pass: one native call per
 * `predict` instead of hundreds of eager ops, and oneDNN's fused kernels (matmul with bias and
 * GELU, LayerNorm). Built from a snapshot of the weights; the owner rebuilds it when they change.
 */
export class GraphSession {
  private constructor(
    private readonly backend: SessionBackend,
    private readonly id: number,
  ) {}

  /**
   * Writes the frozen graph to a private temporary folder, loads it, and removes the folder
   * (TensorFlow keeps the graph in memory). `fusedActivation` asks for oneDNN's fused GELU.
   */
  static load(backend: SessionBackend, spec: AlbertGraphSpec, weights: WeightMap, fusedActivation: boolean): GraphSession {
    const bytes = buildAlbertSavedModel(spec, weights, { fusedActivation });
    const dir = mkdtempSync(path.join(tmpdir(), "albert-graph-"));
    try {
      writeFileSync(path.join(dir, "saved_model.pb"), bytes);
      return new GraphSession(backend, backend.loadSavedModelMetaGraph(dir, "serve"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  run(tokenIds: tf.Tensor2D, segmentIds: tf.Tensor2D, paddingMask: tf.Tensor2D): [tf.Tensor3D, tf.Tensor2D] {
    const [sequence, pooled] = this.backend.runSavedModel(this.id, [tokenIds, segmentIds, paddingMask], INPUTS, OUTPUTS);
    return [sequence as tf.Tensor3D, pooled as tf.Tensor2D];
  }

  dispose(): void {
    this.backend.deleteSavedModel(this.id);
  }
}

/** Why the graph path is not used for a model, for diagnostics. */
export type GraphStatus = "unavailable" | "not-built" | "fused" | "unfused" | `disabled: ${string}`;

/**
 * The graph session of one model: built on first use from the current weights, rebuilt when a
 * variable changes (TF.js gives a variable a new data id on every assign), and checked once
 * against the eager path on a small input before it is trusted. Any failure disables it for
 * the model, which then keeps running eagerly.
 */
export class GraphInference {
  private session: GraphSession | undefined;
  private sourceIds: unknown[] = [];
  private state: GraphStatus = "not-built";

  constructor(
    private readonly spec: AlbertGraphSpec,
    private readonly variables: () => readonly tf.Variable[],
    private readonly snapshot: () => WeightMap,
    /** Runs the graph and the eager path on a probe input; true when they agree. */
    private readonly agrees: (session: GraphSession) => boolean,
  ) {}

  get status(): GraphStatus {
    return sessionBackend() === undefined && this.session === undefined ? "unavailable" : this.state;
  }

  /** The session to run, or `undefined` to run eagerly. */
  get(): GraphSession | undefined {
    if (this.state.startsWith("disabled")) return undefined;
    const backend = sessionBackend();
    if (backend === undefined) return undefined;
    const ids = this.variables().map((v) => v.dataId);
    if (this.session !== undefined && ids.every((id, i) => id === this.sourceIds[i])) return this.session;
    this.dispose();
    const weights = this.snapshot();
    let reason = "";
    for (const fused of [true, false]) {
      let session: GraphSession | undefined;
      try {
        session = GraphSession.load(backend, this.spec, weights, fused);
        if (this.agrees(session)) {
          this.session = session;
          this.sourceIds = ids;
          this.state = fused ? "fused" : "unfused";
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

  dispose(): void {
    this.session?.dispose();
    this.session = undefined;
    this.sourceIds = [];
    if (!this.state.startsWith("disabled")) this.state = "not-built";
  }
}
