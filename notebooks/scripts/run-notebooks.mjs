#!/usr/bin/env node
// `pnpm notebooks [NAME...] [--update] [--skip-build] [--timeout SECONDS]`: executes the
// notebooks in notebooks/ headlessly with the project's own tslab kernel, checks what they
// produced, and checks that the outputs committed in notebooks/*.ipynb are those of this run
// (`--update` writes them there instead).
//
// 1. A Python venv in notebooks/.venv with nbclient and IPython (pip, `--retries 0`), made
//    once; `pnpm notebooks:kernel` registers the kernel with it in a temporary folder, as a
//    check of the way users register it.
// 2. The workspace packages the notebooks import are built (turbo, cached), and their public
//    declarations are checked with tslab's own TypeScript 5.0.
// 3. Each notebook runs with JUPYTER_PATH=<repo>/jupyter (the committed kernel spec; the
//    user's Jupyter is neither read for kernels nor written), notebooks/node_modules/.bin on
//    PATH, the notebook folder as working directory, and ALBERT_OFFLINE=1.
// 4. The executed copy goes to notebooks/build/NAME.ipynb. A notebook fails on a cell error
//    (type errors included), on `UncaughtException`/`UnhandledPromiseRejection` text in any
//    output, on a cell that did not run, or when it shows fewer rich outputs than its
//    metadata `albert.requiredOutputs` asks for (every notebook: at least one text/html).
// 5. The executed copy, normalized (notebook-outputs.mjs: no timestamps, versions or random
//    ids; volatile cells masked), must equal the committed notebook: the notebooks are
//    committed executed so that GitHub shows their outputs. A difference fails the run,
//    naming the notebook and cell; `--update` writes the normalized copies to notebooks/.
//
// Exit status 0 only when every notebook passed.

/* global process, console */
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isolatedJupyterEnv } from "./jupyter-home.mjs";
import { compareNotebooks, normalizeNotebook, serializeNotebook } from "./notebook-outputs.mjs";

const NOTEBOOKS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const REPO = path.dirname(NOTEBOOKS_DIR);
const VENV = path.join(NOTEBOOKS_DIR, ".venv");
const BUILD = path.join(NOTEBOOKS_DIR, "build");
const JUPYTER_PATH = path.join(REPO, "jupyter");
const KERNEL_DIR = path.join(JUPYTER_PATH, "kernels", "tslab");
const REQUIREMENTS = path.join(NOTEBOOKS_DIR, "scripts", "requirements.txt");
const EXECUTE = path.join(NOTEBOOKS_DIR, "scripts", "execute_notebook.py");
const INSTALL_KERNEL = path.join(NOTEBOOKS_DIR, "scripts", "install-kernel.mjs");
const IS_WINDOWS = process.platform === "win32";
const VENV_PYTHON = path.join(VENV, IS_WINDOWS ? "Scripts/python.exe" : "bin/python");

/** Text in any output that fails a notebook: errors tslab reports outside the cell's result. */
const FATAL_OUTPUT = /UncaughtException|UnhandledPromiseRejection/;
/** How tslab reports a type error: `LINE:COLUMN - message` on stderr. */
const TYPE_ERROR = /^\d+:\d+ - /m;

function parseArgs(argv) {
  const options = { names: [], build: true, timeout: 180, update: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--skip-build") options.build = false;
    else if (arg === "--update") options.update = true;
    else if (arg === "--timeout") options.timeout = Number(argv[++i]);
    else if (arg === "--help" || arg === "-h") {
      console.log(
        "usage: pnpm notebooks [NAME...] [--update] [--skip-build] [--timeout SECONDS_PER_CELL]",
      );
      process.exit(0);
    } else options.names.push(arg.replace(/\.ipynb$/, ""));
  }
  if (!(options.timeout > 0)) fail(`--timeout must be a positive number of seconds`);
  return options;
}

function fail(message) {
  console.error(`notebooks: ${message}`);
  process.exit(1);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: "inherit", ...options });
  if (result.error) fail(`${command} could not start: ${result.error.message}`);
  return result.status ?? 1;
}

function step(title) {
  console.log(`\n::: ${title}`);
}

