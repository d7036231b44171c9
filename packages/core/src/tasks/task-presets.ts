import {
  ARCHITECTURE_FIELDS,
  isTransformersPreset,
  joinPresetPath,
  kerasConfigJson,
  presetPathExists,
  PythonFloat,
  readTaskPreset,
  toKerasConfigFile,
  resolvePreset,
  unwrapKerasConfig,
  writeTaskPreset,
  type KerasVar,
  type KerasVarGroup,
  type PythonJsonValue,
  type ResolveOptions,
  type TaskExtras,
  type TaskPresetFiles,
  type WeightMap,
} from "@albert/presets";
import { AlbertBackbone } from "../albert-backbone.js";
import type { DTypeArgument, FloatDtype } from "../dtype/dtype-policy.js";
import { AlbertConfigError } from "../errors.js";
import type { tf } from "../tf.js";
import type { TaskPreprocessor } from "./task.js";
import type { Optimizer } from "../training/optimizers/optimizer.js";
import { hfTaskBackbone, type HfTaskCheckpoint } from "./hf-task-preset.js";

/** What every task's `fromPreset` takes besides the task's own arguments. */
export interface TaskPresetOptions extends Omit<ResolveOptions, "loadWeights"> {
  /** Load the preset's weights (default true); false: random weights, architecture only. */
  loadWeights?: boolean;
  /** The backbone's dtype policy, as `AlbertBackbone.fromPreset`'s (the head follows it). */
  dtype?: DTypeArgument;
}

/** A task preset as read for one task class: its backbone, and the task files when they are
 * for this class (KerasHub falls back to "backbone + new head" otherwise). */
export interface LoadedTaskPreset {
  dir: string;
  backbone: AlbertBackbone;
  /** `task.json` and the head's variables, when the preset is a task of this class. */
  task: TaskPresetFiles | undefined;
  /** `albert_ts_task.json`, whatever the class. */
  extras: TaskExtras | undefined;
  /** Whether the folder has tokenizer files a preprocessor can be built from. */
  hasTokenizer: boolean;
  /** Set when the folder is an HF transformers checkpoint: the task reads its head from there. */
  hf?: HfTaskCheckpoint;
}

const RESOLVE_KEYS = ["source", "revision", "onProgress", "timeoutMs", "retries", "loadWeights", "dtype"];

/** Splits `fromPreset` options into the resolver's and the task's own (its constructor's). */
function splitPresetOptions<T extends object>(options: T): [TaskPresetOptions, Omit<T, keyof TaskPresetOptions>] {
  const resolve: Record<string, unknown> = {};
  const own: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options ?? {})) (RESOLVE_KEYS.includes(key) ? resolve : own)[key] = value;
  return [resolve as TaskPresetOptions, own as Omit<T, keyof TaskPresetOptions>];
}

/**
 * Resolves a preset and loads what a task is built from, as KerasHub's `load_task`: the
 * backbone (config.json + model.weights.h5), and `task.json` with the head's variables when
 * it describes `className` (KerasHub's `task.json` check). `task.json`'s backbone must be the
 * one in `config.json`.
 */
export async function loadTaskPreset(preset: string, options: TaskPresetOptions, className: string): Promise<LoadedTaskPreset> {
  const { dtype, ...resolveOptions } = options;
  const loadWeights = options.loadWeights ?? true;
  const dir = await resolvePreset(preset, { ...resolveOptions, loadWeights });
  const files = await readTaskPreset(dir, { loadWeights });
  // HF checkpoints of headed classes may lack the pooler: they load through their own path.
  const hf = isTransformersPreset(dir) ? await hfTaskBackbone(dir, { loadWeights, ...(dtype === undefined ? {} : { dtype }) }) : undefined;
  const backbone = hf?.backbone ?? (await AlbertBackbone.fromPreset(dir, { loadWeights, ...(dtype === undefined ? {} : { dtype }) }));
  try {
    const task = files !== undefined && files.task.class_name === className ? files : undefined;
    if (task !== undefined) checkTaskBackbone(task, backbone, dir);
    const hasTokenizer = ["assets/tokenizer/vocabulary.spm", "spiece.model", "tokenizer.json"].some((f) => presetPathExists(joinPresetPath(dir, f)));
    return { dir, backbone, task, extras: files?.extras, hasTokenizer, ...(hf ? { hf: hf.checkpoint } : {}) };
  } catch (error) {
    backbone.dispose();
    throw error;
  }
}

