import { TokenizerError } from "../errors.js";
import { PieceType } from "./model-proto.js";
import { EMPTY_SEGMENTATION, type Segmentation, type SegmentationModel } from "./segmentation.js";
import { UTF8_CHAR_LENGTH } from "./utf8.js";
import type { Vocabulary } from "./vocabulary.js";

/** The C++ library's penalty that puts an unknown character below every known piece. */
const UNK_PENALTY = 10;

/** When the running path score leaves [-LIMIT, LIMIT], scores are re-based to keep precision. */
const SCORE_REBASE_LIMIT = 100000;

/** Inputs up to this many normalized bytes reuse one set of Viterbi buffers. */
const REUSED_BUFFER_BYTES = 1 << 16;

/**
 * The unigram language model's best segmentation, as SentencePiece 0.2.2's `EncodeOptimized`
 * computes it: a left-to-right Viterbi over UTF-8 byte positions. For each position it keeps
 * the best path ending there; from each character start it walks the piece trie once, offering
 * every piece that starts there.
 *
 * Details that decide ties, all reproduced bit for bit:
 * - path scores are float32: `fround(pieceScore + scoreSoFar)`, compared as floats; on equal
 *   scores the path found first (the one whose last piece starts earlier) is kept;
 * - a user-defined piece of `n` UTF-8 bytes scores `fround((n - 1) * 0.1)`, so it always wins;
 * - a character without a single-character piece can also be read as unknown, scoring
 *   `fround(minScore - 10)` (minScore over NORMAL pieces);
 * - when the score at the current start leaves [-100000, 100000], every score from there on
 *   is re-based by subtracting it (in float32), so long inputs keep float precision.
 *
 * Linear in the input length (times the longest piece), no recursion. The result of `encode`
 * may share buffers with the next call: consume it first.
 */
export class UnigramModel implements SegmentationModel {
  private readonly vocab: Vocabulary;
  private readonly unkScore: number;
  /**
   * The piece trie packed for the Viterbi's inner loop, 4 slots per node so that one step
   * touches one cache line: [base, check, score (float32 bits), id]. The score is NaN where
   * no piece (or an UNUSED one) ends, +Infinity for a user-defined piece (scored by length).
   */
  private readonly packed: Int32Array;
  private readonly packedScore: Float32Array;
  private readonly maxPieceBytes: number;

  private bestScore = new Float32Array(0);
  private startsAt = new Int32Array(0);
  private bestId = new Int32Array(0);
  private outEnds = new Int32Array(0);
  private outIds = new Int32Array(0);

  constructor(vocab: Vocabulary) {
    this.vocab = vocab;
    const segmentable = (t: number) =>
      t === PieceType.NORMAL || t === PieceType.USER_DEFINED || t === PieceType.UNUSED;
    if (!vocab.types.some(segmentable)) {
      throw new TokenizerError("invalid_model", "unigram model has no pieces to segment text with");
    }
    this.unkScore = Math.fround(Math.fround(vocab.minScore) - UNK_PENALTY);
    this.maxPieceBytes = vocab.maxPieceBytes;
    const { base, check, value } = vocab.trie;
    this.packed = new Int32Array(value.length * 4);
    this.packedScore = new Float32Array(this.packed.buffer);
    for (let node = 0; node < value.length; node++) {
      const id = value[node]!;
      this.packed[4 * node] = base[node]!;
      this.packed[4 * node + 1] = check[node]!;
      this.packed[4 * node + 3] = id;
      const type = id < 0 ? -1 : vocab.types[id];
      this.packedScore[4 * node + 2] =
        id < 0 || type === PieceType.UNUSED
          ? Number.NaN
          : type === PieceType.USER_DEFINED
            ? Number.POSITIVE_INFINITY
            : vocab.scores[id]!;
    }
  }