/** The venv with nbclient; reinstalled when requirements.txt changes. */
function ensureVenv() {
  const wanted = readFileSync(REQUIREMENTS, "utf8");
  const marker = path.join(VENV, ".requirements.txt");
  if (existsSync(VENV_PYTHON) && existsSync(marker) && readFileSync(marker, "utf8") === wanted) {
    console.log(`venv ready: ${path.relative(REPO, VENV)}`);
    return;
  }
  const python = process.env.PYTHON ?? (IS_WINDOWS ? "python" : "python3");
  if (!existsSync(VENV_PYTHON)) {
    console.log(`creating ${path.relative(REPO, VENV)} with ${python}`);
    if (run(python, ["-m", "venv", VENV]) !== 0)
      fail(`${python} -m venv failed (set PYTHON to a Python 3.9+)`);
  }
  // --retries 0: without network, pip otherwise waits minutes on the default index.
  const pip = [
    "-m",
    "pip",
    "install",
    "--retries",
    "0",
    "--disable-pip-version-check",
    "--quiet",
    "-r",
    REQUIREMENTS,
  ];
  if (run(VENV_PYTHON, pip) !== 0) fail("pip could not install notebooks/scripts/requirements.txt");
  writeFileSync(marker, wanted);
}

/**
 * Runs `install-kernel.mjs` (`pnpm notebooks:kernel`) with the venv's Python, which has Jupyter
 * and IPython, into a temporary Jupyter data folder: the way the README tells users to
 * register the kernel works with the pinned tslab. The user's own Jupyter is not touched.
 */
