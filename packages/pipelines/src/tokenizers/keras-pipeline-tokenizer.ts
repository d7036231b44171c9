import { AlbertInputError } from "@albert/core";
import { MultiSegmentPacker, type AlbertTokenizer, type TruncationStrategy } from "@albert/tokenizer";
import type {
  OffsetUnit,
  PipelineChunkOptions,
  PipelineEncodeOptions,
  PipelineEncoding,
  PipelineTokenizer,
} from "./pipeline-tokenizer.js";

/** A piece of one text: id, span (UTF-16 in the text) and word. */
interface Piece {
  id: number;
  start: number;
  end: number;
  word: number;
}

// Packed positions that are not tokens of a segment (the packer's start, end and pad values).
const START = -1;
const END = -2;
const PAD = -3;

/** UTF-16 index → code point index, for every index of `text` and its end. */
function codePointIndex(text: string): Int32Array {
  const map = new Int32Array(text.length + 1);
  let cp = 0;
  for (let i = 0; i < text.length; i++) {
    map[i] = cp;
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one is one code point.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) map[++i] = cp;
    }
    cp++;
  }
  map[text.length] = cp;
  return map;
}

/** The word (whitespace-separated run) at each UTF-16 index; whitespace belongs to the next word. */
function wordIndex(text: string): Int32Array {
  const map = new Int32Array(text.length + 1);
  let word = -1;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const space = /\s/.test(text[i]!);
    if (!space && !inWord) word++;
    inWord = !space;
    map[i] = space ? word + 1 : word;
  }
  map[text.length] = Math.max(word, 0);
  return map;
}

/** Consecutive windows of `size` over `n` tokens, each `size - stride` after the previous, until
 * one reaches the end (as `tokenizers` cuts overflowing tokens). */
function windows(n: number, size: number, stride: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let start = 0; ; start += size - stride) {
    const stop = Math.min(start + size, n);
    out.push([start, stop]);
    if (stop >= n) return out;
  }
}

/**
 * A KerasHub preset's tokenizer for the pipelines: `AlbertTokenizer` (SentencePiece, with the
 * preset's casing) packed as KerasHub's preprocessor packs (`[CLS] a [SEP] b [SEP]`, segment
 * ids, its `truncate` strategy), with character offsets and words from the pieces' spans.
 * Special tokens written in the text are matched as transformers matches them (see `pieces`), so
 * that `[MASK]` is found whatever the casing or the piece type; decoding is SentencePiece's
 * (special tokens decode to nothing).
 */
export class KerasPipelineTokenizer implements PipelineTokenizer {
  readonly kind = "keras";
  readonly clsTokenId: number;
  readonly sepTokenId: number;
  readonly padTokenId: number;
  readonly unkTokenId: number;
  readonly maskTokenId: number;
  readonly maskToken: string;
  readonly passesSegmentIds = true;
  readonly maxLength: number;
  private readonly special: Set<number>;
  /** The special tokens' texts with their ids, matched in raw text. */
  private readonly specialStrings: [string, number][];

  /**
   * @param maxLength the preprocessor's sequence length (at most the model's position table).
   * @param truncate how pairs are cut (the preprocessor's `truncate`).
   */
  constructor(
    readonly tokenizer: AlbertTokenizer,
    maxLength: number,
    readonly truncate: TruncationStrategy = "round_robin",
  ) {
    this.clsTokenId = tokenizer.clsTokenId;
    this.sepTokenId = tokenizer.sepTokenId;
    this.padTokenId = tokenizer.padTokenId;
    this.unkTokenId = tokenizer.unkTokenId;
    this.maskTokenId = tokenizer.maskTokenId;
    this.maskToken = tokenizer.maskToken;
    this.maxLength = maxLength;
    this.special = new Set(tokenizer.specialTokenIds);
    this.specialStrings = [tokenizer.clsTokenId, tokenizer.sepTokenId, tokenizer.padTokenId, tokenizer.maskTokenId, tokenizer.unkTokenId].map((id) => [tokenizer.idToToken(id), id]);
  }

  /**
   * The pieces of `text` with spans in `unit` and word indexes. Special tokens written in the
   * text (`[MASK]`, `[CLS]`, ...) are matched first, as transformers' added tokens (`[MASK]`
   * taking the whitespace before it, like its `lstrip`), and the text between them goes through
   * SentencePiece. Spans are as transformers reports them: a piece's leading `▁` covers no
   * whitespace, and a lone `▁` covers the first character of its word.
   */
  private pieces(text: string, unit: OffsetUnit): Piece[] {
    const cps = unit === "codePoint" ? codePointIndex(text) : undefined;
    const words = wordIndex(text);
    const out: Piece[] = [];
    const piece = (id: number, start: number, end: number) =>
      out.push({ id, start: cps ? cps[start]! : start, end: cps ? cps[end]! : end, word: words[Math.min(start, text.length)]! });
    const addText = (from: number, to: number) => {
      const part = text.slice(from, to);
      for (const p of this.tokenizer.tokenizeWithOffsets(part)) {
        let start = from + p.start;
        let end = from + p.end;
        if (p.piece.startsWith("\u2581")) {
          while (start < to && /\s/.test(text[start]!)) start++;
          if (p.piece === "\u2581") end = Math.min(to, start + (text.codePointAt(start)! > 0xffff ? 2 : 1));
          end = Math.max(start, end);
        }
        piece(p.id, start, end);
      }
    };
    let from = 0;
    for (const match of this.specialMatches(text)) {
      // `[MASK]` strips the whitespace before it (transformers' `lstrip=True`).
      let to = match.start;
      if (match.id === this.maskTokenId) while (to > from && /\s/.test(text[to - 1]!)) to--;
      addText(from, to);
      piece(match.id, match.start, match.end);
      from = match.end;
    }
    addText(from, text.length);
    return out;
  }

