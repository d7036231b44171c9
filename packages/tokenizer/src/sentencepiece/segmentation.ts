/**
 * The pieces a model cuts normalized text into: piece `i < count` covers normalized bytes
 * `[i === 0 ? 0 : ends[i - 1], ends[i])` and has id `ids[i]`. Pieces are contiguous and cover
 * the whole normalized text. The arrays may be longer than `count`.
 */
export interface Segmentation {
  count: number;
  ends: Int32Array;
  ids: Int32Array;
}

/** A SentencePiece segmentation algorithm (unigram, BPE, word, char). */
export interface SegmentationModel {
  encode(normalized: Uint8Array): Segmentation;
}

export const EMPTY_SEGMENTATION: Segmentation = {
  count: 0,
  ends: new Int32Array(0),
  ids: new Int32Array(0),
};

/** Collects pieces in order; grows as needed. */
export class SegmentationBuilder {
  count = 0;
  ends: Int32Array;
  ids: Int32Array;

  constructor(capacity = 16) {
    this.ends = new Int32Array(Math.max(capacity, 4));
    this.ids = new Int32Array(Math.max(capacity, 4));
  }

  push(end: number, id: number): void {
    if (this.count === this.ends.length) {
      const ends = new Int32Array(this.count * 2);
      ends.set(this.ends);
      this.ends = ends;
      const ids = new Int32Array(this.count * 2);
      ids.set(this.ids);
      this.ids = ids;
    }
    this.ends[this.count] = end;
    this.ids[this.count] = id;
    this.count++;
  }

  finish(): Segmentation {
    return { count: this.count, ends: this.ends, ids: this.ids };
  }
}
