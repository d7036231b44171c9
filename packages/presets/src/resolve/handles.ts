import { PresetError } from "../errors.js";

/** A parsed `hf://org/name[@revision]` handle. */
export interface HfHandle {
  /** `org/name` (or a bare `name`, as the hub allows). */
  repoId: string;
  /** Branch, tag or commit; `undefined` means `main`. */
  revision: string | undefined;
}

/** A parsed `kaggle://owner/model/framework/variation[/version]` handle. */
export interface KaggleHandle {
  owner: string;
  model: string;
  /** As typed in the handle (`keras`, `pyTorch`...): used for the cache path. */
  framework: string;
  variation: string;
  /** `undefined` means the latest version (as does `0`, as in kagglehub). */
  version: number | undefined;
}

/** The scheme of a handle (`kaggle`, `hf`, `file`), or `undefined` for a bare name or path. */
export function handleScheme(handle: string): string | undefined {
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(handle);
  return match?.[1]?.toLowerCase();
}

function invalid(handle: string, why: string, allowed: string): never {
  throw new PresetError(
    "invalid_handle",
    `Invalid preset handle ${JSON.stringify(handle)}: ${why}; allowed: ${allowed}`,
  );
}

/**
 * A hub repo name segment as huggingface_hub validates it, restricted to ASCII: letters,
 * digits, `_`, `-`, `.`, 1 to 96 characters, starting and ending with a letter, digit or `_`,
 * no `--` or `..`, not ending in `.git`. This also rules out every URL trick (`/`, `?`, `#`,
 * `%`, `@`, `:`, `\`, whitespace).
 */
const HF_SEGMENT = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?$/;
const HF_ALLOWED =
  "hf://<org>/<name>[@<revision>], names of letters, digits, '_', '-', '.' (at most 96, no '--' or '..')";

/** A git revision: branch, tag (`v1.0`, `refs/pr/1`) or commit, without `..` or URL syntax. */
const REVISION = /^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/;

/** Validates a revision given in a handle or as the `revision` option. */
export function checkRevision(revision: string, handle: string): string {
  if (
    typeof revision !== "string" ||
    revision.length === 0 ||
    revision.length > 255 ||
    !REVISION.test(revision) ||
    revision.split("/").some((s) => s === "." || s === "..") ||
    revision.includes("..")
  ) {
    invalid(
      handle,
      `revision ${JSON.stringify(revision)} is not a branch, tag or commit name`,
      "letters, digits, '_', '-', '.' and '/'-separated parts, no '..'",
    );
  }
  return revision;
}

/**
 * Parses `hf://org/name[@revision]`. `revisionOption` (the `revision` option) applies when
 * the handle has none; giving two different revisions is an error.
 */
