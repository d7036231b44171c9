import { TokenizerError, describeValue } from "../errors.js";
import { BpeModel } from "./bpe-model.js";
import { ModelType, decodeModelProto, type ModelProto } from "./model-proto.js";
import { Normalizer } from "./normalizer.js";
import type { Segmentation, SegmentationModel } from "./segmentation.js";
import { UnigramModel } from "./unigram-model.js";
import {
  SPACE_SYMBOL,
  decodeUtf8,
  encodeUtf8,
  utf8ToUtf16Offsets,
  validUtf8CharLength,
} from "./utf8.js";
import { Vocabulary, pieceToByte } from "./vocabulary.js";
import { CharModel, WordModel } from "./word-and-char-models.js";

/** One piece of an encoding with where it came from in the input text. */
export interface EncodedPiece {
  id: number;
  /** The piece; for unknown text, the (normalized) text itself, as the C++ library reports. */
  piece: string;
  /** UTF-16 index in the input where the piece's source text starts. */
  start: number;
  /** UTF-16 index in the input where it ends (exclusive); `start === end` for pieces with no
   * source text of their own (all but the last byte piece of a byte-fallback character). */
  end: number;
}

const utf8Encoder = new TextEncoder();

const MODEL_TYPE_NAMES: Record<number, string> = { 1: "UNIGRAM", 2: "BPE", 3: "WORD", 4: "CHAR" };

function checkText(text: unknown, argument: string): asserts text is string {
  if (typeof text !== "string") {
    throw new TokenizerError(
      "invalid_argument",
      `${argument} must be a string, got ${describeValue(text)}`,
    );
  }
}

/**
 * A SentencePiece model, encoding and decoding exactly as the C++ library (`sentencepiece`
 * 0.2) does with default options: no sampling, no BOS/EOS. Runs anywhere (no Node APIs).
 *
 * ```ts
 * const sp = SentencePieceProcessor.fromBytes(bytes); // a .model / .spm file
 * sp.encodeIds("Hello world");     // [ ... ]
 * sp.encodePieces("Hello world");  // ["▁Hello", "▁world"]
 * sp.decodeIds(sp.encodeIds("Hello world")); // "Hello world"
 * ```
 */
export class SentencePieceProcessor {
  readonly model: ModelProto;
  readonly vocabulary: Vocabulary;
  /** The model file this processor was read from (`fromBytes`), byte for byte; else undefined. */
  readonly serializedProto: Uint8Array | undefined;
  private readonly normalizer: Normalizer;
  private readonly denormalizer: Normalizer | undefined;
  private readonly segmenter: SegmentationModel;

  constructor(model: ModelProto, serializedProto?: Uint8Array) {
    this.model = model;
    this.serializedProto = serializedProto;
    this.vocabulary = new Vocabulary(model);
    const spec = model.trainerSpec;
    switch (spec.modelType) {
      case ModelType.UNIGRAM:
        this.segmenter = new UnigramModel(this.vocabulary);
        break;
      case ModelType.BPE:
        this.segmenter = new BpeModel(this.vocabulary);
        break;
      case ModelType.WORD:
        this.segmenter = new WordModel(this.vocabulary);
        break;
      case ModelType.CHAR:
        this.segmenter = new CharModel(this.vocabulary);
        break;
      default:
        throw new TokenizerError(
          "invalid_model",
          `SentencePiece model_type ${spec.modelType} is unknown; allowed: 1 UNIGRAM, 2 BPE, 3 WORD, 4 CHAR`,
        );
    }
    this.normalizer = new Normalizer(model.normalizerSpec, spec.treatWhitespaceAsSuffix);
    this.normalizer.setUserDefinedSymbols(this.vocabulary.userDefinedTrie);
    const denorm = model.denormalizerSpec;
    this.denormalizer =
      denorm !== undefined && denorm.precompiledCharsmap.length > 0
        ? new Normalizer(denorm)
        : undefined;
  }

