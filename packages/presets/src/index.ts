export { PresetError, type PresetErrorCode } from "./errors.js";
export {
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
  encoderLayerName,
  type WeightMap,
  type WeightSpec,
  type WeightTensor,
} from "./weights.js";
export { getPreset, isBuiltinPreset, listPresets, type PresetInfo } from "./registry.js";
export { resolvePreset, type ResolveOptions } from "./resolve.js";
export {
  readPreset,
  type PresetContents,
  type PresetFormat,
  type ReadPresetOptions,
} from "./read-preset.js";
export type { StoredDtype } from "./formats/h5.js";
