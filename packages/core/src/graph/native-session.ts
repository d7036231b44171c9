import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { tf } from "../tf.js";

/** The session API of tfjs-node's kernel backend (synchronous, unlike `loadSavedModel`). */
export interface SessionBackend {
  isUsingGpuDevice?: boolean;
  loadSavedModelMetaGraph(path: string, tags: string): number;
  runSavedModel(id: number, inputs: tf.Tensor[], inputs2: { name: string; tfDtype: string }[], outputs: string[]): tf.Tensor[];
  deleteSavedModel(id: number): void;
}

/** The native backend's session API on TensorFlow's CPU device (the graphs use CPU kernels). */
export function nativeSessionBackend(): SessionBackend | undefined {
  if (tf.getBackend() !== "tensorflow") return undefined;
  const backend = tf.backend() as unknown as Partial<SessionBackend>;
  if (backend.isUsingGpuDevice === true) return undefined; // _MklLayerNorm is a CPU kernel
  return typeof backend.loadSavedModelMetaGraph === "function" && typeof backend.runSavedModel === "function"
    ? (backend as SessionBackend)
    : undefined;
}

/**
 * Loads a SavedModel (`saved_model.pb` bytes) as a session: written to a private temporary
 * folder, loaded, and the folder removed (TensorFlow keeps the graph in memory). Returns the
 * session's id.
 */
export function loadSavedModel(backend: SessionBackend, savedModel: Uint8Array): number {
  const dir = mkdtempSync(path.join(tmpdir(), "albert-graph-"));
  try {
    writeFileSync(path.join(dir, "saved_model.pb"), savedModel);
    return backend.loadSavedModelMetaGraph(dir, "serve");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
