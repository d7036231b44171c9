import { PieceType } from "./model-proto.js";
import {
  EMPTY_SEGMENTATION,
  SegmentationBuilder,
  type Segmentation,
  type SegmentationModel,
} from "./segmentation.js";
import { UTF8_CHAR_LENGTH } from "./utf8.js";
import type { Vocabulary } from "./vocabulary.js";

/**
 * Candidate merges, best first: highest score, then leftmost (SentencePiece's agenda).
 * Stored as parallel arrays in a binary heap.
 */
class MergeAgenda {
  size = 0;
  private left = new Int32Array(64);
  private right = new Int32Array(64);
  private score = new Float64Array(64);
  private length = new Int32Array(64);

  topLeft = 0;
  topRight = 0;
  topLength = 0;

  private before(i: number, j: number): boolean {
    const si = this.score[i]!;
    const sj = this.score[j]!;
    return si > sj || (si === sj && this.left[i]! < this.left[j]!);
  }

  private swap(i: number, j: number): void {
    for (const a of [this.left, this.right, this.length]) {
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
    const t = this.score[i]!;
    this.score[i] = this.score[j]!;
    this.score[j] = t;
  }

  push(left: number, right: number, score: number, length: number): void {
    if (this.size === this.left.length) {
      const grow = <T extends Int32Array | Float64Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      this.left = grow(this.left);
      this.right = grow(this.right);
      this.score = grow(this.score);
      this.length = grow(this.length);
    }
    let i = this.size++;
    this.left[i] = left;
    this.right[i] = right;
    this.score[i] = score;
    this.length[i] = length;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Removes the best entry and leaves it in `topLeft`, `topRight`, `topLength`. */
  pop(): void {
    this.topLeft = this.left[0]!;
    this.topRight = this.right[0]!;
    this.topLength = this.length[0]!;
    const last = --this.size;
    if (last > 0) {
      this.left[0] = this.left[last]!;
      this.right[0] = this.right[last]!;
      this.score[0] = this.score[last]!;
      this.length[0] = this.length[last]!;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < last && this.before(l, best)) best = l;
        if (r < last && this.before(r, best)) best = r;
        if (best === i) break;
        this.swap(i, best);
        i = best;
      }
    }
  }
}

/**
 * Byte-pair encoding as SentencePiece's `bpe::Model::Encode`: start from characters
 * (user-defined symbols as frozen wholes), repeatedly merge the adjacent pair whose
 * concatenation is the best-scoring piece (leftmost on ties), then split merged UNUSED pieces
 * back into the pieces they were made of. Iterative; no recursion.
 */
export class BpeModel implements SegmentationModel {
  private readonly vocab: Vocabulary;

  constructor(vocab: Vocabulary) {
    this.vocab = vocab;
  }

  encode(normalized: Uint8Array): Segmentation {
    const size = normalized.length;
    if (size === 0) return EMPTY_SEGMENTATION;
    const vocab = this.vocab;
    const trie = vocab.trie;
    const userDefined = vocab.userDefinedTrie;

    // Symbols: [start, start + length) of `normalized`, linked by prev/next.
    const start = new Int32Array(size);
    const length = new Int32Array(size);
    const prev = new Int32Array(size);
    const next = new Int32Array(size);
    const frozen = new Uint8Array(size);
    let count = 0;
    for (let pos = 0; pos < size;) {
      let mblen: number;
      if (userDefined !== undefined && userDefined.longestPrefix(normalized, pos, size) >= 0) {
        mblen = userDefined.matchLength;
        frozen[count] = 1;
      } else {
        mblen = Math.min(UTF8_CHAR_LENGTH[normalized[pos]! >>> 4]!, size - pos);
      }
      start[count] = pos;
      length[count] = mblen;
      prev[count] = count - 1;
      pos += mblen;
      next[count] = pos < size ? count + 1 : -1;
      count++;
    }

    const agenda = new MergeAgenda();
    // For merged UNUSED pieces: piece id -> byte length of its left part.
    const unusedSplit = new Map<number, number>();
    const maybeAddPair = (left: number, right: number) => {
      if (left === -1 || right === -1 || frozen[left] || frozen[right]) return;
      const s = start[left]!;
      const total = length[left]! + length[right]!;
      const id = trie.lookup(normalized, s, s + total);
      if (id < 0) return;
      agenda.push(left, right, vocab.scores[id]!, total);
      if (vocab.types[id] === PieceType.UNUSED) unusedSplit.set(id, length[left]!);
    };

    for (let i = 1; i < count; i++) maybeAddPair(i - 1, i);

    while (agenda.size > 0) {
      agenda.pop();
      const left = agenda.topLeft;
      const right = agenda.topRight;
      if (
        length[left] === 0 ||
        length[right] === 0 ||
        length[left]! + length[right]! !== agenda.topLength
      ) {
        continue;
      }
      length[left] = length[left]! + length[right]!;
      next[left] = next[right]!;
      if (next[right]! >= 0) prev[next[right]!] = left;
      length[right] = 0;
      maybeAddPair(prev[left]!, left);
      maybeAddPair(left, next[left]!);
    }

    const out = new SegmentationBuilder(count);
    const stack: number[] = [];
    for (let index = 0; index !== -1; index = next[index]!) {
      // Resegment: an UNUSED piece made by a merge is replaced by its two parts, recursively.
      stack.push(start[index]!, start[index]! + length[index]!);
      while (stack.length > 0) {
        const e = stack.pop()!;
        const s = stack.pop()!;
        const id = vocab.bytesToId(normalized, s, e);
        const split = vocab.isUnused(id) ? unusedSplit.get(id) : undefined;
        if (split === undefined) {
          out.push(e, id);
        } else {
          // Push the right part first so that the left part is handled first.
          stack.push(s + split, e, s, s + split);
        }
      }
    }
    return out.finish();
  }
}
