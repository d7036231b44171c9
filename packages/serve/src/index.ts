export { ServeError, type ServeErrorCode } from "./errors.js";
export {
  EmbeddingModel,
  type BatchEmbeddings,
  type EmbeddingModelOptions,
  type EmbeddingModelPresetOptions,
  type TokenizedText,
} from "./model/embedding-model.js";
export {
  DynamicBatcher,
  type BatchReport,
  type BatchRow,
  type DynamicBatcherOptions,
} from "./batching/dynamic-batcher.js";
export { lengthSortedBatches, paddedTokens, pickAroundOldest } from "./batching/length-groups.js";
export { ServeMetrics } from "./server/metrics.js";
export { embeddingTask, type PreparedRequest, type PreparedTexts, type ServedTask } from "./server/served-task.js";
export { pipelineTask, type PipelineTaskName, type ServablePipeline } from "./server/pipeline-task.js";
export { serve, type ServeHandle, type ServeOptions } from "./server/serve.js";
export { CORPUS_FORMATS, corpusFormat, readCorpus, type CorpusFormat, type CorpusReadOptions, type CorpusRecord } from "./bulk/corpus-reader.js";
export { npyBytes, npyHeader, readNpyFileShape, readNpyShape } from "./bulk/npy.js";
export { isShardDone, shardIdsPath, shardName, shardNpyPath, writeOnce, writeShard } from "./bulk/shard-files.js";
export { encodeShard, shardFiles, shardsOf, type Shard, type ShardEncodeOptions } from "./bulk/shards.js";
export { openOutput, runId, type EncodeSettings, type Manifest } from "./bulk/encode-settings.js";
export {
  encodeCorpus,
  encodeSettings,
  type BulkProgress,
  type BulkRunOptions,
  type EncodeCorpusOptions,
  type EncodeCorpusSummary,
} from "./bulk/encode-corpus.js";
export { DEFAULT_QUEUE_NAME, queueConnection, type QueueConnection, type ShardJobData, type ShardJobResult } from "./queue/connection.js";
export { enqueueCorpus, type EnqueueCorpusOptions, type EnqueueCorpusSummary } from "./queue/enqueue-corpus.js";
export { runWorker, type RunWorkerOptions, type ShardEvent, type WorkerHandle } from "./queue/run-worker.js";
