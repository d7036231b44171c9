import { TokenizerError } from "../errors.js";

/** Which end of a sequence truncation cuts, or padding fills. */
export type Side = "right" | "left";

/** HF's truncation strategies for a pair of sequences. */
export type TruncationStrategy = "longest_first" | "only_first" | "only_second";

export interface TruncationParams {
  maxLength: number;
  stride: number;
  strategy: TruncationStrategy;
  direction: Side;
}

export interface PaddingParams {
  /** Pad to this length, or (undefined) to the longest encoding of the batch. */
  length: number | undefined;
  padToMultipleOf: number | undefined;
  direction: Side;
  padId: number;
  padTypeId: number;
  padToken: string;
}

/**
 * `tokenizers`' `Encoding`, with its truncation, merging and padding ported as they are:
 * overflowing pieces are combined with the other sequence's and with each other when pairs
 * are merged, sequence ranges are dropped by truncation and re-set by post-processing, and so
 * on. Offsets are code point spans of the sequence's own text.
 */
export class Encoding {
  ids: number[] = [];
  typeIds: number[] = [];
  tokens: string[] = [];
  words: Array<number | null> = [];
  offsets: Array<[number, number]> = [];
  specialTokensMask: number[] = [];
  attentionMask: number[] = [];
  overflowing: Encoding[] = [];
  /** sequence id -> [start, end) of its tokens. */
  sequenceRanges = new Map<number, [number, number]>();

  get length(): number {
    return this.ids.length;
  }

  clone(): Encoding {
    const copy = new Encoding();
    copy.ids = [...this.ids];
    copy.typeIds = [...this.typeIds];
    copy.tokens = [...this.tokens];
    copy.words = [...this.words];
    copy.offsets = this.offsets.map(([s, e]) => [s, e]);
    copy.specialTokensMask = [...this.specialTokensMask];
    copy.attentionMask = [...this.attentionMask];
    copy.overflowing = this.overflowing.map((o) => o.clone());
    copy.sequenceRanges = new Map([...this.sequenceRanges].map(([k, [s, e]]) => [k, [s, e]]));
    return copy;
  }

  /** Tokens `[start, stop)`, with no overflowing and no sequence ranges. */
  private part(start: number, stop: number): Encoding {
    const out = new Encoding();
    out.ids = this.ids.slice(start, stop);
    out.typeIds = this.typeIds.slice(start, stop);
    out.tokens = this.tokens.slice(start, stop);
    out.words = this.words.slice(start, stop);
    out.offsets = this.offsets.slice(start, stop).map(([s, e]) => [s, e]);
    out.specialTokensMask = this.specialTokensMask.slice(start, stop);
    out.attentionMask = this.attentionMask.slice(start, stop);
    return out;
  }

  setSequenceId(id: number): void {
    this.sequenceRanges.set(id, [0, this.length]);
  }

  /** For each token, the sequence it belongs to (null for special and padding tokens). */
  sequenceIds(): Array<number | null> {
    const out: Array<number | null> = new Array<number | null>(this.length).fill(null);
    const count = this.sequenceRanges.size === 0 ? 1 : this.sequenceRanges.size;
    for (let id = 0; id < count; id++) {
      const [start, end] = this.sequenceRanges.get(id) ?? [0, this.length];
      for (let i = start; i < end && i < out.length; i++) out[i] = id;
    }
    return out;
  }

  /**
   * Keeps `maxLength` tokens and moves the rest to `overflowing`, as windows of `maxLength`
   * that overlap by `stride` tokens.
   */
  truncate(maxLength: number, stride: number, direction: Side): void {
    const n = this.length;
    if (maxLength >= n) return;
    if (maxLength === 0) {
      const whole = this.clone();
      Object.assign(this, new Encoding());
      this.overflowing.push(whole);
      return;
    }
    if (stride >= maxLength) {
      throw new TokenizerError(
        "invalid_argument",
        `stride must be less than the length a sequence is truncated to, got stride ${stride} ` +
          `for ${maxLength} tokens (max_length minus the special tokens, split between a pair)`,
      );
    }
    this.sequenceRanges.clear();
    const step = maxLength - stride;
    const parts: Array<[number, number]> = [];
    if (direction === "right") {
      for (let start = 0; start < n; start += step) {
        const stop = Math.min(start + maxLength, n);
        parts.push([start, stop]);
        if (stop === n) break;
      }
    } else {
      for (let last = n - 1; last >= 0; last -= step) {
        const stop = last + 1;
        const start = Math.max(0, stop - maxLength);
        parts.push([start, stop]);
        if (start === 0) break;
      }
    }
    const first = this.part(...parts[0]!);
    first.overflowing = parts.slice(1).map(([s, e]) => this.part(s, e));
    Object.assign(this, first);
  }