  encode(normalized: Uint8Array): Segmentation {
    const size = normalized.length;
    if (size === 0) return EMPTY_SEGMENTATION;
    const vocab = this.vocab;
    const packed = this.packed;
    const packedScore = this.packedScore;
    const unkId = vocab.unkId;
    const unkScore = this.unkScore;

    let bestScore: Float32Array;
    let startsAt: Int32Array;
    let bestId: Int32Array;
    if (size < REUSED_BUFFER_BYTES) {
      if (this.bestScore.length <= size) {
        this.bestScore = new Float32Array(REUSED_BUFFER_BYTES);
        this.startsAt = new Int32Array(REUSED_BUFFER_BYTES);
        this.bestId = new Int32Array(REUSED_BUFFER_BYTES);
      }
      bestScore = this.bestScore;
      startsAt = this.startsAt;
      bestId = this.bestId;
      startsAt.fill(-1, 0, size + 1);
      bestScore[0] = 0;
    } else {
      bestScore = new Float32Array(size + 1);
      startsAt = new Int32Array(size + 1).fill(-1);
      bestId = new Int32Array(size + 1);
    }

    // Positions past `start` that hold a score were reached by a piece (or unknown character)
    // starting before `start`, so they lie within this reach.
    const reach = this.maxPieceBytes + 4;
    let start = 0;
    while (start < size) {
      let scoreTillHere = bestScore[start]!;
      if (scoreTillHere < -SCORE_REBASE_LIMIT || scoreTillHere > SCORE_REBASE_LIMIT) {
        const last = Math.min(size, start + reach);
        for (let p = start; p <= last; p++) {
          if (p === start || startsAt[p] !== -1) bestScore[p] = bestScore[p]! - scoreTillHere;
        }
        scoreTillHere = 0;
      }
      const remaining = size - start;
      const charLength = UTF8_CHAR_LENGTH[normalized[start]! >>> 4]!;
      const mblen = charLength < remaining ? charLength : remaining;
      let hasSingleNode = false;
      let node = 0;
      for (let keyPos = start; keyPos < size;) {
        const next = packed[node << 2]! + normalized[keyPos]!;
        if (packed[(next << 2) + 1] !== node + 1) break;
        node = next;
        keyPos++;
        let score = packedScore[(node << 2) + 2]!;
        if (score !== score) continue; // NaN: no piece ends here
        const length = keyPos - start;
        if (score === Number.POSITIVE_INFINITY) score = Math.fround((length - 1) * 0.1);
        const candidate = Math.fround(score + scoreTillHere);
        if (startsAt[keyPos] === -1 || candidate > bestScore[keyPos]!) {
          bestScore[keyPos] = candidate;
          startsAt[keyPos] = start;
          bestId[keyPos] = packed[(node << 2) + 3]!;
        }
        if (length === mblen) hasSingleNode = true;
      }
      if (!hasSingleNode) {
        const target = start + mblen;
        const candidate = Math.fround(unkScore + scoreTillHere);
        if (startsAt[target] === -1 || candidate > bestScore[target]!) {
          bestScore[target] = candidate;
          startsAt[target] = start;
          bestId[target] = unkId;
        }
      }
      start += mblen;
    }

    // Backtrack from the end, then reverse. Short results reuse the output buffers.
    let count = 0;
    for (let end = size; end > 0; end = startsAt[end]!) count++;
    let ends: Int32Array;
    let ids: Int32Array;
    if (count <= REUSED_BUFFER_BYTES) {
      if (this.outEnds.length < count) {
        this.outEnds = new Int32Array(REUSED_BUFFER_BYTES);
        this.outIds = new Int32Array(REUSED_BUFFER_BYTES);
      }
      ends = this.outEnds;
      ids = this.outIds;
    } else {
      ends = new Int32Array(count);
      ids = new Int32Array(count);
    }
    let k = count - 1;
    for (let end = size; end > 0; end = startsAt[end]!) {
      ends[k] = end;
      ids[k] = bestId[end]!;
      k--;
    }
    return { count, ends, ids };
  }
}
