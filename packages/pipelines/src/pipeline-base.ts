import type { PipelineTokenizer } from "./tokenizers/pipeline-tokenizer.js";

/** What every pipeline has besides being callable. */
export interface PipelineBase<Task extends string, Model> {
  readonly task: Task;
  /** The model it runs (a task model of `@albert/core`, or the backbone). */
  readonly model: Model;
  readonly tokenizer: PipelineTokenizer;
  /** Frees the model's weights when the pipeline loaded it (a model passed in stays yours). */
  dispose(): void;
}

/** Settings every pipeline keeps from its creation. */
export interface PipelineSettings {
  /** Inputs per model call, each batch padded to its longest input (default 8). */
  batchSize: number;
  /** Character offsets in code points (transformers' values, default) or UTF-16 units. */
  offsetUnit: "codePoint" | "utf16";
  /** Dispose the model with the pipeline. */
  ownsModel: boolean;
}

/** A callable pipeline: `run` with the base's properties. */
export function makePipeline<Task extends string, Model extends { dispose(): void }, F extends (...args: never[]) => unknown>(
  task: Task,
  model: Model,
  tokenizer: PipelineTokenizer,
  settings: PipelineSettings,
  run: F,
): F & PipelineBase<Task, Model> {
  let disposed = false;
  return Object.assign(run, {
    task,
    model,
    tokenizer,
    dispose: () => {
      if (disposed || !settings.ownsModel) return;
      disposed = true;
      model.dispose();
    },
  });
}

/** Options every call takes. */
export const CALL_OPTIONS = ["batchSize"] as const;
