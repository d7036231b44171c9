import { tf } from "../tf.js";

/** Whether TF.js is recording operations for gradients right now (inside `tf.grad` & co.). */
export function isRecordingGradients(): boolean {
  const state = (tf.engine() as unknown as { state: { gradientDepth: number } }).state;
  return state.gradientDepth > 0;
}

/**
 * Tensors computed from variables (a fused QKV kernel, say). `prebuild()` computes and keeps a
 * copy, reused until a variable changes: a TF.js variable gets a new data id on every
 * `assign`, so a change is noticed on the next `get()` and the copy rebuilt. Without a kept
 * copy (models that infer through a TensorFlow graph keep none) and while gradients are being
 * recorded, `get()` computes them afresh inside the caller's `tf.tidy`, so gradients reach the
 * variables and nothing outlives the call.
 */
export class DerivedWeights<T extends tf.Tensor[]> {
  private cached: T | undefined;
  private sourceIds: unknown[] = [];

  constructor(
    private readonly sources: () => tf.Variable[],
    private readonly build: () => T,
  ) {}

  /** Computes and keeps the derived tensors. */
  prebuild(): void {
    this.dispose();
    this.cached = tf.tidy(() => this.build()) as T;
    for (const tensor of this.cached) tf.keep(tensor);
    this.sourceIds = this.sources().map((v) => v.dataId);
  }

  get(): T {
    if (this.cached === undefined || isRecordingGradients()) return this.build();
    const ids = this.sources().map((v) => v.dataId);
    if (ids.some((id, i) => id !== this.sourceIds[i])) this.prebuild();
    return this.cached!;
  }

  /** `get()`, keeping the copy from the first call on (for a path only some backends take). */
  getKept(): T {
    if (this.cached === undefined && !isRecordingGradients()) this.prebuild();
    return this.get();
  }

  dispose(): void {
    if (this.cached !== undefined) tf.dispose(this.cached);
    this.cached = undefined;
    this.sourceIds = [];
  }
}
