export { tf } from "./tf.js";
export {
  AlbertBackbone,
  type AlbertBackboneOutputs,
  type BackboneWeight,
  type CallOptions,
  type PredictOptions,
} from "./albert-backbone.js";
export type { AlbertBackboneArgs } from "./albert-backbone-config.js";
export {
  DTYPE_POLICY_NAMES,
  DTypePolicy,
  globalDTypePolicy,
  setGlobalDTypePolicy,
  type DTypeArgument,
  type DTypePolicyName,
  type FloatDtype,
  type SerializedDTypePolicy,
} from "./dtype/dtype-policy.js";
export { REDUCED_PRECISION_BACKENDS } from "./dtype/policy-support.js";
export type { FromPresetOptions, SaveToPresetOptions } from "./albert-backbone-presets.js";
export { AlbertConfigError, AlbertInputError, type AlbertConfigErrorCode, type AlbertInputErrorCode } from "./errors.js";
export { MASKED_LOGIT, type AlbertInputs, type BatchInput } from "./inputs.js";
export { ACTIVATIONS, geluApproximate, geluExact } from "./layers/activations.js";
export { Dense } from "./layers/dense.js";
export { Embedding } from "./layers/embedding.js";
export { LayerNormalization } from "./layers/layer-normalization.js";
export { WeightStore, type NamedWeight } from "./layers/layer.js";
export { albertKernelInitializer, fillTruncatedNormal, type Initializer } from "./layers/initializers.js";
export { MultiHeadAttention, type AttentionResult } from "./layers/multi-head-attention.js";
export { PositionEmbedding } from "./layers/position-embedding.js";
export { ReversibleEmbedding } from "./layers/reversible-embedding.js";
export { TransformerEncoder, type TransformerEncoderOptions } from "./layers/transformer-encoder.js";
export {
  diagnoseBackends,
  formatDiagnosis,
  initBackend,
  listBackends,
  type BackendInfo,
  type BackendName,
  type InitBackendOptions,
} from "@albert/backends";
export { PresetError, type AlbertBackboneConfig, type WeightMap } from "@albert/presets";
export { POOLINGS, l2Normalize, meanPool, poolOutputs, type PaddingMask, type Pooling } from "./pooling/pooling.js";
export {
  AlbertTextClassifier,
  type AlbertTextClassifierArgs,
  type AlbertTextClassifierPresetOptions,
  type ClassifierActivation,
  type ClassifierInputs,
  type ClassifierPredictOptions,
  type Labels,
} from "./tasks/albert-text-classifier.js";
export {
  AlbertMaskedLM,
  type AlbertMaskedLMArgs,
  type AlbertMaskedLMPresetOptions,
  type MaskedLMPredictOptions,
} from "./tasks/albert-masked-lm.js";
export { MaskedLMHead, type MaskedLMHeadOptions } from "./tasks/masked-lm-head.js";
export {
  AlbertTokenClassifier,
  type AlbertTokenClassifierArgs,
  type AlbertTokenClassifierPresetOptions,
} from "./tasks/albert-token-classifier.js";
export {
  AlbertQuestionAnswerer,
  type AlbertQuestionAnswererArgs,
  type AlbertQuestionAnswererPresetOptions,
  type SpanLogits,
} from "./tasks/albert-question-answerer.js";
export {
  AlbertMultipleChoice,
  type AlbertMultipleChoiceArgs,
  type AlbertMultipleChoicePresetOptions,
  type MultipleChoiceInputs,
  type MultipleChoicePacked,
  type MultipleChoiceText,
} from "./tasks/albert-multiple-choice.js";
export { DenseHeadTask, type DenseHeadTaskArgs } from "./tasks/dense-head-task.js";
export { hfTaskBackbone, type HfTaskCheckpoint } from "./tasks/hf-task-preset.js";
export type { PackedTaskInputs } from "./tasks/packed-inputs.js";
export {
  Task,
  type CompileOptions,
  type EvaluateOptions,
  type FitOptions,
  type TaskWeight,
} from "./tasks/task.js";
export type { TextInputs } from "./tasks/task-data.js";
export type { TaskPresetOptions } from "./tasks/task-presets.js";
export { CallbackList, History, type Callback, type Logs } from "./training/callbacks.js";
export {
  SparseCategoricalCrossentropy,
  type Loss,
  type LossReduction,
  type SparseCategoricalCrossentropyArgs,
} from "./training/losses.js";
export { Mean, SparseCategoricalAccuracy, type Metric } from "./training/metrics.js";
export { Adam, type AdamArgs } from "./training/optimizers/adam.js";
export { AdamW, type AdamWArgs, type WeightDecayExclusion } from "./training/optimizers/adamw.js";
export { LossScaleOptimizer, type LossScaleOptimizerArgs } from "./training/optimizers/loss-scale-optimizer.js";
export {
  Optimizer,
  type Gradient,
  type OptimizedVariable,
  type OptimizerArgs,
  type OptimizerVariableValue,
  type SparseGradient,
} from "./training/optimizers/optimizer.js";
