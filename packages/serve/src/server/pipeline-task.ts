import { ServeError, describeValue } from "../errors.js";
import type { PreparedRequest, ServedTask } from "./served-task.js";

/** The pipeline tasks `/predict` serves (transformers' names). */
export type PipelineTaskName = "fill-mask" | "text-classification" | "token-classification" | "question-answering";

/** What `pipelineTask` needs of an `@albert/pipelines` pipeline. */
export interface ServablePipeline {
  readonly task: string;
  readonly tokenizer: { encode(text: string, options?: { textPair?: string }): { ids: number[] } };
  (inputs: unknown, options?: Record<string, unknown>): Promise<unknown>;
  dispose(): void;
}

interface Row {
  item: unknown;
  key: string;
  parameters: Record<string, unknown>;
}

type RowResult = { value: unknown } | { error: Error };

/**
 * How each task's pipeline nests results, so that a request answered from a shared batch gets
 * exactly what `pipe(inputs, parameters)` alone would give it:
 * - `one`: what a call with a one-item array gives for that item (fill-mask and
 *   question-answering give the item's own result; the classifications a list of one);
 * - `whole`: the response for the request's inputs from the per-item results.
 */
const NESTING: Record<PipelineTaskName, { one: "item" | "first"; whole: (results: unknown[], single: boolean, inputs: unknown, parameters: Record<string, unknown>) => unknown }> = {
  "fill-mask": { one: "item", whole: (r, single) => (single || r.length === 1 ? r[0] : r) },
  "question-answering": { one: "item", whole: (r) => (r.length === 1 ? r[0] : r) },
  "text-classification": {
    one: "first",
    // transformers' legacy form: a single string without topK gives a list of one result.
    whole: (r, single, inputs, parameters) => (!single ? r : typeof inputs === "string" && parameters["topK"] === undefined ? [r[0]] : r[0]),
  },
  "token-classification": { one: "first", whole: (r, single) => (single ? r[0] : r) },
};

const ALIASES: Record<string, PipelineTaskName> = { "sentiment-analysis": "text-classification", ner: "token-classification" };

/** A request's inputs as the pipeline's items, and whether it was a single input. */
function items(task: PipelineTaskName, inputs: unknown): { items: unknown[]; single: boolean } {
  if (task === "question-answering" && typeof inputs === "object" && inputs !== null && !Array.isArray(inputs)) {
    const { question, context } = inputs as Record<string, unknown>;
    if (Array.isArray(question)) {
      const contexts = Array.isArray(context) ? context : question.map(() => context);
      if (contexts.length !== question.length) {
        throw new ServeError("invalid_argument", `inputs: ${question.length} questions but ${contexts.length} contexts; give one context, or one per question`);
      }
      return { items: question.map((q, i) => ({ question: q, context: contexts[i] })), single: false };
    }
    return { items: [inputs], single: true };
  }
  if (task === "text-classification" && Array.isArray(inputs) && inputs.length === 1 && Array.isArray(inputs[0]) && inputs[0].length === 2) {
    // transformers' [[text, text_pair]]: one pair.
    return { items: [{ text: inputs[0][0], text_pair: inputs[0][1] }], single: true };
  }
  if (Array.isArray(inputs)) return { items: inputs, single: false };
  return { items: [inputs], single: true };
}

/** Tokens an item will take, to group rows of similar length. */
function lengthOf(pipe: ServablePipeline, item: unknown): number {
  const text = (value: unknown) => (typeof value === "string" ? value : "");
  try {
    if (typeof item === "string") return pipe.tokenizer.encode(item).ids.length;
    const record = (item ?? {}) as Record<string, unknown>;
    if ("question" in record) return pipe.tokenizer.encode(text(record["question"]), { textPair: text(record["context"]) }).ids.length;
    return pipe.tokenizer.encode(text(record["text"]), typeof record["text_pair"] === "string" ? { textPair: record["text_pair"] } : {}).ids.length;
  } catch {
    // A malformed item: the pipeline itself says what is wrong with it when it runs.
    return 1;
  }
}

/**
 * `/predict` on an `@albert/pipelines` pipeline (fill-mask, text-classification,
 * token-classification, question-answering). Each input of a request is one row; the rows of
 * concurrent requests that share `parameters` run as one pipeline call (which pads each of its
 * batches to its longest input), and every request gets the result `pipe(inputs, parameters)`
 * would give it, in transformers' nesting. An input the pipeline refuses fails its own request
 * only (400 with the pipeline's message).
 *
 * @example
 * ```ts
 * import { pipeline } from "@albert/pipelines";
 * import { pipelineTask, serve } from "@albert/serve";
 *
 * const fill = await pipeline("fill-mask", "hf://albert/albert-base-v2");
 * const service = await serve({ task: pipelineTask(fill), port: 8080 });
 * // POST /predict {"inputs": "The capital of France is [MASK].", "parameters": {"topK": 3}}
 * ```
 */
export function pipelineTask(pipe: ServablePipeline): ServedTask {
  const task = ALIASES[pipe.task] ?? (pipe.task as PipelineTaskName);
  const nesting = NESTING[task];
  if (nesting === undefined) {
    throw new ServeError("invalid_argument", `pipelineTask: the ${describeValue(pipe.task)} pipeline is not served by /predict; allowed: ${Object.keys(NESTING).join(", ")} (feature-extraction: use serve({ model }))`);
  }
  const call = async (group: Row[]): Promise<unknown[]> => {
    const output = await pipe(group.map((r) => r.item), group[0]!.parameters);
    return nesting.one === "item" && group.length === 1 ? [output] : (output as unknown[]);
  };
  return {
    name: task,
    prepare(inputs, parameters): PreparedRequest {
      const { items: list, single } = items(task, inputs);
      const key = JSON.stringify(parameters);
      return {
        rows: list.map((item) => ({ input: { item, key, parameters } satisfies Row, length: lengthOf(pipe, item) })),
        finish(results) {
          const rows = results as RowResult[];
          const failed = rows.find((r): r is { error: Error } => "error" in r);
          if (failed !== undefined) throw failed.error;
          return nesting.whole(rows.map((r) => (r as { value: unknown }).value), single, inputs, parameters);
        },
      };
    },
    async run(rows) {
      const all = rows as Row[];
      const results = new Array<RowResult>(all.length);
      const groups = new Map<string, number[]>();
      all.forEach((row, i) => groups.set(row.key, [...(groups.get(row.key) ?? []), i]));
      for (const indexes of groups.values()) {
        try {
          const values = await call(indexes.map((i) => all[i]!));
          indexes.forEach((i, k) => (results[i] = { value: values[k] }));
        } catch {
          // One bad input must not fail the others batched with it: run them one by one.
          for (const i of indexes) {
            try {
              results[i] = { value: (await call([all[i]!]))[0] };
            } catch (error) {
              results[i] = { error: error instanceof Error ? error : new Error(String(error)) };
            }
          }
        }
      }
      return results;
    },
    dispose: () => pipe.dispose(),
  };
}
