import protobuf from "protobufjs/light.js";
import { TokenizerError } from "../errors.js";

/** How a piece behaves (SentencePiece's `ModelProto.SentencePiece.Type`). */
export const PieceType = {
  NORMAL: 1,
  UNKNOWN: 2,
  CONTROL: 3,
  USER_DEFINED: 4,
  UNUSED: 5,
  BYTE: 6,
} as const;
export type PieceType = (typeof PieceType)[keyof typeof PieceType];

/** The segmentation algorithm (SentencePiece's `TrainerSpec.ModelType`). */
export const ModelType = { UNIGRAM: 1, BPE: 2, WORD: 3, CHAR: 4 } as const;
export type ModelType = (typeof ModelType)[keyof typeof ModelType];

export interface SentencePieceEntry {
  piece: string;
  score: number;
  type: PieceType;
}

/** The parts of `TrainerSpec` that encoding and decoding read (proto2 defaults applied). */
export interface TrainerSpec {
  modelType: ModelType;
  vocabSize: number;
  treatWhitespaceAsSuffix: boolean;
  byteFallback: boolean;
  unkId: number;
  bosId: number;
  eosId: number;
  padId: number;
  unkPiece: string;
  bosPiece: string;
  eosPiece: string;
  padPiece: string;
  unkSurface: string;
}

/** `NormalizerSpec` (proto2 defaults applied). */
export interface NormalizerSpec {
  name: string;
  precompiledCharsmap: Uint8Array;
  addDummyPrefix: boolean;
  removeExtraWhitespaces: boolean;
  escapeWhitespaces: boolean;
}

/** A decoded SentencePiece model file. */
export interface ModelProto {
  pieces: SentencePieceEntry[];
  trainerSpec: TrainerSpec;
  normalizerSpec: NormalizerSpec;
  /** Present only when the file has one (applied to decoded text). */
  denormalizerSpec: NormalizerSpec | undefined;
}

// The messages and field numbers of sentencepiece_model.proto (proto2), declared here for the
// fields this package reads. Fields not declared are skipped by the decoder.
const { Type, Field, Enum } = protobuf;

function field(name: string, id: number, type: string, rule?: "repeated") {
  return new Field(name, id, type, rule);
}

let modelProtoType: InstanceType<typeof Type> | undefined;

/** The ModelProto message type, declared on first use. */
function modelProtoMessage(): InstanceType<typeof Type> {
  if (modelProtoType !== undefined) return modelProtoType;
  const pieceTypeEnum = new Enum("Type", {
    NORMAL: PieceType.NORMAL,
    UNKNOWN: PieceType.UNKNOWN,
    CONTROL: PieceType.CONTROL,
    USER_DEFINED: PieceType.USER_DEFINED,
    UNUSED: PieceType.UNUSED,
    BYTE: PieceType.BYTE,
  });

  const sentencePieceMessage = new Type("SentencePiece")
    .add(pieceTypeEnum)
    .add(field("piece", 1, "string"))
    .add(field("score", 2, "float"))
    .add(field("type", 3, "Type"));

  const modelTypeEnum = new Enum("ModelType", {
    UNIGRAM: ModelType.UNIGRAM,
    BPE: ModelType.BPE,
    WORD: ModelType.WORD,
    CHAR: ModelType.CHAR,
  });

  const trainerSpecMessage = new Type("TrainerSpec")
    .add(modelTypeEnum)
    .add(field("modelType", 3, "ModelType"))
    .add(field("vocabSize", 4, "int32"))
    .add(field("treatWhitespaceAsSuffix", 24, "bool"))
    .add(field("byteFallback", 35, "bool"))
    .add(field("unkId", 40, "int32"))
    .add(field("bosId", 41, "int32"))
    .add(field("eosId", 42, "int32"))
    .add(field("padId", 43, "int32"))
    .add(field("unkSurface", 44, "string"))
    .add(field("unkPiece", 45, "string"))
    .add(field("bosPiece", 46, "string"))
    .add(field("eosPiece", 47, "string"))
    .add(field("padPiece", 48, "string"));

  const normalizerSpecMessage = new Type("NormalizerSpec")
    .add(field("name", 1, "string"))
    .add(field("precompiledCharsmap", 2, "bytes"))
    .add(field("addDummyPrefix", 3, "bool"))
    .add(field("removeExtraWhitespaces", 4, "bool"))
    .add(field("escapeWhitespaces", 5, "bool"));

  const modelProto = new Type("ModelProto")
    .add(sentencePieceMessage)
    .add(field("pieces", 1, "SentencePiece", "repeated"))
    .add(field("trainerSpec", 2, "TrainerSpec"))
    .add(field("normalizerSpec", 3, "NormalizerSpec"))
    .add(field("denormalizerSpec", 5, "NormalizerSpec"));

  new protobuf.Root()
    .define("sentencepiece")
    .add(trainerSpecMessage)
    .add(normalizerSpecMessage)
    .add(modelProto);
  modelProtoType = modelProto;
  return modelProto;
}

