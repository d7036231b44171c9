import { existsSync, mkdirSync, rmSync, writeFileSync } from "./platform/fs.js";
import path from "./platform/path.js";
import { PresetError } from "./errors.js";
import {
  readKerasVarGroups,
  writeKerasVarGroups,
  type KerasVarGroup,
} from "./formats/keras-vars-h5.js";
import { isJsonObject, readConfigSection, readJsonFile } from "./json-file.js";
import { PythonFloat, pythonJsonDumps, type PythonJsonValue } from "./python-json.js";
import { writeAtomically } from "./write-preset.js";

/** KerasHub's task config file (`Task.save_to_preset`): the serialized task. */
export const TASK_CONFIG_FILE = "task.json";
/** KerasHub's task weights: the variables that are not the backbone's, plus the optimizer's. */
export const TASK_WEIGHTS_FILE = "task.weights.h5";
/**
 * Task settings KerasHub has no place for (class labels), kept beside `task.json`. KerasHub's
 * loader never reads it; `task.json` cannot hold them because KerasHub passes every key of its
 * `config` to the task's constructor, which refuses unknown arguments.
 */
export const TASK_EXTRAS_FILE = "albert_ts_task.json";

/** `task.json`: a serialized KerasHub task. */
export interface KerasTaskConfigFile {
  module: string;
  class_name: string;
  /** The task's `get_config()`: `backbone` and `preprocessor` (serialized or null), `name`,
   * and the task's own arguments (`num_classes`, `activation`, `dropout`, ...). */
  config: Record<string, unknown>;
  registered_name: string;
}

/** What `albert_ts_task.json` keeps. */
export interface TaskExtras {
  /** Class index (as a string, like HF's `config.json`) to label name. */
  id2label?: Record<string, string>;
  /** Masked-LM head settings KerasHub's `MaskedLMHead` fixes for ALBERT (HF checkpoints set
   * them from `layer_norm_eps` and `hidden_act`). */
  masked_lm_head?: { layer_norm_epsilon?: number; intermediate_activation?: string };
}

const EXTRAS_KEYS = ["id2label", "masked_lm_head"];

/** A task preset's own files (the backbone's are read by `readPreset`). */
export interface TaskPresetFiles {
  task: KerasTaskConfigFile;
  /**
   * The groups of `task.weights.h5` that hold variables, without the optimizer's state;
   * `undefined` when the preset has no `task.weights.h5`.
   */
  weights: KerasVarGroup[] | undefined;
  extras: TaskExtras | undefined;
}

/** The group of `task.weights.h5` holding the optimizer's variables (ignored on load). */
export const OPTIMIZER_GROUP = "optimizer";

function checkTaskConfig(json: unknown, file: string): KerasTaskConfigFile {
  if (
    !isJsonObject(json) ||
    typeof json["class_name"] !== "string" ||
    !isJsonObject(json["config"])
  ) {
    throw new PresetError(
      "invalid_config",
      `${file} must hold a serialized KerasHub task: {"module", "class_name", "config": {...}, "registered_name"}`,
      { path: file },
    );
  }
  return {
    module: typeof json["module"] === "string" ? json["module"] : "",
    class_name: json["class_name"],
    config: json["config"],
    registered_name: typeof json["registered_name"] === "string" ? json["registered_name"] : "",
  };
}

function readTaskExtras(dir: string): TaskExtras | undefined {
  const file = path.join(dir, TASK_EXTRAS_FILE);
  if (!existsSync(file)) return undefined;
  const config = readConfigSection(file, EXTRAS_KEYS);
  const extras: TaskExtras = {};
  const labels = config["id2label"];
  if (labels !== undefined) {
    if (!isJsonObject(labels) || Object.values(labels).some((v) => typeof v !== "string")) {
      throw new PresetError(
        "invalid_config",
        `${file}: id2label must map class indexes to label strings, got ${JSON.stringify(labels)}`,
        { path: file },
      );
    }
    extras.id2label = labels as Record<string, string>;
  }
  const head = config["masked_lm_head"];
  if (head !== undefined) {
    const h = isJsonObject(head) ? head : {};
    const eps = h["layer_norm_epsilon"];
    const act = h["intermediate_activation"];
    if (!isJsonObject(head) || (eps !== undefined && typeof eps !== "number") || (act !== undefined && typeof act !== "string")) {
      throw new PresetError(
        "invalid_config",
        `${file}: masked_lm_head must be {"layer_norm_epsilon": number, "intermediate_activation": string}, got ${JSON.stringify(head)}`,
        { path: file },
      );
    }
    extras.masked_lm_head = {
      ...(eps !== undefined ? { layer_norm_epsilon: eps as number } : {}),
      ...(act !== undefined ? { intermediate_activation: act as string } : {}),
    };
  }
  return extras;
}

