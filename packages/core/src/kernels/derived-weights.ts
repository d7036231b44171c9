import { tf } from "../tf.js";

/** Whether TF.js is recording operations for gradients right now (inside `tf.grad` & co.). */
export function isRecordingGradients(): boolean {
  const state = (tf.engine() as unknown as { state: { gradientDepth: number } }).state;
  return state.gradientDepth > 0;
}

/**
 * Tensors computed from variables once and reused (a fused QKV kernel, say). The variables
 * stay the source of truth: a TF.js variable gets a new data id on every `assign`, so a change
 * is noticed on the next `get()` and the copy rebuilt. While gradients are being recorded the
 * copy is computed afresh inside the tape instead, so gradients reach the variables.
 */
export class DerivedWeights<T extends tf.Tensor[]> {
  private cached: T | undefined;
  private sourceIds: unknown[] = [];

  constructor(
    private readonly sources: () => tf.Variable[],
    private readonly build: () => T,
  ) {}

  get(): T {
    if (isRecordingGradients()) return this.build();
    const ids = this.sources().map((v) => v.dataId);
    if (this.cached === undefined || ids.some((id, i) => id !== this.sourceIds[i])) {
      this.dispose();
      this.cached = tf.tidy(() => this.build()) as T;
      for (const tensor of this.cached) tf.keep(tensor);
      this.sourceIds = ids;
    }
    return this.cached;
  }

  dispose(): void {
    if (this.cached !== undefined) tf.dispose(this.cached);
    this.cached = undefined;
    this.sourceIds = [];
  }
}
