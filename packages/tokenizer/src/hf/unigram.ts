import { TokenizerError, describeValue } from "../errors.js";
import { PieceTrie } from "../sentencepiece/piece-trie.js";
import { byteToPiece } from "../sentencepiece/vocabulary.js";
import { UTF8_CHAR_LENGTH } from "../sentencepiece/utf8.js";
import { field, jsonObject, optionalField } from "./json.js";
import type { SplitToken } from "./pre-tokenizers.js";
import { fromCodePoints, utf8Bytes, utf8Length } from "./unicode.js";

/** The penalty that puts an unknown character below every piece, as in SentencePiece. */
const UNK_PENALTY = 10;

/**
 * `tokenizers`' Unigram model (`encode_optimized`): a Viterbi over UTF-8 bytes like
 * SentencePiece's, but with float64 scores, every vocabulary entry as a candidate piece
 * (`<pad>`, `[CLS]`... included), unknown characters scored `min(all scores) - 10`, and
 * consecutive unknown pieces fused into one token (`fuse_unk`). Ties keep the piece found first.
 */
export class HfUnigramModel {
  readonly pieces: readonly string[];
  readonly scores: Float64Array;
  readonly unkId: number | undefined;
  readonly byteFallback: boolean;
  /** piece -> id; a piece listed twice maps to its last id, as in the Rust `HashMap`. */
  private readonly ids = new Map<string, number>();
  private readonly trie: PieceTrie;
  private readonly unkScore: number;
  // Buffers reused across calls (each split is tokenized on its own; most are short).
  private bytes: Uint8Array = new Uint8Array(256);
  private bestScore = new Float64Array(257);
  private startsAt = new Int32Array(257);
  private bestId = new Int32Array(257);

  constructor(
    vocab: ReadonlyArray<readonly [string, number]>,
    unkId: number | undefined,
    byteFallback: boolean,
  ) {
    if (unkId !== undefined) {
      if (vocab.length === 0) {
        throw new TokenizerError(
          "invalid_model",
          "tokenizer.json model.vocab is empty; a Unigram model needs at least <unk>",
        );
      }
      if (unkId >= vocab.length) {
        throw new TokenizerError(
          "invalid_model",
          `tokenizer.json model.unk_id is ${unkId}, outside the vocabulary of ${vocab.length} pieces`,
        );
      }
    }
    this.pieces = vocab.map(([piece]) => piece);
    this.scores = Float64Array.from(vocab, ([, score]) => score);
    this.unkId = unkId;
    this.byteFallback = byteFallback;
    let minScore = Number.POSITIVE_INFINITY;
    vocab.forEach(([piece, score], id) => {
      this.ids.set(piece, id);
      if (score < minScore) minScore = score;
    });
    this.unkScore = minScore - UNK_PENALTY;
    const keys: string[] = [];
    const values: number[] = [];
    for (const [piece, id] of this.ids) {
      if (piece.length === 0) continue;
      keys.push(piece);
      values.push(id);
    }
    this.trie = PieceTrie.build(keys, values);
  }

  /**
   * From tokenizer.json's `model` (`{ type: "Unigram", vocab: [[piece, score]...], unk_id,
   * byte_fallback }`). `scores: "serde_json"` reads each score as the `tokenizers` library's
   * JSON parser does when it loads the file (see `serdeJsonFloat`); "exact" as written, which
   * is what transformers passes when its tokenizer class rebuilds the model from Python floats.
   */
  static fromJson(
    json: unknown,
    where = "model",
    scores: "serde_json" | "exact" = "serde_json",
  ): HfUnigramModel {
    const model = jsonObject(json, where);
    const type = model.type;
    if (type !== undefined && type !== "Unigram") {
      throw new TokenizerError(
        "unsupported_model",
        `${where}.type is ${describeValue(type)}; only Unigram models (ALBERT's) are supported`,
      );
    }
    const vocab = field(model, "vocab", "array", where).map((entry, i) => {
      if (
        !Array.isArray(entry) ||
        entry.length !== 2 ||
        typeof entry[0] !== "string" ||
        typeof entry[1] !== "number"
      ) {
        throw new TokenizerError(
          "invalid_model",
          `${where}.vocab[${i}] must be a [piece, score] pair, got ${describeValue(entry)}`,
        );
      }
      return [entry[0], scores === "exact" ? entry[1] : serdeJsonFloat(entry[1])] as const;
    });
    const unkId = optionalField(model, "unk_id", "number", where);
    if (unkId !== undefined && (!Number.isInteger(unkId) || unkId < 0)) {
      throw new TokenizerError(
        "invalid_model",
        `${where}.unk_id must be a non-negative integer, got ${unkId}`,
      );
    }
    return new HfUnigramModel(
      vocab,
      unkId,
      optionalField(model, "byte_fallback", "boolean", where) ?? false,
    );
  }

  get size(): number {
    return this.pieces.length;
  }

  idOf(piece: string): number | undefined {
    return this.ids.get(piece);
  }

