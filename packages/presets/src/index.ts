export { PresetError, type PresetErrorCode } from "./errors.js";
export {
  ARCHITECTURE_FIELDS,
  countBackboneParams,
  dtypeName,
  dtypePolicy,
  findConfigProblems,
  toKerasConfigFile,
  unwrapKerasConfig,
  type AlbertActivation,
  type AlbertBackboneConfig,
  type ConfigProblem,
  type KerasBackboneConfigFile,
  type KerasDTypePolicy,
} from "./config.js";
export {
  backboneWeightSpecs,
  encoderH5Group,
  encoderLayerName,
  findWeightMapProblems,
  type WeightMap,
  type WeightSpec,
  type WeightTensor,
} from "./weights.js";
export {
  getPreset,
  isBuiltinPreset,
  isBuiltinUncasedHandle,
  listPresets,
  type PresetInfo,
} from "./registry.js";
export { handleScheme, resolvePreset, type DownloadProgress, type ResolveOptions } from "./resolve.js";
export { albertHome } from "./resolve/env.js";
export {
  parseHfHandle,
  parseKaggleHandle,
  type HfHandle,
  type KaggleHandle,
} from "./resolve/handles.js";
export {
  readPreset,
  type PresetContents,
  type PresetFormat,
  type ReadPresetOptions,
} from "./read-preset.js";
export type { StoredDtype } from "./weights.js";
export {
  decodeHalf,
  encodeHalf,
  roundScalarToHalf,
  roundToHalf,
  type HalfDtype,
} from "./formats/half-precision.js";
export { storedWeightDtype } from "./formats/keras-h5-writer.js";
export {
  WRITTEN_KERAS_HUB_VERSION,
  WRITTEN_KERAS_VERSION,
  kerasConfigJson,
  writePreset,
  type PresetMetadata,
  type WritePresetOptions,
  type WrittenPreset,
} from "./write-preset.js";
export { EXTRAS_FILE, type BackboneExtras } from "./formats/extras.js";
export { PythonFloat, pythonJsonDumps, type PythonJsonValue } from "./python-json.js";
export { hfConfigToKeras, isTransformersConfig } from "./formats/hf-config.js";
export {
  readSafetensorsHeader,
  readSafetensorsTensor,
  type SafetensorsEntry,
  type SafetensorsHeader,
} from "./formats/safetensors.js";
export {
  OPTIMIZER_GROUP,
  TASK_CONFIG_FILE,
  TASK_EXTRAS_FILE,
  TASK_WEIGHTS_FILE,
  readTaskPreset,
  writeTaskPreset,
  type KerasTaskConfigFile,
  type TaskExtras,
  type TaskPresetFiles,
  type WriteTaskPresetOptions,
} from "./task-preset.js";
export {
  describeKerasVarGroups,
  isInt64Scalar,
  readKerasVarGroups,
  writeKerasVarGroups,
  type KerasInt64Scalar,
  type KerasVar,
  type KerasVarGroup,
  type KerasVarInfo,
  type ReadKerasVarGroupsOptions,
} from "./formats/keras-vars-h5.js";
export {
  HF_HEAD_TENSORS,
  readTransformersHeadTensors,
  readTransformersTaskConfig,
  isTransformersPreset,
  transformersTensorShapes,
  type HeadRequestContext,
  type HeadTensorRequest,
  type TransformersTaskConfig,
} from "./formats/hf-heads.js";
export { joinPresetPath, presetPathExists, readPresetBytes, readPresetText } from "./preset-paths.js";
