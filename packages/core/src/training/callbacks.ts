/** The logs Keras passes to callbacks: metric name to value (`loss`, `sparse_categorical_accuracy`,
 * `val_loss`, ...). During an epoch they are running means over its batches so far. */
export type Logs = Record<string, number>;

/**
 * Keras' callback hooks, in camelCase (`on_train_batch_end` → `onTrainBatchEnd`). Every hook
 * is optional and may be async (training waits for it). `batch` counts from 0 in each epoch.
 *
 * @example
 * ```ts
 * await classifier.fit(x, y, {
 *   epochs: 3,
 *   callbacks: {
 *     onTrainBatchEnd: (batch, logs) => console.log(batch, logs.loss),
 *     onEpochEnd: (epoch, logs) => console.log(epoch, logs),
 *   },
 * });
 * ```
 */
export interface Callback {
  onTrainBegin?(logs: Logs): void | Promise<void>;
  onTrainEnd?(logs: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: Logs): void | Promise<void>;
  onTrainBatchBegin?(batch: number, logs: Logs): void | Promise<void>;
  onTrainBatchEnd?(batch: number, logs: Logs): void | Promise<void>;
  onTestBegin?(logs: Logs): void | Promise<void>;
  onTestEnd?(logs: Logs): void | Promise<void>;
  onTestBatchBegin?(batch: number, logs: Logs): void | Promise<void>;
  onTestBatchEnd?(batch: number, logs: Logs): void | Promise<void>;
  onPredictBatchEnd?(batch: number, logs: Logs): void | Promise<void>;
}

type Hook = Exclude<keyof Callback, never>;

/** Runs the hooks of several callbacks in order. */
export class CallbackList {
  private readonly callbacks: Callback[];

  constructor(callbacks: Callback | readonly Callback[] | undefined) {
    this.callbacks = callbacks === undefined ? [] : Array.isArray(callbacks) ? [...callbacks] : [callbacks as Callback];
  }

  async call<H extends Hook>(hook: H, ...args: Parameters<NonNullable<Callback[H]>>): Promise<void> {
    for (const callback of this.callbacks) {
      const fn = callback[hook] as ((...a: unknown[]) => void | Promise<void>) | undefined;
      if (fn !== undefined) await fn.apply(callback, args);
    }
  }
}

/**
 * Keras' `History`, what `fit` returns: `history.loss[epoch]`, `history.val_loss[epoch]`, ...
 * for every epoch, `epoch` (the epoch numbers) and `params`.
 */
export class History {
  readonly history: Record<string, number[]> = {};
  readonly epoch: number[] = [];
  readonly params: { epochs: number; steps: number; verbose: number };

  constructor(params: { epochs: number; steps: number }) {
    this.params = { ...params, verbose: 0 };
  }

  /** Records an epoch's logs (called by `fit`). */
  record(epoch: number, logs: Logs): void {
    this.epoch.push(epoch);
    for (const [key, value] of Object.entries(logs)) (this.history[key] ??= []).push(value);
  }
}