  /** Special tokens written in `text`, leftmost first (the longest where two start together). */
  private specialMatches(text: string): { id: number; start: number; end: number }[] {
    const matches: { id: number; start: number; end: number }[] = [];
    for (let i = 0; i < text.length; ) {
      const hit = this.specialStrings
        .filter(([token]) => text.startsWith(token, i))
        .sort((a, b) => b[0].length - a[0].length)[0];
      if (hit === undefined) {
        i++;
        continue;
      }
      matches.push({ id: hit[1], start: i, end: i + hit[0].length });
      i += hit[0].length;
    }
    return matches;
  }

  /** `[CLS] a [SEP] (b [SEP])` from the pieces kept of each segment. */
  private assemble(segments: readonly Piece[][]): PipelineEncoding {
    const e: PipelineEncoding = { ids: [], typeIds: [], offsets: [], specialTokensMask: [], sequenceIds: [], wordIds: [] };
    const push = (id: number, segment: number, piece: Piece | undefined) => {
      e.ids.push(id);
      e.typeIds.push(segment);
      e.offsets.push(piece ? [piece.start, piece.end] : [0, 0]);
      e.specialTokensMask.push(piece ? 0 : 1);
      e.sequenceIds.push(piece ? segment : null);
      e.wordIds.push(piece ? piece.word : null);
    };
    push(this.clsTokenId, 0, undefined);
    segments.forEach((pieces, s) => {
      for (const p of pieces) push(p.id, s, p);
      push(this.sepTokenId, s, undefined);
    });
    return e;
  }

  encode(text: string, options: PipelineEncodeOptions = {}): PipelineEncoding {
    const unit = options.offsetUnit ?? "codePoint";
    const segments = [this.pieces(text, unit), ...(options.textPair !== undefined ? [this.pieces(options.textPair, unit)] : [])];
    // The packer cuts index lists exactly as it cuts ids (KerasHub's truncation).
    const packer = new MultiSegmentPacker({
      sequenceLength: options.maxLength ?? this.maxLength,
      startValue: START,
      endValue: END,
      padValue: PAD,
      truncate: this.truncate,
    });
    const packed = packer.pack(segments.map((pieces) => [pieces.map((_, i) => i)]));
    const kept: Piece[][] = segments.map(() => []);
    packed.tokenIds[0]!.forEach((index, position) => {
      if (index >= 0) kept[packed.segmentIds[0]![position]!]!.push(segments[packed.segmentIds[0]![position]!]![index]!);
    });
    return { ...this.assemble(kept), truncated: kept.some((k, s) => k.length < segments[s]!.length) };
  }

  encodeChunks(text: string, options: { maxLength: number; stride: number; offsetUnit?: OffsetUnit }): PipelineEncoding[] {
    const pieces = this.pieces(text, options.offsetUnit ?? "codePoint");
    const size = options.maxLength - 2;
    checkStride(options.stride, size);
    return windows(pieces.length, size, options.stride).map(([a, b]) => this.assemble([pieces.slice(a, b)]));
  }

  encodePairChunks(question: string, context: string, options: PipelineChunkOptions): PipelineEncoding[] {
    const unit = options.offsetUnit ?? "codePoint";
    const q = this.pieces(question, unit);
    const c = this.pieces(context, unit);
    const size = options.maxLength - q.length - 3;
    if (size < 1) {
      throw new AlbertInputError(
        "sequence_too_long",
        "question",
        `the question has ${q.length} tokens: with [CLS] and two [SEP] it leaves no room for the context in maxSeqLen ${options.maxLength}`,
      );
    }
    checkStride(options.stride, size);
    return windows(c.length, size, options.stride).map(([a, b]) => this.assemble([q, c.slice(a, b)]));
  }

  decode(ids: readonly number[], options: { skipSpecialTokens?: boolean } = {}): string {
    const kept = options.skipSpecialTokens === true ? ids.filter((id) => !this.special.has(id)) : [...ids];
    return this.tokenizer.detokenize(kept);
  }

  convertIdsToTokens(ids: readonly number[]): string[] {
    return ids.map((id) => this.tokenizer.idToToken(id));
  }

  /** SentencePiece's `DecodePieces`: strings that are not pieces (joined words) stay as text. */
  convertTokensToString(tokens: readonly string[]): string {
    return this.tokenizer.sentencePiece.decodePieces(tokens);
  }

  tokenToId(token: string): number | undefined {
    const id = this.tokenizer.tokenToId(token);
    return id === this.unkTokenId && token !== this.tokenizer.idToToken(id) ? undefined : id;
  }
}

function checkStride(stride: number, size: number): void {
  if (stride >= size) {
    throw new AlbertInputError(
      "invalid_value",
      "stride",
      `stride ${stride} must be smaller than the ${size} tokens each chunk has room for`,
    );
  }
}