/**
 * Reads a KerasHub task preset's own files: `task.json`, the variables of `task.weights.h5`
 * (empty groups and the optimizer's state left out, as KerasHub's loader ignores them) and
 * `albert_ts_task.json`. `undefined` when the folder has no `task.json` (a backbone preset).
 * With `loadWeights: false` the weights are not read.
 */
export async function readTaskPreset(
  dir: string,
  options: { loadWeights?: boolean } = {},
): Promise<TaskPresetFiles | undefined> {
  const configFile = path.join(dir, TASK_CONFIG_FILE);
  if (!existsSync(configFile)) return undefined;
  const task = checkTaskConfig(readJsonFile(configFile), configFile);
  const weightsFile = path.join(dir, TASK_WEIGHTS_FILE);
  const weights =
    options.loadWeights !== false && existsSync(weightsFile)
      ? await readKerasVarGroups(weightsFile, {
          skip: (group) => group === OPTIMIZER_GROUP || group.startsWith(`${OPTIMIZER_GROUP}/`),
        })
      : undefined;
  return { task, weights, extras: readTaskExtras(dir) };
}

export interface WriteTaskPresetOptions {
  /** The whole `task.json` object (floats that Python holds as floats wrapped in
   * `PythonFloat`, so Python reads them back as floats). */
  task: PythonJsonValue;
  /** Every group of `task.weights.h5`, empty ones and the optimizer's included, in the order
   * to write them. */
  weights: readonly KerasVarGroup[];
  extras?: TaskExtras;
}

/**
 * Writes a task's own files into a preset folder: `task.json` (Python's `json.dumps(indent=4)`
 * text, as KerasHub writes it), `task.weights.h5` (Keras 3 layout) and, when there are
 * extras, `albert_ts_task.json` (removed otherwise). The backbone's files (`writePreset`) and
 * the preprocessor's are written by their owners. Returns the files written.
 */
export async function writeTaskPreset(
  dir: string,
  options: WriteTaskPresetOptions,
): Promise<string[]> {
  const root = path.resolve(dir);
  try {
    mkdirSync(root, { recursive: true });
  } catch (error) {
    throw new PresetError("write_failed", `Cannot create the preset folder ${root}: ${(error as Error).message}`, {
      path: root,
      cause: error,
    });
  }
  const files = [TASK_CONFIG_FILE, TASK_WEIGHTS_FILE];
  await writeAtomically(path.join(root, TASK_CONFIG_FILE), (tmp) =>
    writeFileSync(tmp, pythonJsonDumps(options.task)),
  );
  await writeAtomically(path.join(root, TASK_WEIGHTS_FILE), (tmp) =>
    writeKerasVarGroups(tmp, options.weights),
  );
  const extrasFile = path.join(root, TASK_EXTRAS_FILE);
  const extras = options.extras ?? {};
  if (Object.keys(extras).length > 0) {
    await writeAtomically(extrasFile, (tmp) => writeFileSync(tmp, taskExtrasText(extras)));
    files.push(TASK_EXTRAS_FILE);
  } else {
    rmSync(extrasFile, { force: true });
  }
  return files;
}

function taskExtrasText(extras: TaskExtras): string {
  return pythonJsonDumps({
    about:
      "Task settings of albert-ts that KerasHub's task classes have no argument for (class " +
      "labels, masked-LM head settings of HF checkpoints). KerasHub ignores this file; " +
      "albert-ts reads it with task.json.",
    config: {
      id2label: extras.id2label,
      masked_lm_head:
        extras.masked_lm_head === undefined
          ? undefined
          : {
              layer_norm_epsilon:
                extras.masked_lm_head.layer_norm_epsilon === undefined
                  ? undefined
                  : new PythonFloat(extras.masked_lm_head.layer_norm_epsilon),
              intermediate_activation: extras.masked_lm_head.intermediate_activation,
            },
    },
  });
}
