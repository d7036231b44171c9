/**
 * The Python side of the benchmark: a venv of its own (bench/.venv, gitignored) with the
 * peers installed offline from the machine's configured index (`pip install --retries 0`),
 * or an interpreter the user names with `--python`.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PACKAGE_ROOT } from "./child-process.js";

/**
 * What the venv gets: the versions the committed reference figures were measured with.
 * KerasHub is not on the offline index: its cases run only with an interpreter where
 * `import keras_hub` works (`--python`).
 */
export const PYTHON_REQUIREMENTS = [
  "torch==2.13.0",
  "transformers==5.17.0",
  "safetensors",
  "onnx",
  "numpy",
  "sentencepiece",
];

/**
 * Added with `--keras-hub-src DIR` (a KerasHub source checkout, put on PYTHONPATH): what
 * `import keras_hub` needs on TensorFlow and JAX, at the committed references' versions.
 */
export const KERAS_HUB_REQUIREMENTS = [
  "tensorflow-cpu==2.21.0",
  "keras==3.15.1",
  "jax==0.10.2",
  "jaxlib==0.10.2",
  "absl-py",
  "packaging",
  "regex",
  "rich",
];

/** Modules the harness looks for (import name → distribution names, for its version). */
export const PYTHON_MODULES: Record<string, string[]> = {
  torch: ["torch"],
  transformers: ["transformers"],
  onnx: ["onnx"],
  numpy: ["numpy"],
  sentencepiece: ["sentencepiece"],
  keras: ["keras"],
  keras_hub: ["keras-hub", "keras-hub-nightly"],
  tensorflow: ["tensorflow-cpu", "tensorflow"],
  jax: ["jax"],
};

export interface PythonEnv {
  python: string;
  /** Where it came from: the harness' venv or the user's `--python`. */
  origin: "venv" | "user";
  /** Module name → installed version (null: not found; "found" for a source folder without
   * package metadata). */
  modules: Record<string, string | null>;
  version?: string;
  /** Requirements pip could not install, with its last line of output. */
  installFailures: { requirement: string; message: string }[];
  /** Set when there is no usable Python at all. */
  error?: string;
  /** Folders prepended to PYTHONPATH for every script (`--keras-hub-src`). */
  pythonPath: string[];
}

/** The environment for a Python child: PYTHONPATH extended with `env.pythonPath`. */
export function pythonChildEnv(
  env: Pick<PythonEnv, "pythonPath">,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  if (env.pythonPath.length === 0) return { ...base };
  const existing = base["PYTHONPATH"];
  return {
    ...base,
    PYTHONPATH: [...env.pythonPath, ...(existing ? [existing] : [])].join(path.delimiter),
  };
}

export const DEFAULT_VENV_DIR = path.join(PACKAGE_ROOT, ".venv");
const STAMP = ".albert-bench-requirements.json";

function lastLine(text: string): string {
  return text.trim().split("\n").filter(Boolean).pop() ?? "";
}

function pipInstall(python: string, requirements: string[], log: (line: string) => void) {
  const run = spawnSync(
    python,
    [
      "-m",
      "pip",
      "install",
      "--retries",
      "0",
      "--disable-pip-version-check",
      "--no-input",
      ...requirements,
    ],
    { encoding: "utf8", maxBuffer: 64 << 20, env: { ...process.env, PIP_RETRIES: "0" } },
  );
  if (run.status !== 0)
    log(`  pip install ${requirements.join(" ")} failed: ${lastLine(run.stderr || run.stdout)}`);
  return { ok: run.status === 0, message: lastLine(run.stderr || run.stdout) };
}

