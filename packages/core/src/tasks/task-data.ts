import { AlbertInputError } from "../errors.js";
import { tf } from "../tf.js";
import type { TaskDataset } from "./task.js";

/** A rectangular host array: row-major values and a shape whose first axis is the batch. */
export interface Grid {
  data: Int32Array | Float32Array;
  shape: number[];
}

/** Raw text as a task's preprocessor takes it (see `@albert/tokenizer`'s `PreprocessorInputs`). */
export type TextInputs =
  | string
  | readonly string[]
  | readonly (readonly string[])[]
  | { first: string | readonly string[]; second: string | readonly string[] };

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (value instanceof tf.Tensor) return `a ${value.dtype} tensor of shape [${value.shape}]`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  return typeof value === "object" ? (value.constructor?.name ?? "an object") : `${typeof value} ${JSON.stringify(value)}`;
}

/** Rows `indices` of a grid. */
export function takeRows(grid: Grid, indices: readonly number[]): Grid {
  const rowSize = grid.shape.slice(1).reduce((a, b) => a * b, 1);
  const out = new (grid.data.constructor as Int32ArrayConstructor | Float32ArrayConstructor)(indices.length * rowSize);
  indices.forEach((row, i) => out.set(grid.data.subarray(row * rowSize, (row + 1) * rowSize), i * rowSize));
  return { data: out, shape: [indices.length, ...grid.shape.slice(1)] };
}

/** The same rows of every grid (a batch of packed inputs). */
export function gridRows(grids: Record<string, Grid>): (indices: readonly number[]) => Record<string, Grid> {
  return (indices) => Object.fromEntries(Object.entries(grids).map(([k, g]) => [k, takeRows(g, indices)]));
}

/** A dataset cut by row: the inputs of the rows asked for, with their labels and weights when
 * there are any (`fit` and `evaluate`; `predict` has neither). */
export function rowsDataset(
  size: number,
  inputs: (indices: readonly number[]) => Record<string, Grid>,
  labels?: Grid,
  weights?: Grid,
): TaskDataset {
  return {
    size,
    batch: (indices) => ({
      inputs: inputs(indices),
      ...(labels ? { y: takeRows(labels, indices) } : {}),
      ...(weights ? { sampleWeight: takeRows(weights, indices) } : {}),
    }),
  };
}

export function gridTensor(grid: Grid): tf.Tensor {
  return tf.tensor(grid.data, grid.shape, grid.data instanceof Int32Array ? "int32" : "float32");
}

/**
 * Reads a tensor, typed array or nested array of rank `rank` into a grid, checking it is
 * rectangular and, with `integer`, that it holds integers. Errors name `argument`.
 */
export function toGrid(value: unknown, argument: string, rank: number, kind: "int" | "float"): Grid {
  const fail = (code: "missing_input" | "invalid_type" | "invalid_shape" | "ragged_batch" | "invalid_value", why: string): never => {
    throw new AlbertInputError(code, argument, `${argument} ${why}`);
  };
  const expected = `a [${["batch", "n", "m"].slice(0, rank).join(", ")}] ${kind === "int" ? "array of integers" : "array of numbers"} or tensor`;
  if (value === undefined || value === null) return fail("missing_input", `is missing: pass ${expected}`);
  let data: ArrayLike<number>;
  let shape: number[];
  if (value instanceof tf.Tensor) {
    if (value.isDisposed) return fail("invalid_type", "is a disposed tensor");
    if (value.dtype === "string" || value.dtype === "complex64") return fail("invalid_type", `must be ${expected}, got ${describe(value)}`);
    if (value.rank !== rank) return fail("invalid_shape", `must be ${expected}, got ${describe(value)}`);
    data = value.dataSync() as ArrayLike<number>;
    shape = [...value.shape];
  } else if (rank === 1 && (Array.isArray(value) || ArrayBuffer.isView(value))) {
    data = value as ArrayLike<number>;
    shape = [(value as ArrayLike<number>).length];
  } else if (rank === 2 && Array.isArray(value)) {
    const rows = value as unknown[];
    const width = rows.length > 0 && (Array.isArray(rows[0]) || ArrayBuffer.isView(rows[0])) ? (rows[0] as ArrayLike<number>).length : -1;
    const flat: number[] = [];
    rows.forEach((row, r) => {
      if (!Array.isArray(row) && !ArrayBuffer.isView(row)) fail("invalid_type", `[${r}] must be an array of numbers, got ${describe(row)}`);
      const cells = row as ArrayLike<number>;
      if (cells.length !== width) {
        fail("ragged_batch", `is ragged: row 0 has ${width} values, row ${r} has ${cells.length}; every row needs the same length`);
      }
      for (let i = 0; i < cells.length; i++) flat.push(cells[i]!);
    });
    data = flat;
    shape = [rows.length, Math.max(width, 0)];
  } else {
    return fail("invalid_type", `must be ${expected}, got ${describe(value)}`);
  }
  const out = kind === "int" ? new Int32Array(data.length) : new Float32Array(data.length);
  const width = shape.slice(1).reduce((a, b) => a * b, 1);
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as unknown;
    const ok = typeof v === "number" && Number.isFinite(v) && (kind === "float" || Number.isInteger(v));
    if (!ok) {
      const where = rank === 1 ? `[${i}]` : `[${Math.floor(i / width)}][${i % width}]`;
      fail(typeof v === "number" ? "invalid_value" : "invalid_type", `${where} = ${JSON.stringify(v)} is not allowed: ${kind === "int" ? "integers" : "finite numbers"} only`);
    }
    out[i] = v as number;
  }
  return { data: out, shape };
}