  /** Loads the bytes of a SentencePiece model file (`.model`, `.spm`). */
  static fromBytes(bytes: Uint8Array | ArrayBuffer): SentencePieceProcessor {
    if (bytes instanceof ArrayBuffer) bytes = new Uint8Array(bytes);
    if (!(bytes instanceof Uint8Array)) {
      throw new TokenizerError(
        "invalid_argument",
        `proto must be a Uint8Array or ArrayBuffer holding a SentencePiece model, got ${describeValue(bytes)}`,
      );
    }
    // A copy: the caller may reuse its buffer, and saveToPreset writes these bytes back.
    const copy = bytes.slice();
    return new SentencePieceProcessor(decodeModelProto(copy), copy);
  }

  /** "UNIGRAM", "BPE", "WORD" or "CHAR". */
  get modelType(): string {
    return MODEL_TYPE_NAMES[this.model.trainerSpec.modelType] ?? "UNKNOWN";
  }

  getPieceSize(): number {
    return this.vocabulary.size;
  }

  /** The piece with id `id` (throws `invalid_id` outside `[0, getPieceSize())`). */
  idToPiece(id: number): string {
    this.checkId(id, "id");
    return this.vocabulary.pieces[id]!;
  }

  /** The id of `piece`, or the unknown id when the model has no such piece. */
  pieceToId(piece: string): number {
    checkText(piece, "piece");
    return this.vocabulary.pieceToId(piece);
  }

  /** `pieceToId(idToPiece(id))`: `id` itself unless its string is also a reserved piece. */
  canonicalId(id: number): number {
    return this.vocabulary.canonicalId[id]!;
  }

  getScore(id: number): number {
    this.checkId(id, "id");
    return this.vocabulary.scores[id]!;
  }

  isControl(id: number): boolean {
    return this.vocabulary.isControl(id);
  }
  isUnknown(id: number): boolean {
    return this.vocabulary.isUnknown(id);
  }
  isUnused(id: number): boolean {
    return this.vocabulary.isUnused(id);
  }
  isByte(id: number): boolean {
    return this.vocabulary.isByte(id);
  }
  isUserDefined(id: number): boolean {
    return this.vocabulary.isUserDefined(id);
  }

  get unkId(): number {
    return this.vocabulary.unkId;
  }

  /** The model's normalization of `text` (spaces escaped as U+2581), as `spm.normalize`. */
  normalize(text: string): string {
    checkText(text, "text");
    return decodeUtf8(this.normalizer.normalize(encodeUtf8(text), false).bytes);
  }

  private utf8Buffer = new Uint8Array(1024);

  /** UTF-8 of `text`; short texts go through a reused buffer (consume before the next call). */
  private toUtf8(text: string): Uint8Array {
    if (text.length * 3 > this.utf8Buffer.length) {
      if (text.length > 1 << 16) return encodeUtf8(text);
      this.utf8Buffer = new Uint8Array(1 << 18);
    }
    const { written } = utf8Encoder.encodeInto(text, this.utf8Buffer);
    return this.utf8Buffer.subarray(0, written);
  }

  private segment(
    text: string,
    trackOffsets: boolean,
  ): {
    input: Uint8Array;
    normalized: Uint8Array;
    normToOrig: Int32Array;
    segmentation: Segmentation;
  } {
    checkText(text, "text");
    const input = this.toUtf8(text);
    const { bytes: normalized, normToOrig } = this.normalizer.normalize(input, trackOffsets);
    const segmentation = this.segmenter.encode(normalized);
    return { input, normalized, normToOrig, segmentation };
  }

