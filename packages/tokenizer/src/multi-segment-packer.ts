import { TokenizerError, describeValue } from "./errors.js";

/** How segments are shortened to fit (`round_robin`: one token at a time from each segment in
 * turn; `waterfall`: fill from the first segment, the last ones lose first). */
export type TruncationStrategy = "round_robin" | "waterfall";

export const TRUNCATION_STRATEGIES: readonly TruncationStrategy[] = ["round_robin", "waterfall"];

export interface MultiSegmentPackerOptions {
  /** Length of every packed row (padding or truncating to it). */
  sequenceLength: number;
  startValue: number;
  endValue: number;
  /** Between segments; defaults to `endValue`. */
  sepValue?: number;
  padValue: number;
  truncate?: TruncationStrategy;
}

export interface PackedBatch {
  tokenIds: number[][];
  segmentIds: number[][];
}

/**
 * KerasHub's `MultiSegmentPacker` (its Python workflow): trims a row's segments to fit
 * `sequenceLength` with `start ... sep ... end` around them, concatenates them, gives each
 * token the index of its segment (the start token is in segment 0, a segment's sep/end token
 * in that segment) and pads on the right.
 */
export class MultiSegmentPacker {
  readonly sequenceLength: number;
  readonly startValue: number;
  readonly endValue: number;
  readonly sepValue: number;
  readonly padValue: number;
  readonly truncate: TruncationStrategy;

  constructor(options: MultiSegmentPackerOptions) {
    const { sequenceLength, truncate = "round_robin" } = options;
    checkSequenceLength(sequenceLength);
    checkTruncate(truncate);
    this.sequenceLength = sequenceLength;
    this.startValue = options.startValue;
    this.endValue = options.endValue;
    this.sepValue = options.sepValue ?? options.endValue;
    this.padValue = options.padValue;
    this.truncate = truncate;
  }

  /** Packs `segments[s][b]` (segment s of row b); every segment has the same number of rows. */
  pack(segments: readonly (readonly (readonly number[])[])[]): PackedBatch {
    const numSegments = segments.length;
    if (numSegments === 0) {
      throw new TokenizerError("invalid_argument", "at least one segment is required for packing");
    }
    const batchSize = segments[0]!.length;
    const numSpecial = 1 + (numSegments - 1) + 1;
    const budget = this.sequenceLength - numSpecial;
    if (budget < 0) {
      throw new TokenizerError(
        "invalid_argument",
        `sequenceLength ${this.sequenceLength} is too short for ${numSegments} segment(s): ` +
          `[CLS] and ${numSegments} [SEP] need at least ${numSpecial}`,
      );
    }
    const tokenIds: number[][] = [];
    const segmentIds: number[][] = [];
    for (let b = 0; b < batchSize; b++) {
      const row = segments.map((segment) => segment[b]!);
      const trimmed =
        this.truncate === "round_robin" ? trimRoundRobin(row, budget) : trimWaterfall(row, budget);
      const ids: number[] = [this.startValue];
      const segs: number[] = [0];
      trimmed.forEach((tokens, s) => {
        for (const t of tokens) {
          ids.push(t);
          segs.push(s);
        }
        ids.push(s === numSegments - 1 ? this.endValue : this.sepValue);
        segs.push(s);
      });
      while (ids.length < this.sequenceLength) {
        ids.push(this.padValue);
        segs.push(0);
      }
      tokenIds.push(ids);
      segmentIds.push(segs);
    }
    return { tokenIds, segmentIds };
  }
}

/**
 * Round robin: token k of segment s has priority `k * numSegments + s`; keep the
 * `budget` tokens of lowest priority (KerasHub's binary search gives the same cut).
 */
export function trimRoundRobin(row: readonly (readonly number[])[], budget: number): number[][] {
  const n = row.length;
  const lengths = row.map((tokens) => tokens.length);
  if (lengths.reduce((a, b) => a + b, 0) <= budget) return row.map((tokens) => [...tokens]);
  const keep = new Array<number>(n).fill(0);
  let left = budget;
  // Each round takes one token from every segment that still has one, in segment order.
  while (left > 0) {
    let took = false;
    for (let s = 0; s < n && left > 0; s++) {
      if (keep[s]! < lengths[s]!) {
        keep[s]! += 1;
        left--;
        took = true;
      }
    }
    if (!took) break;
  }
  return row.map((tokens, s) => tokens.slice(0, keep[s]!));
}

/** Waterfall: the first segment keeps as much as fits, then the next, and so on. */
export function trimWaterfall(row: readonly (readonly number[])[], budget: number): number[][] {
  let remaining = budget;
  return row.map((tokens) => {
    if (remaining <= 0) return [];
    if (tokens.length <= remaining) {
      remaining -= tokens.length;
      return [...tokens];
    }
    const kept = tokens.slice(0, remaining);
    remaining = 0;
    return kept;
  });
}

export function checkSequenceLength(sequenceLength: unknown): asserts sequenceLength is number {
  if (
    typeof sequenceLength !== "number" ||
    !Number.isInteger(sequenceLength) ||
    sequenceLength < 2
  ) {
    throw new TokenizerError(
      "invalid_argument",
      `sequenceLength must be an integer >= 2 (room for [CLS] and [SEP]), got ${describeValue(sequenceLength)}`,
    );
  }
}

export function checkTruncate(truncate: unknown): asserts truncate is TruncationStrategy {
  if (!TRUNCATION_STRATEGIES.includes(truncate as TruncationStrategy)) {
    throw new TokenizerError(
      "invalid_argument",
      `truncate must be "round_robin" or "waterfall", got ${describeValue(truncate)}`,
    );
  }
}