function checkTaskBackbone(task: TaskPresetFiles, backbone: AlbertBackbone, dir: string): void {
  const saved = unwrapKerasConfig(task.task.config["backbone"]);
  if (saved === undefined) return;
  const actual = backbone.getConfig();
  const differ = ARCHITECTURE_FIELDS.filter((k) => k !== "dropout" && saved[k] !== undefined && saved[k] !== actual[k]);
  if (differ.length > 0) {
    throw new AlbertConfigError(
      "weights_mismatch",
      `${joinPresetPath(dir, "task.json")} describes a backbone with ${differ.map((k) => `${k}=${String(saved[k])}`).join(", ")}, ` +
        `but config.json has ${differ.map((k) => `${k}=${actual[k]}`).join(", ")}: the task does not fit its backbone`,
      "preset",
    );
  }
}

/** What a task's `fromPreset` builds from: the loaded preset, the task's own options, and the
 * preprocessor decided by KerasHub's rules. */
export interface TaskPresetParts<Own, P> {
  loaded: LoadedTaskPreset;
  own: Own;
  /** `task.json`'s `config`, when the preset is a task of this class. */
  saved: Record<string, unknown> | undefined;
  preprocessor: P | null;
}

/**
 * The `fromPreset` of every task, as KerasHub's `Task.from_preset`: resolve and load the preset
 * (`loadTaskPreset`), take the preprocessor from the options when given, else none when
 * `task.json` says none or the folder has no tokenizer, else the preset's (`loadPreprocessor`),
 * then `build`. The backbone is freed when anything fails.
 */
export async function fromTaskPreset<O extends object, P, T>(
  preset: string,
  options: O,
  className: string,
  loadPreprocessor: (dir: string, loaded: LoadedTaskPreset) => Promise<P>,
  build: (parts: TaskPresetParts<Omit<O, keyof TaskPresetOptions>, P>) => T,
): Promise<T> {
  const [resolve, own] = splitPresetOptions(options);
  const loaded = await loadTaskPreset(preset, resolve, className);
  try {
    const saved = loaded.task?.task.config;
    const given = (own as { preprocessor?: P | null }).preprocessor;
    const preprocessor =
      given !== undefined
        ? given
        : (saved !== undefined && saved["preprocessor"] === null) || !loaded.hasTokenizer
          ? null
          : await loadPreprocessor(loaded.dir, loaded);
    return build({ loaded, own, saved, preprocessor });
  } catch (error) {
    loaded.backbone.dispose();
    throw error;
  }
}

/** One variable of a head as a preset stores it, and where it goes. */
export interface HeadVariableSpec {
  /** `task.weights.h5` group and index (`layers/dense`, 0). */
  group: string;
  index: number;
  /** The task's variable path (`logits/kernel`). */
  path: string;
  shape: number[];
}

/**
 * The head's weights from a task preset's `task.weights.h5` groups, checked against the shapes
 * the task's arguments and backbone imply: a head that does not fit is an `AlbertConfigError`
 * naming the dataset and both shapes.
 */
export function headWeights(groups: readonly KerasVarGroup[], specs: readonly HeadVariableSpec[], dir: string): WeightMap {
  const file = joinPresetPath(dir, "task.weights.h5");
  const weights: WeightMap = new Map();
  for (const spec of specs) {
    const stored = groups.find((g) => g.group === spec.group)?.vars[spec.index];
    if (stored === undefined || !("data" in stored)) {
      throw new AlbertConfigError(
        "weights_mismatch",
        `${file} has no ${spec.group}/vars/${spec.index} for the head's ${spec.path} [${spec.shape}]`,
        "preset",
      );
    }
    if (stored.shape.join() !== spec.shape.join()) {
      throw new AlbertConfigError(
        "weights_mismatch",
        `${file}: ${spec.group}/vars/${spec.index} (${spec.path}) has shape [${stored.shape}], but the task and its backbone ` +
          `need [${spec.shape}]: the head does not fit the backbone`,
        "preset",
      );
    }
    weights.set(spec.path, { shape: [...stored.shape], data: stored.data });
  }
  const known = new Set(specs.map((s) => s.group));
  const extra = groups.filter((g) => !known.has(g.group));
  if (extra.length > 0) {
    throw new AlbertConfigError(
      "weights_mismatch",
      `${file} holds variables this task does not have (${extra.map((g) => `${g.group} '${g.layerName}'`).join(", ")})`,
      "preset",
    );
  }
  return weights;
}