  /** Token ids of `text`, as `SentencePieceProcessor.encode(text)` in the C++ library. */
  encodeIds(text: string): number[] {
    const { normalized, segmentation } = this.segment(text, false);
    const vocab = this.vocabulary;
    const { count, ends, ids } = segmentation;
    const out: number[] = [];
    const byteFallback = vocab.byteFallback;
    let prevUnknown = false;
    let begin = 0;
    for (let i = 0; i < count; i++) {
      const id = ids[i]!;
      const end = ends[i]!;
      const unknown = vocab.isUnknown(id);
      if (vocab.isControl(id)) {
        throwUnconsumed();
      } else if (unknown && byteFallback) {
        for (let k = begin; k < end; k++) out.push(vocab.byteToId[normalized[k]!]!);
      } else if (!(unknown && prevUnknown)) {
        out.push(id);
      }
      prevUnknown = unknown;
      begin = end;
    }
    return out;
  }

  /** Pieces of `text` (unknown text as itself), as `encode(text, out_type=str)`. */
  encodePieces(text: string): string[] {
    return this.encodeIdsAndPieces(text).pieces;
  }

  /** `encodeIds` and `encodePieces` at once (cheaper than `encodeWithOffsets`). */
  encodeIdsAndPieces(text: string): { ids: number[]; pieces: string[] } {
    const { normalized, segmentation } = this.segment(text, false);
    const vocab = this.vocabulary;
    const { count, ends, ids } = segmentation;
    const outIds: number[] = [];
    const outPieces: string[] = [];
    let prevUnknown = false;
    let begin = 0;
    for (let i = 0; i < count; i++) {
      const id = ids[i]!;
      const end = ends[i]!;
      const unknown = vocab.isUnknown(id);
      if (vocab.isControl(id)) throwUnconsumed();
      if (unknown && vocab.byteFallback) {
        for (let k = begin; k < end; k++) {
          const byteId = vocab.byteToId[normalized[k]!]!;
          outIds.push(byteId);
          outPieces.push(vocab.pieces[byteId]!);
        }
      } else if (unknown && prevUnknown) {
        outPieces[outPieces.length - 1] += decodeUtf8(normalized, begin, end);
      } else {
        outIds.push(id);
        outPieces.push(unknown ? decodeUtf8(normalized, begin, end) : vocab.pieces[id]!);
      }
      prevUnknown = unknown;
      begin = end;
    }
    return { ids: outIds, pieces: outPieces };
  }

  /**
   * Ids, pieces and the UTF-16 span of `text` that each piece comes from (see `EncodedPiece`).
   * Runs of unknown characters become one piece; with byte fallback, each byte of an unknown
   * character becomes a `<0xNN>` piece and the last of them carries the character's span.
   */
  encodeWithOffsets(text: string, withOffsets = true): EncodedPiece[] {
    const { input, normalized, normToOrig, segmentation } = this.segment(text, withOffsets);
    const vocab = this.vocabulary;
    const toUtf16 = withOffsets ? utf8ToUtf16Offsets(text, input.length) : undefined;
    const at = (normalizedOffset: number) =>
      toUtf16 === undefined ? 0 : toUtf16[normToOrig[normalizedOffset]!]!;
    const { count, ends, ids } = segmentation;
    const out: EncodedPiece[] = [];
    let prevUnknown = false;
    let begin = 0;
    for (let i = 0; i < count; i++) {
      const id = ids[i]!;
      const end = ends[i]!;
      const unknown = vocab.isUnknown(id);
      if (vocab.isControl(id)) throwUnconsumed();
      if (unknown && vocab.byteFallback) {
        for (let k = begin; k < end; k++) {
          const byteId = vocab.byteToId[normalized[k]!]!;
          const last = k === end - 1;
          out.push({
            id: byteId,
            piece: vocab.pieces[byteId]!,
            start: at(begin),
            end: last ? at(end) : at(begin),
          });
        }
      } else if (unknown && prevUnknown) {
        const previous = out[out.length - 1]!;
        previous.piece += decodeUtf8(normalized, begin, end);
        previous.end = at(end);
      } else {
        out.push({
          id,
          piece: unknown ? decodeUtf8(normalized, begin, end) : vocab.pieces[id]!,
          start: at(begin),
          end: at(end),
        });
      }
      prevUnknown = unknown;
      begin = end;
    }
    return out;
  }