  /** Appends `pair` (`merge_with`), combining the overflowing pieces of both. */
  mergeWith(pair: Encoding): void {
    const overflowings: Encoding[] = [];
    for (const own of this.overflowing) {
      const merged = own.clone();
      merged.mergeWith(pair.clone());
      overflowings.push(merged);
      for (const other of pair.overflowing) {
        const both = own.clone();
        both.mergeWith(other.clone());
        overflowings.push(both);
      }
    }
    for (const other of pair.overflowing) {
      const merged = this.clone();
      merged.mergeWith(other.clone());
      overflowings.push(merged);
    }
    const offset = this.length;
    for (const [id, [s, e]] of pair.sequenceRanges)
      this.sequenceRanges.set(id, [offset + s, offset + e]);
    // concat, not push(...spread): encodings can be longer than a call's argument limit.
    this.ids = this.ids.concat(pair.ids);
    this.typeIds = this.typeIds.concat(pair.typeIds);
    this.tokens = this.tokens.concat(pair.tokens);
    this.words = this.words.concat(pair.words);
    this.offsets = this.offsets.concat(pair.offsets.map(([s, e]): [number, number] => [s, e]));
    this.specialTokensMask = this.specialTokensMask.concat(pair.specialTokensMask);
    this.attentionMask = this.attentionMask.concat(pair.attentionMask);
    this.overflowing = overflowings;
  }

  /** Pads this encoding and its overflowing pieces to `length` tokens. */
  pad(length: number, params: PaddingParams): void {
    for (const o of this.overflowing) o.pad(length, params);
    const count = length - this.length;
    if (count <= 0) return;
    const fill = <T>(value: T): T[] => new Array<T>(count).fill(value);
    if (params.direction === "left") {
      this.ids = [...fill(params.padId), ...this.ids];
      this.typeIds = [...fill(params.padTypeId), ...this.typeIds];
      this.tokens = [...fill(params.padToken), ...this.tokens];
      this.words = [...fill<number | null>(null), ...this.words];
      this.attentionMask = [...fill(0), ...this.attentionMask];
      this.specialTokensMask = [...fill(1), ...this.specialTokensMask];
      this.offsets = [
        ...Array.from({ length: count }, (): [number, number] => [0, 0]),
        ...this.offsets,
      ];
      for (const range of this.sequenceRanges.values()) {
        range[0] += count;
        range[1] += count;
      }
    } else {
      this.ids = this.ids.concat(fill(params.padId));
      this.typeIds = this.typeIds.concat(fill(params.padTypeId));
      this.tokens = this.tokens.concat(fill(params.padToken));
      this.words = this.words.concat(fill<number | null>(null));
      this.attentionMask = this.attentionMask.concat(fill(0));
      this.specialTokensMask = this.specialTokensMask.concat(fill(1));
      for (let k = 0; k < count; k++) this.offsets.push([0, 0]);
    }
  }
}

/** `merge`: the encodings one after the other. */
export function mergeEncodings(encodings: readonly Encoding[]): Encoding {
  const out = new Encoding();
  for (const e of encodings) out.mergeWith(e);
  return out;
}

/** `pad_encodings`: to the fixed length, or to the longest; then up to a multiple. */
export function padEncodings(encodings: readonly Encoding[], params: PaddingParams): void {
  if (encodings.length === 0) return;
  let length = params.length ?? encodings.reduce((m, e) => Math.max(m, e.length), 0);
  const multiple = params.padToMultipleOf;
  if (multiple !== undefined && multiple > 0 && length % multiple > 0) {
    length += multiple - (length % multiple);
  }
  for (const e of encodings) e.pad(length, params);
}

/**
 * `truncate_encodings`: shortens one sequence or a pair to `maxLength` tokens in all (the
 * special tokens already taken off by the caller), moving the rest to `overflowing`.
 */
export function truncateEncodings(
  encoding: Encoding,
  pair: Encoding | undefined,
  params: TruncationParams,
): void {
  const { maxLength, stride, direction } = params;
  if (maxLength === 0) {
    encoding.truncate(0, stride, direction);
    pair?.truncate(0, stride, direction);
    return;
  }
  const total = encoding.length + (pair?.length ?? 0);
  if (total <= maxLength) return;
  const toRemove = total - maxLength;
  if (params.strategy === "longest_first") {
    if (pair === undefined) {
      encoding.truncate(total - toRemove, stride, direction);
      return;
    }
    // n1: the shorter of the two lengths; it keeps all of it if it can.
    const swap = encoding.length > pair.length;
    let n1 = Math.min(encoding.length, pair.length);
    let n2 = n1 > maxLength ? n1 : Math.max(n1, maxLength - n1);
    if (n1 + n2 > maxLength) {
      n1 = Math.floor(maxLength / 2);
      n2 = n1 + (maxLength % 2);
    }
    if (swap) [n1, n2] = [n2, n1];
    encoding.truncate(n1, stride, direction);
    pair.truncate(n2, stride, direction);
    return;
  }
  const target = params.strategy === "only_first" ? encoding : pair;
  if (target === undefined) {
    throw new TokenizerError(
      "invalid_argument",
      'truncation "only_second" needs a second sequence (textPair), and none was given',
    );
  }
  if (target.length <= toRemove) {
    throw new TokenizerError(
      "invalid_argument",
      `cannot truncate to max_length ${maxLength}: truncation "${params.strategy}" may only ` +
        `shorten the ${params.strategy === "only_first" ? "first" : "second"} sequence, which has ` +
        `${target.length} tokens, but ${toRemove} must go`,
    );
  }
  target.truncate(target.length - toRemove, stride, direction);
}
