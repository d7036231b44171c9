/**
 * What the benchmark runs: the model size, the input shapes, the input itself and how many
 * times each case is repeated. Pure data and arithmetic: no TF.js, no processes.
 */

/** The architecture measured (camelCase, as `new AlbertBackbone(...)` takes it). */
export interface ModelSpec {
  name: string;
  vocabularySize: number;
  numLayers: number;
  numHeads: number;
  numGroups: number;
  numInnerRepetitions: number;
  embeddingDim: number;
  hiddenDim: number;
  intermediateDim: number;
  maxSequenceLength: number;
  numSegments: number;
}

/** albert_base_en_uncased / albert-base-v2: V30000 E128 H768 L12, 12 heads, I3072. */
export const ALBERT_BASE: ModelSpec = {
  name: "albert_base",
  vocabularySize: 30000,
  numLayers: 12,
  numHeads: 12,
  numGroups: 1,
  numInnerRepetitions: 1,
  embeddingDim: 128,
  hiddenDim: 768,
  intermediateDim: 3072,
  maxSequenceLength: 512,
  numSegments: 2,
};

/** A model small enough for smoke tests (the harness itself, not a measurement). */
export const ALBERT_TINY: ModelSpec = {
  name: "albert_tiny",
  vocabularySize: 1000,
  numLayers: 2,
  numHeads: 2,
  numGroups: 1,
  numInnerRepetitions: 1,
  embeddingDim: 8,
  hiddenDim: 16,
  intermediateDim: 32,
  maxSequenceLength: 32,
  numSegments: 2,
};

export const MODELS: Record<string, ModelSpec> = {
  albert_base: ALBERT_BASE,
  albert_tiny: ALBERT_TINY,
};

/** One input shape. */
export interface Shape {
  batch: number;
  seq: number;
}

export const DEFAULT_SHAPES: Shape[] = [
  { batch: 1, seq: 128 },
  { batch: 8, seq: 128 },
  { batch: 32, seq: 128 },
  { batch: 8, seq: 512 },
];

export const QUICK_SHAPES: Shape[] = [
  { batch: 1, seq: 128 },
  { batch: 8, seq: 128 },
];

/** The fine-tuning case: `fit` at the forward case a fine-tuning run on a CPU would use. */
export const FIT_SHAPES: Shape[] = [{ batch: 8, seq: 128 }];

export function shapeLabel(shape: Shape): string {
  return `${shape.batch}x${shape.seq}`;
}

/** Parses `"8x128"` (also `8*128`, `8×128`). */
export function parseShape(text: string): Shape {
  const match = /^\s*(\d+)\s*[x*×]\s*(\d+)\s*$/.exec(text);
  if (!match)
    throw new Error(`Invalid case ${JSON.stringify(text)}; allowed: BATCHxSEQ, e.g. 8x128`);
  const shape = { batch: Number(match[1]), seq: Number(match[2]) };
  if (shape.batch < 1 || shape.seq < 1)
    throw new Error(`Invalid case ${JSON.stringify(text)}: sizes must be >= 1`);
  return shape;
}

/**
 * The input every implementation runs: valid ids in a deterministic pattern, segment 0, all
 * positions real (mask all ones). Mirrors `token_id` in python/bench_common.py.
 */
export function tokenId(b: number, s: number, vocabularySize = ALBERT_BASE.vocabularySize): number {
  return (2 + 997 * b + 131 * s) % vocabularySize;
}

export function makeInputs(
  shape: Shape,
  vocabularySize: number,
): { tokenIds: number[][]; segmentIds: number[][]; paddingMask: number[][] } {
  const rows = (f: (b: number, s: number) => number) =>
    Array.from({ length: shape.batch }, (_, b) =>
      Array.from({ length: shape.seq }, (_, s) => f(b, s)),
    );
  return {
    tokenIds: rows((b, s) => tokenId(b, s, vocabularySize)),
    segmentIds: rows(() => 0),
    paddingMask: rows(() => 1),
  };
}

/**
 * Floating-point operations of one forward pass (a multiply-add counts 2), the matrix
 * products only: embedding projection, per encoder application the Q, K, V and output
 * projections, the two attention products and the feed-forward pair, then the pooler.
 * Layer norms, softmax, GELU and the embedding lookups are left out (they are a few percent).
 * Effective GFLOP/s = this / time, the same count for every implementation.
 */
export function forwardFlops(spec: ModelSpec, shape: Shape): number {
  const tokens = shape.batch * shape.seq;
  const { hiddenDim: h, intermediateDim: i, embeddingDim: e } = spec;
  const projections = 4 * 2 * tokens * h * h;
  const attention = 2 * 2 * shape.batch * shape.seq * shape.seq * h;
  const feedForward = 2 * 2 * tokens * h * i;
  const perLayer = projections + attention + feedForward;
  const applications = spec.numLayers * spec.numInnerRepetitions;
  return 2 * tokens * e * h + applications * perLayer + 2 * shape.batch * h * h;
}

/** How many times a case runs: warm-up calls (the first is reported separately), then timed. */
export interface IterationPlan {
  warmups: number;
  runs: number;
}

/** Backends too slow for big inputs: the pure JS cpu backend (~15 s per layer at 8x128). */
export const CPU_MAX_TOKENS = 128;

/**
 * The plan for one case: 3 warm-ups, then 15 timed runs at batch 1, 10 up to 8x128 and 5
 * beyond. Slow backends get fewer: wasm (one thread in Node, ~8x slower than native) 2 + 5 at
 * batch 1, 1 + 3 up to 8x128 and 1 + 2 beyond; the pure JS cpu backend 1 + 3 (it runs only at
 * CPU_MAX_TOKENS). `--quick`: 1 warm-up and 2 runs everywhere.
 */
export function iterationPlan(shape: Shape, backend: string, quick: boolean): IterationPlan {
  if (quick) return { warmups: 1, runs: 2 };
  const tokens = shape.batch * shape.seq;
  if (backend === "cpu") return { warmups: 1, runs: 3 };
  if (backend === "wasm") {
    if (tokens <= CPU_MAX_TOKENS) return { warmups: 2, runs: 5 };
    return tokens <= 1024 ? { warmups: 1, runs: 3 } : { warmups: 1, runs: 2 };
  }
  if (shape.batch === 1) return { warmups: 3, runs: 15 };
  if (tokens <= 1024) return { warmups: 3, runs: 10 };
  return { warmups: 3, runs: 5 };
}

/** The Python peer scripts' arguments for a shape and its plan (`--batch 8 --seq 128 ...`). */
export function timingArgs(shape: Shape, plan: IterationPlan): string[] {
  return [
    "--batch",
    String(shape.batch),
    "--seq",
    String(shape.seq),
    "--warmups",
    String(plan.warmups),
    "--runs",
    String(plan.runs),
  ];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
