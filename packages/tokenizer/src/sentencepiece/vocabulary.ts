import { TokenizerError } from "../errors.js";
import { PieceType, type ModelProto } from "./model-proto.js";
import { PieceTrie } from "./piece-trie.js";

const FLT_MAX = 3.4028234663852886e38;
const VALID_TYPES: ReadonlySet<number> = new Set(Object.values(PieceType));

function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
const FLT_MIN = 1.1754943508222875e-38;

/** `<0xNN>` for byte `b`, SentencePiece's byte-fallback piece. */
export function byteToPiece(b: number): string {
  return `<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`;
}

/** The byte of a `<0xNN>` piece (upper-case hex, as the C++ library writes them), or -1. */
export function pieceToByte(piece: string): number {
  const match = /^<0x([0-9A-F]{2})>$/.exec(piece);
  return match ? parseInt(match[1]!, 16) : -1;
}

/**
 * The pieces of a model and the lookups every segmentation algorithm shares, with the checks
 * of SentencePiece's `ModelInterface::InitializePieces` (each failure is a `TokenizerError`).
 *
 * "Normal" pieces (NORMAL, USER_DEFINED and UNUSED) can be produced from text and live in
 * `trie`; the others (UNKNOWN, CONTROL, BYTE) are "reserved" and only reachable by id.
 */
export class Vocabulary {
  readonly pieces: readonly string[];
  /** UTF-8 length of the longest piece. */
  readonly maxPieceBytes: number;
  readonly scores: Float64Array;
  readonly types: Uint8Array;
  readonly unkId: number;
  /** NORMAL, USER_DEFINED and UNUSED pieces by their UTF-8 bytes. */
  readonly trie: PieceTrie;
  /** UNKNOWN, CONTROL and BYTE pieces by their UTF-8 bytes (looked up before `trie`). */
  readonly reservedTrie: PieceTrie;
  /** USER_DEFINED pieces, matched as wholes in raw text; undefined when the model has none. */
  readonly userDefinedTrie: PieceTrie | undefined;
  readonly byteFallback: boolean;
  /** Id of the `<0xNN>` piece for each byte (byte-fallback models), else -1. */
  readonly byteToId: Int32Array;
  /** Smallest and largest NORMAL score, with the C++ library's initial values (FLT_MAX, FLT_MIN). */
  readonly minScore: number;
  readonly maxScore: number;

  /** `pieceToId(pieces[id])` for every id. */
  readonly canonicalId: Int32Array;

  private readonly reservedMap = new Map<string, number>();
  private readonly normalMap = new Map<string, number>();