function checkKernelRegistration() {
  const home = mkdtempSync(path.join(BUILD, "kernel-home-"));
  try {
    const status = run(process.execPath, [INSTALL_KERNEL, "--python", VENV_PYTHON], {
      env: isolatedJupyterEnv(home),
    });
    if (status !== 0) fail("registering the kernel with notebooks/.venv's Jupyter failed");
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** Builds the workspace packages the notebooks import (turbo caches unchanged ones). */
function buildPackages() {
  const turbo = path.join(REPO, "node_modules", ".bin", IS_WINDOWS ? "turbo.cmd" : "turbo");
  const status = run(
    turbo,
    ["run", "build", "--filter=@albert/notebooks...", "--output-logs=errors-only"],
    {
      cwd: REPO,
      shell: IS_WINDOWS,
    },
  );
  if (status !== 0) fail("building the packages failed");
}

/** Every workspace package the notebooks depend on must have built `main` and `types` files:
 * tslab loads packages with `require` and reads types from the top-level `types` field. */
function checkPackagesBuilt() {
  const manifest = JSON.parse(readFileSync(path.join(NOTEBOOKS_DIR, "package.json"), "utf8"));
  const names = Object.keys(manifest.dependencies ?? {}).filter((name) =>
    name.startsWith("@albert/"),
  );
  const require = createRequire(path.join(NOTEBOOKS_DIR, "package.json"));
  for (const name of names) {
    const dir = path.dirname(require.resolve(`${name}/package.json`));
    const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
    for (const field of ["main", "types"]) {
      if (!pkg[field]) fail(`${name} has no top-level "${field}" (tslab needs it)`);
      if (!existsSync(path.join(dir, pkg[field])))
        fail(`${name}: ${pkg[field]} is missing; build the packages first`);
    }
  }
  return names;
}

/**
 * Reads the packages' public declarations with the TypeScript tslab type-checks notebooks
 * with (5.0), resolving modules as tslab does (Node10: `types`, no `exports`). Any error in
 * the packages' own declarations fails the run (syntax newer than 5.0, or types 5.0's library
 * lacks, which tslab would silently turn into `any`), except third-party subpath imports that
 * only an `exports` map resolves, which are warnings.
 */
function checkDeclarations(names) {
  const fromNotebooks = createRequire(path.join(NOTEBOOKS_DIR, "package.json"));
  const fromTslab = createRequire(fromNotebooks.resolve("tslab/package.json"));
  const ts = fromTslab("@tslab/typescript-for-tslab");
  const entry = path.join(NOTEBOOKS_DIR, "__declarations_check__.ts");
  const source = names
    .map((name, i) => `import * as m${i} from "${name}";\nexport { m${i} };`)
    .join("\n");
  const options = {
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    target: ts.ScriptTarget.ES2022,
    lib: ["lib.es2022.d.ts"],
    types: ["node"],
    noEmit: true,
    strict: true,
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (file) => (path.resolve(file) === entry ? source : readFile(file));
  host.fileExists = (file) => path.resolve(file) === entry || fileExists(file);
  const program = ts.createProgram([entry], options, host);
  const ours = (file) => {
    const real = path.resolve(file);
    return (
      !real.includes(`${path.sep}node_modules${path.sep}.pnpm${path.sep}`) &&
      real.startsWith(path.join(REPO, "packages"))
    );
  };
  const describe = (d) => {
    const where = d.file
      ? `${path.relative(REPO, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}`
      : "";
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
  };
  const files = program
    .getSourceFiles()
    .filter((f) => ours(f.fileName) || path.resolve(f.fileName) === entry);
  // A third-party subpath (`pkg/sub`) that only an `exports` map resolves is invisible to
  // Node10 resolution: its types become `any` in notebooks, which is worth a warning only.
  const unresolvedPackage = (d) =>
    d.code === 2307 &&
    /^Cannot find module '[^.]/.test(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  const semantic = files.flatMap((f) => program.getSemanticDiagnostics(f));
  const errors = [
    ...files.flatMap((f) => program.getSyntacticDiagnostics(f)),
    ...semantic.filter((d) => !unresolvedPackage(d)),
  ];
  for (const d of semantic.filter(unresolvedPackage))
    console.log(`warning (TypeScript ${ts.version}): ${describe(d)}`);
  if (errors.length > 0) {
    for (const d of errors) console.error(`error (TypeScript ${ts.version}): ${describe(d)}`);
    fail(`TypeScript ${ts.version} (tslab's) cannot read these declarations`);
  }
  console.log(
    `declarations of ${names.join(", ")}: readable by TypeScript ${ts.version} (${files.length - 1} files)`,
  );
}

function listNotebooks(names) {
  const all = readdirSync(NOTEBOOKS_DIR)
    .filter((f) => f.endsWith(".ipynb"))
    .sort();
  if (names.length === 0) return all;
  const picked = names.flatMap((name) => {
    const matches = all.filter((f) => f === `${name}.ipynb` || f.startsWith(name));
    if (matches.length === 0)
      fail(`no notebook matches ${JSON.stringify(name)} (have: ${all.join(", ")})`);
    return matches;
  });
  return [...new Set(picked)];
}

function outputText(output) {
  const text = output.text ?? output.data?.["text/plain"] ?? "";
  return Array.isArray(text) ? text.join("") : String(text);
}

/** What is wrong with an executed notebook, as messages (empty: it passed). */
function checkExecuted(file) {
  const nb = JSON.parse(readFileSync(file, "utf8"));
  const problems = [];
  const counts = {};
  nb.cells.forEach((cell, index) => {
    if (cell.cell_type !== "code") return;
    const label = `cell ${index} (${String(
      Array.isArray(cell.source) ? cell.source.join("") : cell.source,
    )
      .split("\n")[0]
      .slice(0, 60)})`;
    if (!cell.metadata?.execution?.["iopub.status.idle"]) problems.push(`${label} did not run`);
    for (const output of cell.outputs ?? []) {
      if (output.output_type === "error")
        problems.push(`${label}: ${output.ename}: ${output.evalue}`);
      const text = outputText(output);
      if (FATAL_OUTPUT.test(text)) problems.push(`${label}: ${text.trim().split("\n")[0]}`);
      else if (output.name === "stderr" && TYPE_ERROR.test(text))
        problems.push(`${label}: type error ${text.trim().split("\n")[0]}`);
      else if (output.output_type === "stream" && output.name === "stderr") {
        console.log(`  warning: ${label} wrote to stderr: ${text.trim().split("\n")[0]}`);
      }
      for (const mime of Object.keys(output.data ?? {})) counts[mime] = (counts[mime] ?? 0) + 1;
    }
  });
  // Output that arrived while no cell of its own ran (see execute_notebook.py).
  for (const late of nb.metadata?.albert?.lateOutputs ?? []) {
    const where =
      typeof late.while_cell === "number" ? `while cell ${late.while_cell} ran` : late.while_cell;
    const text = String(late.text ?? "").trim();
    if (FATAL_OUTPUT.test(text)) problems.push(`late output ${where}: ${text.split("\n")[0]}`);
    else if (text)
      console.log(`  warning: late ${late.name} output ${where}: ${text.split("\n")[0]}`);
  }
  const required = { "text/html": 1, ...(nb.metadata?.albert?.requiredOutputs ?? {}) };
  for (const [mime, count] of Object.entries(required)) {
    if ((counts[mime] ?? 0) < count)
      problems.push(`expected at least ${count} ${mime} output(s), got ${counts[mime] ?? 0}`);
  }
  return { problems, counts };
}

function executeNotebook(name, timeout) {
  const input = path.join(NOTEBOOKS_DIR, name);
  const output = path.join(BUILD, name);
  const env = {
    ...process.env,
    JUPYTER_PATH,
    JUPYTER_RUNTIME_DIR: path.join(BUILD, ".jupyter-runtime"),
    JUPYTER_PLATFORM_DIRS: "1",
    PATH: [
      path.join(NOTEBOOKS_DIR, "node_modules", ".bin"),
      path.join(REPO, "node_modules", ".bin"),
      process.env.PATH,
    ]
      .filter(Boolean)
      .join(path.delimiter),
    ALBERT_OFFLINE: "1",
  };
  const start = Date.now();
  const status = run(
    VENV_PYTHON,
    [
      EXECUTE,
      input,
      output,
      "--cwd",
      NOTEBOOKS_DIR,
      "--kernel-dir",
      KERNEL_DIR,
      "--timeout",
      String(timeout),
    ],
    { env, cwd: NOTEBOOKS_DIR },
  );
  const seconds = (Date.now() - start) / 1000;
  if (status === 2 || !existsSync(output))
    return { name, seconds, problems: ["the kernel could not run (see above)"], counts: {} };
  const checked = checkExecuted(output);
  if (status !== 0)
    checked.problems.unshift("execution stopped at a failing cell (its error is printed above)");
  return { name, seconds, output, ...checked };
}

/**
 * The committed notebook against its fresh run: with `update`, writes the normalized run over
 * it (only after the run passed its checks); otherwise reports every cell that differs.
 */
function checkCommitted(result, update) {
  const committedFile = path.join(NOTEBOOKS_DIR, result.name);
  const fresh = JSON.parse(readFileSync(result.output, "utf8"));
  const committedText = readFileSync(committedFile, "utf8");
  const stale = compareNotebooks(JSON.parse(committedText), fresh);
  if (update) {
    // A current notebook in the committed layout stays as it is, so that a rerun on another
    // machine (last digits rounded the other way) gives no diff.
    const layoutKept =
      serializeNotebook(normalizeNotebook(JSON.parse(committedText))) === committedText;
    if (stale.length === 0 && layoutKept) return "current";
    writeFileSync(committedFile, serializeNotebook(normalizeNotebook(fresh)));
    return "updated";
  }
  result.problems.push(
    ...stale.map((problem) => `the committed outputs are not this run's: ${problem}`),
  );
  return stale.length === 0 ? "current" : "stale";
}

const options = parseArgs(process.argv.slice(2));
const notebooks = listNotebooks(options.names);
mkdirSync(BUILD, { recursive: true });

step("python venv with nbclient");
ensureVenv();
step("kernel registration, as `pnpm notebooks:kernel` does it for users");
checkKernelRegistration();
step(options.build ? "build the packages" : "check the packages are built (--skip-build)");
if (options.build) buildPackages();
const names = checkPackagesBuilt();
step("declarations, as tslab's TypeScript reads them");
checkDeclarations(names);

const results = [];
for (const name of notebooks) {
  step(`execute ${name}`);
  const result = executeNotebook(name, options.timeout);
  results.push(result);
  if (result.problems.length === 0) result.committed = checkCommitted(result, options.update);
  const mimes = Object.entries(result.counts)
    .map(([mime, n]) => `${n} ${mime}`)
    .join(", ");
  if (result.problems.length === 0)
    console.log(
      `ok ${name} (${result.seconds.toFixed(1)} s; ${mimes}; outputs ${result.committed})`,
    );
  else for (const problem of result.problems) console.error(`FAILED ${name}: ${problem}`);
}

step("summary");
for (const r of results) {
  console.log(
    `${r.problems.length === 0 ? "ok    " : "FAILED"} ${r.name.padEnd(36)} ${r.seconds.toFixed(1).padStart(6)} s`,
  );
}
console.log(`executed copies: ${path.relative(process.cwd(), BUILD) || "."}`);
const failed = results.filter((r) => r.problems.length > 0).length;
if (results.some((r) => r.committed === "stale"))
  console.error(
    "The committed notebooks do not hold this run's outputs: run `pnpm notebooks --update`, check the diff, and commit notebooks/*.ipynb.",
  );
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