  /** The tokens of one pre-tokenized split, `start`/`end` in its code points. */
  tokenize(cps: readonly number[]): SplitToken[] {
    if (cps.length === 0) return [];
    let size: number;
    [this.bytes, size] = utf8Bytes(cps, 0, cps.length, this.bytes);
    const bytes = this.bytes.subarray(0, size);
    const pieces = this.bestPath(bytes);
    const out: SplitToken[] = [];
    let byteOffset = 0;
    let cpOffset = 0;
    for (const [startByte, endByte] of pieces) {
      let cpEnd = cpOffset;
      for (let b = byteOffset; b < endByte;) b += utf8Length(cps[cpEnd++]!);
      const value = fromCodePoints(cps, cpOffset, cpEnd);
      let id = this.ids.get(value);
      if (id === undefined && this.byteFallback) {
        const byteTokens: SplitToken[] = [];
        for (let b = startByte; b < endByte; b++) {
          const piece = byteToPiece(bytes[b]!);
          const byteId = this.ids.get(piece);
          if (byteId === undefined) break;
          byteTokens.push({ id: byteId, value: piece, start: cpOffset, end: cpEnd });
        }
        if (byteTokens.length === endByte - startByte) {
          out.push(...byteTokens);
          byteOffset = endByte;
          cpOffset = cpEnd;
          continue;
        }
      }
      if (id === undefined) {
        if (this.unkId === undefined) {
          throw new TokenizerError(
            "invalid_model",
            `the Unigram model has no unk_id and cannot encode ${JSON.stringify(value)}`,
          );
        }
        id = this.unkId;
      }
      out.push({ id, value, start: cpOffset, end: cpEnd });
      byteOffset = endByte;
      cpOffset = cpEnd;
    }
    return out;
  }

  /** `encode_optimized`: byte ranges of the best segmentation, unknown runs fused. */
  private bestPath(bytes: Uint8Array): Array<[number, number]> {
    const size = bytes.length;
    if (this.bestScore.length <= size) {
      this.bestScore = new Float64Array(size + 1);
      this.startsAt = new Int32Array(size + 1);
      this.bestId = new Int32Array(size + 1);
    }
    const { bestScore, startsAt, bestId } = this;
    bestScore[0] = 0;
    startsAt.fill(-1, 0, size + 1);
    const { base, check, value } = this.trie;
    const scores = this.scores;
    for (let start = 0; start < size;) {
      const scoreTillHere = bestScore[start]!;
      const charLength = Math.min(UTF8_CHAR_LENGTH[bytes[start]! >>> 4]!, size - start);
      let hasSingleNode = false;
      let node = 0;
      for (let pos = start; pos < size;) {
        const next = base[node]! + bytes[pos]!;
        if (check[next] !== node + 1) break;
        node = next;
        pos++;
        const id = value[node]!;
        if (id < 0) continue;
        const candidate = scores[id]! + scoreTillHere;
        if (startsAt[pos] === -1 || candidate > bestScore[pos]!) {
          bestScore[pos] = candidate;
          startsAt[pos] = start;
          bestId[pos] = id;
        }
        if (pos - start === charLength) hasSingleNode = true;
      }
      if (!hasSingleNode) {
        const target = start + charLength;
        const candidate = this.unkScore + scoreTillHere;
        if (startsAt[target] === -1 || candidate > bestScore[target]!) {
          if (this.unkId === undefined) {
            throw new TokenizerError(
              "invalid_model",
              "the Unigram model has no unk_id and the text has a character without a piece",
            );
          }
          bestScore[target] = candidate;
          startsAt[target] = start;
          bestId[target] = this.unkId;
        }
      }
      start += charLength;
    }
    const out: Array<[number, number]> = [];
    let fusedEnd = -1;
    for (let end = size; end > 0;) {
      const start = startsAt[end]!;
      if (bestId[end] === this.unkId) {
        if (fusedEnd < 0) fusedEnd = end;
      } else {
        if (fusedEnd >= 0) out.push([end, fusedEnd]);
        fusedEnd = -1;
        out.push([start, end]);
      }
      end = start;
    }
    if (fusedEnd >= 0) out.push([0, fusedEnd]);
    return out.reverse();
  }
}

/** serde_json's table of exact powers of ten (1e0 ... 1e308). */
const POW10 = Array.from({ length: 309 }, (_, i) => Number(`1e${i}`));

/**
 * The float64 that Rust's `serde_json` (without its `float_roundtrip` feature, as `tokenizers`
 * builds it) reads for the JSON number `value` is written as. It converts the decimal digits to
 * a float and then scales by a power of ten, rounding twice, so some scores come out one unit
 * in the last place away from the written value, and Viterbi ties can fall differently.
 * `tokenizers` writes floats in their shortest round-trip form, which `String(value)` gives back.
 */
export function serdeJsonFloat(value: number): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const text = String(Math.abs(value));
  const [mantissa = "", exponentText] = text.split("e");
  const [integer = "", fraction = ""] = mantissa.split(".");
  const digits = (integer + fraction).replace(/^0+/, "") || "0";
  if (digits.length > 19) return value; // never the case for shortest forms
  let exponent = (exponentText === undefined ? 0 : Number(exponentText)) - fraction.length;
  let f = Number(BigInt(digits));
  for (;;) {
    const pow = POW10[Math.abs(exponent)];
    if (pow !== undefined) {
      f = exponent >= 0 ? f * pow : f / pow;
      break;
    }
    if (f === 0 || exponent >= 0) break;
    f /= 1e308;
    exponent += 308;
  }
  return value < 0 ? -f : f;
}