/** Which of PYTHON_MODULES the interpreter has, without importing them (fast). */
export function probeModules(
  python: string,
  pythonPath: string[] = [],
): { version?: string; modules: Record<string, string | null> } {
  const script = [
    "import importlib.util, importlib.metadata, json, platform",
    `mods = ${JSON.stringify(PYTHON_MODULES)}`,
    "out = {}",
    "for name, dists in mods.items():",
    "    try:",
    "        found = importlib.util.find_spec(name) is not None",
    "    except Exception:",
    "        found = False",
    "    version = None",
    "    if found:",
    "        version = 'found'",
    "        for dist in dists:",
    "            try:",
    "                version = importlib.metadata.version(dist)",
    "                break",
    "            except Exception:",
    "                pass",
    "    out[name] = version",
    "print(json.dumps({'version': platform.python_version(), 'modules': out}))",
  ].join("\n");
  const run = spawnSync(python, ["-c", script], {
    encoding: "utf8",
    env: pythonChildEnv({ pythonPath }),
  });
  if (run.error !== undefined) throw run.error; // the interpreter did not start at all
  if (run.status !== 0) throw new Error(lastLine(run.stderr) || `exit ${run.status}`);
  return JSON.parse(lastLine(run.stdout)) as {
    version?: string;
    modules: Record<string, string | null>;
  };
}

/**
 * Returns a Python with the peers: the user's `python` as is, else the harness' venv, created
 * and filled on first use (and topped up when the requirements grow or an install failed).
 * `kerasHubSrc` puts a KerasHub source folder on PYTHONPATH and, in the venv, installs what
 * it needs (KERAS_HUB_REQUIREMENTS).
 */
export function ensurePythonEnv(
  options: {
    python?: string;
    venvDir?: string;
    basePython?: string;
    kerasHubSrc?: string;
    log?: (line: string) => void;
  } = {},
): PythonEnv {
  const log = options.log ?? (() => {});
  const installFailures: PythonEnv["installFailures"] = [];
  const pythonPath = options.kerasHubSrc !== undefined ? [path.resolve(options.kerasHubSrc)] : [];
  const venvDir = options.venvDir ?? DEFAULT_VENV_DIR;
  const python = options.python ?? path.join(venvDir, "bin", "python");
  const origin: PythonEnv["origin"] = options.python !== undefined ? "user" : "venv";
  const unusable = (error: string): PythonEnv => ({
    python,
    origin,
    modules: {},
    installFailures,
    pythonPath,
    error,
  });
  if (origin === "venv") {
    if (!existsSync(python)) {
      const base = options.basePython ?? process.env["PYTHON"] ?? "python3";
      log(`creating the Python venv ${venvDir} (with ${base})`);
      const made = spawnSync(base, ["-m", "venv", venvDir], { encoding: "utf8" });
      if (made.status !== 0) {
        const why = made.error?.message ?? lastLine(made.stderr);
        return unusable(`could not create a venv with ${base}: ${why}`);
      }
    }
    const requirements = [
      ...PYTHON_REQUIREMENTS,
      ...(options.kerasHubSrc !== undefined ? KERAS_HUB_REQUIREMENTS : []),
    ];
    const stampFile = path.join(venvDir, STAMP);
    const installed = existsSync(stampFile)
      ? (JSON.parse(readFileSync(stampFile, "utf8")) as string[])
      : [];
    const missing = requirements.filter((r) => !installed.includes(r));
    if (missing.length > 0) {
      log(`installing into ${venvDir} (pip, offline index): ${missing.join(" ")}`);
      const all = pipInstall(python, missing, log);
      const done = [...installed];
      if (all.ok) done.push(...missing);
      else {
        // Install what can be installed, one at a time, and report the rest.
        for (const requirement of missing) {
          const one = pipInstall(python, [requirement], log);
          if (one.ok) done.push(requirement);
          else installFailures.push({ requirement, message: one.message });
        }
      }
      writeFileSync(stampFile, JSON.stringify(done));
    }
  }
  try {
    const probe = probeModules(python, pythonPath);
    return { python, origin, installFailures, pythonPath, ...probe };
  } catch (error) {
    return unusable(`${python} does not run: ${(error as Error).message}`);
  }
}