/** Checks that every value of an int grid is in [0, limit). */
export function checkRange(grid: Grid, argument: string, limit: number, what: string): void {
  const width = grid.shape.slice(1).reduce((a, b) => a * b, 1);
  for (let i = 0; i < grid.data.length; i++) {
    const v = grid.data[i]!;
    if (v < 0 || v >= limit) {
      const where = grid.shape.length === 1 ? `[${i}]` : `[${Math.floor(i / width)}][${i % width}]`;
      throw new AlbertInputError("out_of_range", argument, `${argument}${where} = ${v} is out of range: allowed ${what}, integers in [0, ${limit})`);
    }
  }
}

/** Whether `x` is raw text (strings, sentence pairs) rather than packed ids. */
export function isTextInput(x: unknown): x is TextInputs {
  if (typeof x === "string") return true;
  if (Array.isArray(x)) return x.length === 0 || typeof x[0] === "string" || (Array.isArray(x[0]) && typeof x[0][0] === "string");
  return typeof x === "object" && x !== null && "first" in x && "second" in x;
}

/** The segments of raw text: `segments[s][b]` is segment `s` of example `b`. */
export function textSegments(x: TextInputs, argument: string): string[][] {
  if (typeof x === "string") return [[x]];
  if (Array.isArray(x)) {
    if (x.length === 0) throw new AlbertInputError("empty_sequence", argument, `${argument} is an empty array: pass at least one text`);
    if (typeof x[0] === "string") return [[...(x as string[])]];
    return (x as string[][]).map((segment) => [...segment]);
  }
  const pairs = x as { first: string | readonly string[]; second: string | readonly string[] };
  const list = (v: string | readonly string[]) => (typeof v === "string" ? [v] : [...v]);
  return [list(pairs.first), list(pairs.second)];
}

/** Rows `indices` of text segments, in the form a preprocessor's `call` takes. */
export function takeText(segments: string[][], indices: readonly number[]): string[] | string[][] {
  const taken = segments.map((segment) => indices.map((i) => segment[i]!));
  return taken.length === 1 ? taken[0]! : taken;
}

/** `[0, n)`, shuffled with Fisher-Yates when asked (Keras' `shuffle=True`); with `random`,
 * as Python's `random.shuffle` from that generator. */
export function order(n: number, shuffle: boolean, random?: { shuffle(items: number[]): void }): number[] {
  const indices = Array.from({ length: n }, (_, i) => i);
  if (shuffle && random !== undefined) {
    random.shuffle(indices);
  } else if (shuffle) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [indices[i], indices[j]] = [indices[j]!, indices[i]!];
    }
  }
  return indices;
}

/** Consecutive batches of `batchSize` (the last may be smaller), as Keras slices arrays. */
export function batches(indices: readonly number[], batchSize: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < indices.length; i += batchSize) out.push(indices.slice(i, i + batchSize));
  return out;
}
