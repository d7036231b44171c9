#!/usr/bin/env node
// `pnpm notebooks:kernel [--python PYTHON] [--sys-prefix]`: registers this
// checkout's tslab as the "TypeScript" kernel of the Jupyter that PYTHON runs (default: the
// PYTHON variable, else python3), for JupyterLab, Jupyter Notebook and VS Code.
//
// `tslab install` alone writes a kernel spec with whatever Python it is given; with a Python
// that has no Jupyter it can leave nothing usable behind while the user believes it worked.
// So this wrapper fails loudly (exit 1, saying what to install) unless:
// 1. PYTHON runs and has Jupyter (`jupyter_client`) and IPython (tslab's installer needs both);
// 2. `tslab install` exits 0;
// 3. that Jupyter then finds a `tslab` kernel whose command is this checkout's tslab.

/* global process, console */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const NOTEBOOKS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const IS_WINDOWS = process.platform === "win32";
const TSLAB = path.join(NOTEBOOKS_DIR, "node_modules", ".bin", IS_WINDOWS ? "tslab.cmd" : "tslab");

/** Prints the versions of what tslab's installer imports, as JSON (null where missing). */
const PROBE = `
import json, sys
found = {"executable": sys.executable}
for name in ("jupyter_client", "IPython"):
    try:
        found[name] = __import__(name).__version__
    except Exception:
        found[name] = None
print(json.dumps(found))
`;

/** Where that Python's Jupyter finds the `tslab` kernel, and its command, as JSON. */
const FIND_KERNEL = `
import json
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
try:
    spec = KernelSpecManager().get_kernel_spec("tslab")
    print(json.dumps({"dir": spec.resource_dir, "argv": spec.argv}))
except NoSuchKernel:
    print(json.dumps(None))
`;

const USAGE = "usage: pnpm notebooks:kernel [--python PYTHON] [--sys-prefix]";

function fail(message) {
  console.error(`notebooks:kernel: ${message}`);
  process.exit(1);
}

function parseArgs(argv) {
  const options = {
    python: process.env.PYTHON ?? (IS_WINDOWS ? "python" : "python3"),
    target: ["--user"],
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) fail(`${arg} needs a value\n${USAGE}`);
      return next;
    };
    if (arg === "--python") options.python = value();
    else if (arg.startsWith("--python=")) options.python = arg.slice("--python=".length);
    else if (arg === "--sys-prefix") options.target = ["--sys-prefix"];
    else if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else fail(`unknown argument ${JSON.stringify(arg)}\n${USAGE}`);
  }
  return options;
}

/** The Python as named, and where it resolved when that says more. */
function describePython(python, executable) {
  return path.resolve(python) === executable ? python : `${python} (${executable})`;
}

/** Runs PYTHON -c CODE and parses the JSON it prints; fails with the reason otherwise. */
function pythonJson(python, code, what) {
  const result = spawnSync(python, ["-c", code], { encoding: "utf8" });
  if (result.error)
    fail(
      `cannot run ${python} (${result.error.message}): name the Python your Jupyter runs in with --python`,
    );
  if (result.status !== 0)
    fail(`${python} failed while ${what}: ${(result.stderr || result.stdout).trim()}`);
  return JSON.parse(result.stdout.trim().split("\n").at(-1));
}

const options = parseArgs(process.argv.slice(2));
const { python } = options;
if (!existsSync(TSLAB)) fail(`${TSLAB} is missing: run \`pnpm install\` first`);

const found = pythonJson(python, PROBE, "looking for Jupyter");
if (found.jupyter_client === null) {
  fail(
    `${describePython(python, found.executable)} has no Jupyter: jupyter_client is not importable, so no ` +
      "Jupyter would find the kernel. Install Jupyter into it " +
      `(\`${python} -m pip install jupyterlab\`), or name the Python your Jupyter runs in with --python.`,
  );
}
if (found.IPython === null) {
  fail(
    `${describePython(python, found.executable)} has jupyter_client ${found.jupyter_client} but not IPython, ` +
      `which tslab's installer needs: \`${python} -m pip install ipykernel\` (JupyterLab brings it).`,
  );
}

const install = spawnSync(
  TSLAB,
  ["install", `--python=${python}`, `--binary=${TSLAB}`, ...options.target],
  { stdio: "inherit", shell: IS_WINDOWS },
);
if (install.error) fail(`cannot run ${TSLAB}: ${install.error.message}`);
if (install.status !== 0)
  fail(
    `tslab install failed (${install.status === null ? `signal ${install.signal}` : `exit status ${install.status}`})`,
  );

const kernel = pythonJson(python, FIND_KERNEL, "looking up the installed kernel");
if (kernel === null)
  fail(`tslab install reported success, but the Jupyter of ${python} finds no "tslab" kernel`);
if (kernel.argv[0] !== TSLAB) {
  fail(
    `the Jupyter of ${python} finds a "tslab" kernel in ${kernel.dir} that runs ${kernel.argv[0]}, ` +
      `not ${TSLAB}: an earlier registration takes precedence; remove it ` +
      `(\`jupyter kernelspec remove tslab\`) and run this again`,
  );
}
console.log(
  `Registered the "tslab" kernel (shown as "TypeScript") in ${kernel.dir}, running ${TSLAB}.\n` +
    "JupyterLab: `jupyter lab notebooks/`, then Kernel > Change Kernel > TypeScript.\n" +
    "VS Code (Jupyter extension): open a notebook, then Select Kernel > Jupyter Kernel... > TypeScript.",
);