type Decoded = Record<string, unknown>;

/** The value of an optional field, or its proto2 default when the file does not set it. */
function get<T>(message: Decoded | undefined, name: string, fallback: T): T {
  if (message === undefined || !Object.prototype.hasOwnProperty.call(message, name)) {
    return fallback;
  }
  const value = message[name];
  return value === undefined || value === null ? fallback : (value as T);
}

function readNormalizerSpec(message: Decoded | undefined): NormalizerSpec {
  const charsmap = get<Uint8Array>(message, "precompiledCharsmap", new Uint8Array(0));
  return {
    name: get(message, "name", ""),
    precompiledCharsmap: charsmap,
    addDummyPrefix: get(message, "addDummyPrefix", true),
    removeExtraWhitespaces: get(message, "removeExtraWhitespaces", true),
    escapeWhitespaces: get(message, "escapeWhitespaces", true),
  };
}

function readTrainerSpec(message: Decoded | undefined): TrainerSpec {
  return {
    modelType: get(message, "modelType", ModelType.UNIGRAM),
    vocabSize: get(message, "vocabSize", 8000),
    treatWhitespaceAsSuffix: get(message, "treatWhitespaceAsSuffix", false),
    byteFallback: get(message, "byteFallback", false),
    unkId: get(message, "unkId", 0),
    bosId: get(message, "bosId", 1),
    eosId: get(message, "eosId", 2),
    padId: get(message, "padId", -1),
    // An empty string means "not set" for these four, as in the C++ library.
    unkPiece: get(message, "unkPiece", "") || "<unk>",
    bosPiece: get(message, "bosPiece", "") || "<s>",
    eosPiece: get(message, "eosPiece", "") || "</s>",
    padPiece: get(message, "padPiece", "") || "<pad>",
    unkSurface: get(message, "unkSurface", " \u2047 "),
  };
}

/**
 * Decodes a serialized SentencePiece `ModelProto` (the bytes of a `.model` / `.spm` file).
 * Throws a `TokenizerError` with code `invalid_model` when the bytes are not a model file.
 */
export function decodeModelProto(bytes: Uint8Array): ModelProto {
  if (bytes.length === 0) {
    throw new TokenizerError("invalid_model", "SentencePiece model is empty (0 bytes)");
  }
  let message: Decoded;
  try {
    message = modelProtoMessage().decode(bytes) as unknown as Decoded;
  } catch (error) {
    throw new TokenizerError(
      "invalid_model",
      `SentencePiece model of ${bytes.length} bytes is corrupt or truncated: ` +
        `${(error as Error).message}. Expected the bytes of a SentencePiece .model/.spm file`,
      { cause: error },
    );
  }
  const rawPieces = get<Decoded[]>(message, "pieces", []);
  const pieces: SentencePieceEntry[] = rawPieces.map((p) => ({
    piece: get(p, "piece", ""),
    score: get(p, "score", 0),
    type: get(p, "type", PieceType.NORMAL),
  }));
  const hasDenormalizer = Object.prototype.hasOwnProperty.call(message, "denormalizerSpec");
  return {
    pieces,
    trainerSpec: readTrainerSpec(get<Decoded | undefined>(message, "trainerSpec", undefined)),
    normalizerSpec: readNormalizerSpec(
      get<Decoded | undefined>(message, "normalizerSpec", undefined),
    ),
    denormalizerSpec: hasDenormalizer
      ? readNormalizerSpec(get<Decoded | undefined>(message, "denormalizerSpec", undefined))
      : undefined,
  };
}

/** Serializes a `ModelProto` (the fields this package declares) as a SentencePiece model file. */
export function encodeModelProto(model: ModelProto): Uint8Array {
  const message = modelProtoMessage();
  const value = {
    pieces: model.pieces.map((p) => ({ piece: p.piece, score: p.score, type: p.type })),
    trainerSpec: { ...model.trainerSpec },
    normalizerSpec: { ...model.normalizerSpec },
    ...(model.denormalizerSpec === undefined
      ? {}
      : { denormalizerSpec: { ...model.denormalizerSpec } }),
  };
  return message.encode(message.fromObject(value)).finish();
}
