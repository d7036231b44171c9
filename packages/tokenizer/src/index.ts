export {
  AlbertTokenizer,
  type AlbertTokenizerOptions,
  type AlbertTokenizerPresetOptions,
  type EncodedPiece,
  type PresetResolveOptions,
  type SpecialToken,
} from "./albert-tokenizer.js";
export {
  AlbertPreprocessor,
  type AlbertPreprocessorOptions,
  type AlbertPreprocessorOutput,
  type AlbertPreprocessorPresetOptions,
} from "./albert-preprocessor.js";
export {
  MultiSegmentPacker,
  type MultiSegmentPackerOptions,
  type PackedBatch,
  type TruncationStrategy,
} from "./multi-segment-packer.js";
export { TokenizerError, type TokenizerErrorCode } from "./errors.js";
export { SentencePieceProcessor } from "./sentencepiece/processor.js";
export { decodeModelProto, ModelType, PieceType } from "./sentencepiece/model-proto.js";
export type {
  ModelProto,
  NormalizerSpec,
  SentencePieceEntry,
  TrainerSpec,
} from "./sentencepiece/model-proto.js";
export { preprocessUncased, type AlignedText } from "./uncased/uncased-preprocessing.js";