export function parseHfHandle(handle: string, revisionOption?: string): HfHandle {
  const rest = handle.replace(/^hf:\/\//i, "");
  const at = rest.split("@");
  if (at.length > 2) invalid(handle, "more than one '@'", HF_ALLOWED);
  const [repoId = "", inHandle] = at;
  const segments = repoId.split("/");
  if (segments.length > 2) invalid(handle, "more than one '/' in the repository id", HF_ALLOWED);
  for (const segment of segments) {
    if (!HF_SEGMENT.test(segment) || segment.includes("--") || segment.includes("..")) {
      invalid(handle, `${JSON.stringify(segment)} is not a valid repository name part`, HF_ALLOWED);
    }
  }
  if (repoId.endsWith(".git")) invalid(handle, "repository ids cannot end in .git", HF_ALLOWED);
  if (inHandle !== undefined && revisionOption !== undefined && inHandle !== revisionOption) {
    invalid(
      handle,
      `revision '${inHandle}' in the handle differs from the revision option '${revisionOption}'`,
      "one revision",
    );
  }
  const revision = inHandle ?? revisionOption;
  return { repoId, revision: revision === undefined ? undefined : checkRevision(revision, handle) };
}

/** A Kaggle slug segment: letters, digits, `_`, `-`, `.`, starting with a letter or digit. */
const KAGGLE_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
const KAGGLE_ALLOWED =
  "kaggle://<owner>/<model>/<framework>/<variation>[/<version>], slugs of letters, digits, '_', '-', '.'";

/**
 * Parses `kaggle://owner/model/framework/variation[/version]` as kagglehub does: 4 parts
 * (latest version) or 5 (the version, a positive integer; `0` also means latest).
 */
export function parseKaggleHandle(handle: string): KaggleHandle {
  const rest = handle.replace(/^kaggle:\/\//i, "");
  const parts = rest.split("/");
  if (parts.length !== 4 && parts.length !== 5) {
    invalid(handle, `it has ${parts.length} '/'-separated parts, not 4 or 5`, KAGGLE_ALLOWED);
  }
  const [owner, model, framework, variation, versionText] = parts as [
    string,
    string,
    string,
    string,
    string?,
  ];
  for (const segment of [owner, model, framework, variation]) {
    if (!KAGGLE_SEGMENT.test(segment) || segment.includes("..")) {
      invalid(handle, `${JSON.stringify(segment)} is not a valid slug`, KAGGLE_ALLOWED);
    }
  }
  let version: number | undefined;
  if (versionText !== undefined) {
    if (!/^\d{1,9}$/.test(versionText)) {
      invalid(handle, `version ${JSON.stringify(versionText)} is not a number`, KAGGLE_ALLOWED);
    }
    version = Number(versionText) > 0 ? Number(versionText) : undefined;
  }
  return { owner, model, framework, variation, version };
}

/** The handle text for a Kaggle handle at a version. */
export function kaggleHandleText(h: KaggleHandle, version = h.version): string {
  const base = `kaggle://${h.owner}/${h.model}/${h.framework}/${h.variation}`;
  return version === undefined ? base : `${base}/${version}`;
}

/** The handle text for an HF handle. */
export function hfHandleText(h: HfHandle): string {
  return `hf://${h.repoId}${h.revision === undefined ? "" : `@${h.revision}`}`;
}

/**
 * Values of kagglesdk's `ModelFramework` enum (without the `MODEL_FRAMEWORK_` prefix) that
 * a handle's framework is matched against, ignoring underscores and case, as kagglehub's
 * `to_enum` does (`pytorch` and `pyTorch` both give `PY_TORCH`).
 */
const KAGGLE_FRAMEWORKS = [
  "TENSOR_FLOW_1",
  "TENSOR_FLOW_2",
  "TF_LITE",
  "TF_JS",
  "PY_TORCH",
  "JAX",
  "FLAX",
  "PAX",
  "MAX_TEXT",
  "GEMMA_CPP",
  "GGML",
  "GGUF",
  "CORAL",
  "SCIKIT_LEARN",
  "MXNET",
  "ONNX",
  "KERAS",
  "TRANSFORMERS",
  "API",
  "OTHER",
  "TENSOR_RT_LLM",
  "TRITON",
];

/**
 * kagglesdk's `ModelFramework` enum name for a handle's framework (`keras` →
 * `MODEL_FRAMEWORK_KERAS`, `tensorFlow2` → `MODEL_FRAMEWORK_TENSOR_FLOW_2`); frameworks not
 * in the list are sent camelCase-split into UPPER_SNAKE.
 */
export function kaggleFrameworkEnum(framework: string): string {
  const squashed = framework.replace(/[_-]/g, "").toUpperCase();
  const known = KAGGLE_FRAMEWORKS.find((f) => f.replace(/_/g, "") === squashed);
  const snake =
    known ??
    framework
      .replace(/(.)([A-Z][a-z]+)/g, "$1_$2")
      .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
      .toUpperCase();
  return `MODEL_FRAMEWORK_${snake}`;
}