  constructor(model: ModelProto) {
    const entries = model.pieces;
    if (entries.length === 0) {
      throw new TokenizerError(
        "invalid_model",
        "SentencePiece model has no pieces; expected a vocabulary of at least one piece",
      );
    }
    this.byteFallback = model.trainerSpec.byteFallback;
    const n = entries.length;
    const pieces: string[] = new Array(n);
    this.scores = new Float64Array(n);
    this.types = new Uint8Array(n);
    this.byteToId = new Int32Array(256).fill(-1);
    const normalKeys: string[] = [];
    const normalIds: number[] = [];
    const reservedKeys: string[] = [];
    const reservedIds: number[] = [];
    const userKeys: string[] = [];
    const userIds: number[] = [];
    let unkId = -1;
    let minScore = FLT_MAX;
    let maxScore = FLT_MIN;

    for (let i = 0; i < n; i++) {
      const { piece, score, type } = entries[i]!;
      if (piece.length === 0) {
        throw new TokenizerError("invalid_model", `SentencePiece model piece ${i} is empty`);
      }
      if (!VALID_TYPES.has(type)) {
        throw new TokenizerError(
          "invalid_model",
          `SentencePiece model piece ${i} (${JSON.stringify(piece)}) has type ${type}; ` +
            "allowed: 1 NORMAL, 2 UNKNOWN, 3 CONTROL, 4 USER_DEFINED, 5 UNUSED, 6 BYTE",
        );
      }
      pieces[i] = piece;
      this.scores[i] = score;
      this.types[i] = type;
      const isNormal =
        type === PieceType.NORMAL || type === PieceType.USER_DEFINED || type === PieceType.UNUSED;
      const map = isNormal ? this.normalMap : this.reservedMap;
      if (map.has(piece)) {
        throw new TokenizerError(
          "invalid_model",
          `SentencePiece model defines piece ${JSON.stringify(piece)} twice (ids ${map.get(piece)} and ${i})`,
        );
      }
      map.set(piece, i);
      if (isNormal) {
        normalKeys.push(piece);
        normalIds.push(i);
      } else {
        reservedKeys.push(piece);
        reservedIds.push(i);
      }
      if (type === PieceType.NORMAL) {
        minScore = Math.min(minScore, score);
        maxScore = Math.max(maxScore, score);
      }
      if (type === PieceType.USER_DEFINED) {
        userKeys.push(piece);
        userIds.push(i);
      }
      if (type === PieceType.UNKNOWN) {
        if (unkId >= 0) {
          throw new TokenizerError(
            "invalid_model",
            `SentencePiece model has two UNKNOWN pieces (ids ${unkId} and ${i}); expected exactly one`,
          );
        }
        unkId = i;
      }
      if (type === PieceType.BYTE) {
        if (!this.byteFallback) {
          throw new TokenizerError(
            "invalid_model",
            `SentencePiece model has byte piece ${JSON.stringify(piece)} although byte_fallback is false`,
          );
        }
        const byte = pieceToByte(piece);
        if (byte < 0) {
          throw new TokenizerError(
            "invalid_model",
            `SentencePiece model byte piece ${JSON.stringify(piece)} is invalid; expected <0x00>..<0xFF>`,
          );
        }
        this.byteToId[byte] = i;
      }
    }
    if (unkId < 0) {
      throw new TokenizerError(
        "invalid_model",
        "SentencePiece model has no UNKNOWN piece (<unk>); the C++ library requires one",
      );
    }
    if (this.byteFallback && this.byteToId.includes(-1)) {
      throw new TokenizerError(
        "invalid_model",
        "SentencePiece model has byte_fallback but not all 256 byte pieces <0x00>..<0xFF>",
      );
    }
    this.pieces = pieces;
    let maxPieceBytes = 0;
    for (const piece of pieces) maxPieceBytes = Math.max(maxPieceBytes, utf8Length(piece));
    this.maxPieceBytes = maxPieceBytes;
    this.unkId = unkId;
    this.minScore = minScore;
    this.maxScore = maxScore;
    this.canonicalId = Int32Array.from(pieces, (piece) => this.pieceToId(piece));
    this.trie = PieceTrie.build(normalKeys, normalIds);
    this.reservedTrie = PieceTrie.build(reservedKeys, reservedIds);
    this.userDefinedTrie = userKeys.length > 0 ? PieceTrie.build(userKeys, userIds) : undefined;
  }

  get size(): number {
    return this.pieces.length;
  }

  /** SentencePiece's `PieceToId`: reserved pieces first, then normal ones, else the unknown id. */
  pieceToId(piece: string): number {
    return this.reservedMap.get(piece) ?? this.normalMap.get(piece) ?? this.unkId;
  }

  /** `pieceToId` for the UTF-8 bytes `bytes[start..end)`. */
  bytesToId(bytes: Uint8Array, start: number, end: number): number {
    const reserved = this.reservedTrie.lookup(bytes, start, end);
    if (reserved >= 0) return reserved;
    const normal = this.trie.lookup(bytes, start, end);
    return normal >= 0 ? normal : this.unkId;
  }

  /** Whether `piece` is a piece of the model (any type). */
  has(piece: string): boolean {
    return this.reservedMap.has(piece) || this.normalMap.has(piece);
  }

  /** The id of `piece` if it is a piece of the model, else undefined. */
  idOf(piece: string): number | undefined {
    return this.reservedMap.get(piece) ?? this.normalMap.get(piece);
  }

  isControl(id: number): boolean {
    return this.types[id] === PieceType.CONTROL;
  }
  isUnknown(id: number): boolean {
    return this.types[id] === PieceType.UNKNOWN;
  }
  isUnused(id: number): boolean {
    return this.types[id] === PieceType.UNUSED;
  }
  isUserDefined(id: number): boolean {
    return this.types[id] === PieceType.USER_DEFINED;
  }
  isByte(id: number): boolean {
    return this.types[id] === PieceType.BYTE;
  }
}
