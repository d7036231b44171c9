export {
  AlbertTokenizer,
  type AlbertTokenizerConfig,
  type AlbertTokenizerFromConfigOptions,
  type AlbertTokenizerOptions,
  type AlbertTokenizerPresetOptions,
  type EncodedPiece,
  type PresetResolveOptions,
  type SpecialToken,
} from "./albert-tokenizer.js";
export {
  AlbertPreprocessor,
  AlbertTextClassifierPreprocessor,
  type AlbertPreprocessorOptions,
  type AlbertPreprocessorOutput,
  type AlbertPreprocessorPresetOptions,
  type AlbertTextClassifierPreprocessorConfig,
  type AlbertTextClassifierPreprocessorOptions,
  type AlbertTextClassifierPreprocessorOutput,
  type AlbertTextClassifierPreprocessorPresetOptions,
} from "./albert-text-classifier-preprocessor.js";
export {
  AlbertMaskedLMPreprocessor,
  type AlbertMaskedLMPreprocessorConfig,
  type AlbertMaskedLMPreprocessorOptions,
  type AlbertMaskedLMPreprocessorOutput,
  type AlbertMaskedLMPreprocessorPresetOptions,
} from "./albert-masked-lm-preprocessor.js";
export {
  Preprocessor,
  type PreprocessorClass,
  type PreprocessorConfig,
  type PreprocessorOptions,
} from "./preprocessor.js";
export {
  MaskedLMMaskGenerator,
  type MaskedLMMaskGeneratorOptions,
  type MaskedLMMaskGeneratorOutput,
} from "./masking/masked-lm-mask-generator.js";
export { PythonRandom } from "./masking/python-random.js";
export {
  PADDING_STRATEGIES,
  type PackedInputs,
  type PaddingStrategy,
  type PreprocessorInputs,
  type SentencePairs,
} from "./preprocessor-inputs.js";
export type { KerasDTypePolicyConfig, KerasSerializedLayer } from "./keras-config.js";
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
export {
  HfTokenizer,
  type HfBatchInput,
  type HfDecodeOptions,
  type HfEncodeOptions,
  type HfEncoding,
  type HfTokenizerOptions,
  type Side,
  type SpecialTokenRole,
  type TokenizerDirectoryFiles,
  type TruncationStrategy as HfTruncationStrategy,
} from "./hf/hf-tokenizer.js";
