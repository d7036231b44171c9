export { pipeline, pipelineTokenizer, PIPELINE_TASKS, type PipelineOptions, type PipelineTask } from "./pipeline.js";
export type { PipelineBase } from "./pipeline-base.js";
export {
  fillMaskPipeline,
  type FillMaskOptions,
  type FillMaskOutput,
  type FillMaskPipeline,
  type FillMaskResult,
} from "./tasks/fill-mask.js";
export {
  textClassificationPipeline,
  type ClassificationFunction,
  type TextClassificationInput,
  type TextClassificationOptions,
  type TextClassificationOutput,
  type TextClassificationPipeline,
  type TextClassificationResult,
  type TextPair,
} from "./tasks/text-classification.js";
export {
  tokenClassificationPipeline,
  type AggregationStrategy,
  type EntityGroup,
  type TokenClassificationOptions,
  type TokenClassificationPipeline,
  type TokenClassificationResult,
  type TokenEntity,
} from "./tasks/token-classification.js";
export {
  questionAnsweringPipeline,
  type QuestionAnsweringInput,
  type QuestionAnsweringOptions,
  type QuestionAnsweringOutput,
  type QuestionAnsweringPipeline,
  type QuestionAnsweringResult,
} from "./tasks/question-answering.js";
export { selectSpans, type ChunkLogits, type SpanAnswer, type SpanSelectionOptions } from "./tasks/span-selection.js";
export {
  featureExtractionPipeline,
  FeatureExtractor,
  type ExtractedFeatures,
  type FeatureExtractionOptions,
  type FeatureExtractionOutput,
  type FeatureExtractionPipeline,
  type FeatureInput,
  type FeaturePooling,
} from "./tasks/feature-extraction.js";
export { HfPipelineTokenizer } from "./tokenizers/hf-pipeline-tokenizer.js";
export { KerasPipelineTokenizer } from "./tokenizers/keras-pipeline-tokenizer.js";
export type {
  OffsetUnit,
  PipelineChunkOptions,
  PipelineEncodeOptions,
  PipelineEncoding,
  PipelineTokenizer,
} from "./tokenizers/pipeline-tokenizer.js";