  private checkId(id: unknown, argument: string): asserts id is number {
    if (typeof id !== "number" || !Number.isInteger(id) || id < 0 || id >= this.vocabulary.size) {
      throw new TokenizerError(
        "invalid_id",
        `${argument} must be an integer in [0, ${this.vocabulary.size - 1}], got ${describeValue(id)}`,
      );
    }
  }

  /** Text of token ids, as `SentencePieceProcessor.decode(ids)` in the C++ library. */
  decodeIds(ids: ArrayLike<number>): string {
    const pieces: string[] = new Array(ids.length);
    for (let i = 0; i < ids.length; i++) {
      this.checkId(ids[i], `ids[${i}]`);
      pieces[i] = this.vocabulary.pieces[ids[i]!]!;
    }
    return this.decodePieces(pieces);
  }

  /**
   * Text of pieces, as the C++ `Decode`: control pieces vanish, `<unk>` becomes the model's
   * unknown surface (" ⁇ "), runs of `<0xNN>` pieces are decoded as UTF-8 (malformed bytes
   * become U+FFFD), U+2581 becomes a space, and the leading space(s) that the encoder added
   * are dropped.
   */
  decodePieces(pieces: readonly string[]): string {
    const vocab = this.vocabulary;
    const normalizerSpec = this.model.normalizerSpec;
    const unkSurface = this.model.trainerSpec.unkSurface;
    const stripLeading = normalizerSpec.addDummyPrefix || normalizerSpec.removeExtraWhitespaces;
    const removeExtra = normalizerSpec.removeExtraWhitespaces;
    let text = "";
    let isBosWs = true;
    let bosWsSeen = false;
    const byteRun: number[] = [];

    const flushBytes = () => {
      if (byteRun.length === 0) return;
      text += decodeBytePieces(Uint8Array.from(byteRun));
      byteRun.length = 0;
    };

    for (let i = 0; i < pieces.length; i++) {
      let piece = pieces[i]!;
      checkText(piece, `pieces[${i}]`);
      const id = vocab.pieceToId(piece);
      if (vocab.isByte(id)) {
        byteRun.push(pieceToByte(piece));
        continue;
      }
      flushBytes();
      if (bosWsSeen || text.length > 0) isBosWs = false;
      if (vocab.isControl(id)) {
        bosWsSeen = false;
        continue;
      }
      if (vocab.isUnknown(id)) {
        text += vocab.pieces[id] === piece ? unkSurface : piece;
        bosWsSeen = false;
        continue;
      }
      let hasBosWs = false;
      if (isBosWs && stripLeading && piece.startsWith(SPACE_SYMBOL)) {
        piece = piece.slice(SPACE_SYMBOL.length);
        hasBosWs = !removeExtra;
      }
      text += piece.replaceAll(SPACE_SYMBOL, " ");
      bosWsSeen = hasBosWs;
    }
    flushBytes();
    if (this.denormalizer !== undefined) {
      text = decodeUtf8(this.denormalizer.normalize(encodeUtf8(text)).bytes);
    }
    return text;
  }
}

function throwUnconsumed(): never {
  throw new TokenizerError(
    "unsupported_model",
    "the model segmented text into a CONTROL piece; the C++ library fails the same way " +
      "(all normalized characters are not consumed)",
  );
}

/** Decodes byte-fallback bytes: valid UTF-8 characters as themselves, other bytes as U+FFFD. */
function decodeBytePieces(bytes: Uint8Array): string {
  let out = "";
  let pos = 0;
  while (pos < bytes.length) {
    const length = validUtf8CharLength(bytes, pos, bytes.length);
    if (length === 0) {
      out += "\ufffd";
      pos += 1;
    } else {
      out += decodeUtf8(bytes, pos, pos + length);
      pos += length;
    }
  }
  return out;
}