/** A KerasHub task class as `task.json` names it. */
export interface KerasTaskClass {
  module: string;
  className: string;
  registeredName: string;
}

/** Preprocessor config keys Python holds as floats (so `task.json` writes `1.0`, not `1`). */
const PREPROCESSOR_FLOATS = ["mask_selection_rate", "mask_token_rate", "random_token_rate"];

/**
 * The whole `task.json` object for a task's `getConfig()`, typed as KerasHub writes it: the
 * backbone as `config.json` holds it, the preprocessor's and the task's float arguments
 * (`floatKeys`) as Python floats.
 */
export function taskConfigJson(cls: KerasTaskClass, config: Record<string, unknown>, backbone: AlbertBackbone, floatKeys: readonly string[] = []): PythonJsonValue {
  const inner: Record<string, PythonJsonValue> = {};
  for (const [key, value] of Object.entries(config)) {
    if (key === "backbone") inner[key] = kerasConfigJson(backbone.getConfig());
    else if (key === "preprocessor" && value !== null && typeof value === "object") {
      const serialized = value as { config: Record<string, unknown> };
      const fields = { ...serialized.config };
      for (const k of PREPROCESSOR_FLOATS) if (typeof fields[k] === "number") fields[k] = new PythonFloat(fields[k] as number);
      inner[key] = { ...serialized, config: fields } as PythonJsonValue;
    } else inner[key] = floatKeys.includes(key) && typeof value === "number" ? new PythonFloat(value) : (value as PythonJsonValue);
  }
  return { module: cls.module, class_name: cls.className, config: inner, registered_name: cls.registeredName };
}

/** `{ module, class_name, config, registered_name }` of a backbone, for a task's `getConfig()`. */
export function serializedBackbone(backbone: AlbertBackbone): Record<string, unknown> {
  return { ...toKerasConfigFile(backbone.getConfig()) };
}

/** Variables as `task.weights.h5` stores them: in the policy's variable dtype, as Keras saves
 * every variable (the float32 tensors of a pure 16-bit policy hold that dtype's values). */
export function variableValues(variables: readonly tf.Variable[], dtype: FloatDtype): KerasVar[] {
  return variables.map((v) => ({
    shape: [...v.shape],
    data: Float32Array.from(v.dataSync() as Float32Array),
    ...(dtype === "float32" ? {} : { dtype }),
  }));
}

/** What `saveTaskPreset` writes besides the backbone and the preprocessor. */
export interface TaskPresetContents {
  /** The whole `task.json` object. */
  task: PythonJsonValue;
  /** The head's groups of `task.weights.h5`, empty layers included (the optimizer's and the
   * preprocessor's are added here). */
  headGroups: KerasVarGroup[];
  /** The task's Keras name (the `vars` group at the root). */
  name: string;
  optimizer: Optimizer;
  /** The attached preprocessor: its `vars` groups are written empty, as Keras does. */
  preprocessor: Pick<TaskPreprocessor, "name" | "tokenizer" | "saveToPreset"> | null;
  extras?: TaskExtras;
}

/**
 * Writes a task in KerasHub's preset layout: the backbone (`config.json`, `model.weights.h5`,
 * `metadata.json`), the preprocessor (`preprocessor.json`, `tokenizer.json`, vocabulary), and
 * the task's `task.json` and `task.weights.h5` (head, optimizer state, empty groups).
 */
export async function saveTaskPreset(dir: string, backbone: AlbertBackbone, contents: TaskPresetContents): Promise<void> {
  await backbone.saveToPreset(dir);
  if (contents.preprocessor !== null) await contents.preprocessor.saveToPreset(dir);
  const optimizer: KerasVarGroup = { group: "optimizer", layerName: contents.optimizer.name, vars: contents.optimizer.variables() };
  const preprocessorGroups: KerasVarGroup[] =
    contents.preprocessor === null
      ? []
      : [
          { group: "preprocessor/tokenizer", layerName: contents.preprocessor.tokenizer.name, vars: [] },
          { group: "preprocessor", layerName: contents.preprocessor.name, vars: [] },
        ];
  await writeTaskPreset(dir, {
    task: contents.task,
    weights: [...contents.headGroups, optimizer, ...preprocessorGroups, { group: "", layerName: contents.name, vars: [] }],
    ...(contents.extras ? { extras: contents.extras } : {}),
  });
}
