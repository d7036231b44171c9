#!/usr/bin/env node
/**
 * `pnpm check:install`: a new user's install, from this repository's packed packages, with
 * plain npm, in a fresh project outside the workspace, run as the README says.
 *
 * 1. `pnpm pack`s every public package (which rewrites `workspace:` ranges as publishing does)
 *    and serves the tarballs from a small registry on 127.0.0.1 for the `@albert` scope only
 *    (`npm_config_@albert:registry`); every other package comes from npm's own registry.
 * 2. Runs the shell block of the README's "Install" section, command by command, in a fresh
 *    npm project under the OS temp folder, as a fresh user: HOME is a new folder (so
 *    ALBERT_HOME defaults to HOME/.cache/albert, empty), npm keeps its cache and user config,
 *    and the TensorFlow libraries already provisioned on this machine are hard-linked into the
 *    new ALBERT_HOME's cache so that `npx albert-provision` skips the 274 MB wheel (everything
 *    else it does for real: installs tfjs-node from the npm registry, builds its addon).
 * 3. Checks around those commands: after `npm install`, no tfjs-node in node_modules, and a
 *    forward pass (tokenizer, preprocessor, `fromPreset`, `predict`) runs on WebAssembly with
 *    one warning naming `npx albert-provision`; after `npx albert-provision`, the same forward
 *    pass runs on native TensorFlow ("tensorflow") loaded from ALBERT_HOME, with no warning;
 *    after `npm ci` (node_modules deleted and reinstalled), still natively; the global CLI's
 *    `albert doctor` reports native TensorFlow.
 * 4. Prints what each step took and the sizes: the project's node_modules, the global CLI,
 *    and ALBERT_HOME's native folder and TensorFlow libraries.
 *
 * Exits 1 on the first failure, with the command's output.
 */
/* global process, console, setTimeout, clearTimeout */
import { spawn, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { homedir, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PNPM = path.join(ROOT, "node_modules", ".bin", "pnpm");
const TINY_PRESET = path.join(ROOT, "testdata", "tokenizer");
const started = Date.now();
const timings = [];

// === Helpers ===

/** Stops the run; the temporary folder is removed on the way out. */
function fail(message) {
  throw new Error(message);
}

/** Runs a command without blocking the event loop (the registry below answers npm meanwhile). */
function run(command, args, { cwd, env, allowFailure = false, timeoutMs = 600_000 }) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code !== 0 && !allowFailure) {
        reject(new Error(`${command} ${args.join(" ")} exited ${code}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
      } else {
        resolve({ code, stdout, stderr });
      }
    });
  });
}

async function timed(label, fn) {
  const start = Date.now();
  const value = await fn();
  const seconds = (Date.now() - start) / 1000;
  timings.push([label, seconds]);
  console.log(`packed-install: ${label} (${seconds.toFixed(1)} s)`);
  return value;
}

/** Disk use of folders, counting each hard-linked file once (as `du` does in one call). */
function megabytes(...dirs) {
  const out = execFileSync("du", ["-sck", ...dirs], { encoding: "utf8" });
  return Math.round(Number(out.trim().split("\n").at(-1).split("\t")[0]) / 1024);
}

// === 1. Pack and serve the @albert scope ===

function publicPackages() {
  const dir = path.join(ROOT, "packages");
  return readdirSync(dir)
    .map((name) => path.join(dir, name))
    .filter((p) => existsSync(path.join(p, "package.json")))
    .filter((p) => !JSON.parse(readFileSync(path.join(p, "package.json"), "utf8")).private);
}

async function pack(work) {
  const tarballs = path.join(work, "tarballs");
  mkdirSync(tarballs, { recursive: true });
  const packages = new Map();
  for (const dir of publicPackages()) {
    await run(PNPM, ["pack", "--pack-destination", tarballs], { cwd: dir, env: process.env });
  }
  for (const file of readdirSync(tarballs).filter((f) => f.endsWith(".tgz"))) {
    const archive = path.join(tarballs, file);
    const manifest = JSON.parse(execFileSync("tar", ["-xzOf", archive, "package/package.json"], { encoding: "utf8" }));
    const bytes = readFileSync(archive);
    packages.set(manifest.name, {
      manifest,
      file,
      bytes,
      shasum: createHash("sha1").update(bytes).digest("hex"),
      integrity: `sha512-${createHash("sha512").update(bytes).digest("base64")}`,
    });
  }
  return packages;
}

/** A registry for the @albert scope: one version of each package, its packument and tarball. */
function serve(packages) {
  const server = createServer((req, res) => {
    const url = decodeURIComponent(req.url ?? "/");
    const tarball = [...packages.values()].find((p) => url === `/tarballs/${p.file}`);
    if (tarball !== undefined) {
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": tarball.bytes.length });
      res.end(tarball.bytes);
      return;
    }
    const pkg = packages.get(url.slice(1));
    if (pkg === undefined) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "not found" }));
      return;
    }
    const { port } = server.address();
    const { version } = pkg.manifest;
    const body = {
      name: pkg.manifest.name,
      "dist-tags": { latest: version },
      versions: {
        [version]: {
          ...pkg.manifest,
          _id: `${pkg.manifest.name}@${version}`,
          dist: { tarball: `http://127.0.0.1:${port}/tarballs/${pkg.file}`, shasum: pkg.shasum, integrity: pkg.integrity },
        },
      },
    };
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

// === 2. The README's install commands ===

/** The commands of the first ```sh block in the README's "## Install" section. */
function readmeInstallCommands() {
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
  const section = readme.split(/^## /m).find((s) => s.startsWith("Install\n"));
  if (section === undefined) fail('README.md has no "## Install" section');
  const block = /```sh\n([\s\S]*?)```/.exec(section);
  if (block === null) fail("README.md's Install section has no ```sh block");
  return block[1]
    .split("\n")
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter((line) => line !== "");
}

// === 3. Checks ===

/** A user's first program: tokenizer, preprocessor and a backbone from a preset, one forward pass. */
const FORWARD_PASS = `
import { AlbertBackbone, diagnoseBackends, tf } from "@albert/core";
import { AlbertPreprocessor, AlbertTokenizer } from "@albert/tokenizer";
const preset = process.argv[2];
const tokenizer = await AlbertTokenizer.fromPreset(preset);
const preprocessor = new AlbertPreprocessor({ tokenizer, sequenceLength: 16 });
const inputs = preprocessor.call(["The quick brown fox.", "A fast auburn fox."]);
const backbone = await AlbertBackbone.fromPreset(preset);
const { sequenceOutput, pooledOutput } = backbone.predict(inputs);
const pooled = await pooledOutput.array();
tf.dispose([sequenceOutput, pooledOutput]);
const native = diagnoseBackends().backends.find((b) => b.name === "tensorflow");
console.log(JSON.stringify({
  backend: tf.getBackend(),
  shape: sequenceOutput.shape,
  finite: pooled.flat().every(Number.isFinite),
  nativeDir: native.nativePackage?.dir ?? null,
}));
`;

/** `@albert/pipelines` added to the project: fill-mask on the tiny HF checkpoint of testdata. */
const PIPELINE_PASS = `
import { pipeline } from "@albert/pipelines";
const fill = await pipeline("fill-mask", process.argv[2]);
const result = await fill("the license [MASK] applies.", { topK: 2 });
fill.dispose();
console.log(JSON.stringify(result));
`;

async function pipelinePass(project, env) {
  writeFileSync(path.join(project, "pipeline-pass.mjs"), PIPELINE_PASS);
  await run("npm", ["install", "@albert/pipelines"], { cwd: project, env });
  const result = await run(process.execPath, ["pipeline-pass.mjs", path.join(ROOT, "testdata", "tasks", "hf", "masked_lm")], { cwd: project, env });
  let candidates;
  try {
    candidates = JSON.parse(result.stdout.trim().split("\n").at(-1));
  } catch {
    fail(`the pipeline printed no result:\n${result.stdout}\n${result.stderr}`);
  }
  if (!Array.isArray(candidates) || candidates.length !== 2 || !candidates.every((c) => typeof c.token_str === "string" && c.score > 0)) {
    fail(`the fill-mask pipeline gave ${JSON.stringify(candidates)}`);
  }
}

async function forwardPass(project, env, expected) {
  const result = await run(process.execPath, ["forward-pass.mjs", TINY_PRESET], { cwd: project, env });
  let report;
  try {
    report = JSON.parse(result.stdout.trim().split("\n").at(-1));
  } catch {
    fail(`the forward pass printed no report:\n${result.stdout}\n${result.stderr}`);
  }
  if (report.backend !== expected.backend) {
    fail(`the forward pass ran on ${report.backend}, expected ${expected.backend}\n${result.stderr}`);
  }
  if (report.shape.length !== 3 || report.shape[0] !== 2 || !report.finite) {
    fail(`the forward pass gave ${JSON.stringify(report)}`);
  }
  const warnings = result.stderr.split("\n").filter((l) => l.startsWith("albert: native TensorFlow is unavailable"));
  if (warnings.length !== expected.warnings) {
    fail(`expected ${expected.warnings} fallback warning(s) on stderr, got:\n${result.stderr}`);
  }
  if (expected.warnings > 0 && !result.stderr.includes("npx albert-provision")) {
    fail(`the fallback warning does not say to run npx albert-provision:\n${result.stderr}`);
  }
  if (expected.nativeUnder !== undefined && !String(report.nativeDir).startsWith(expected.nativeUnder)) {
    fail(`native TensorFlow loaded from ${report.nativeDir}, expected under ${expected.nativeUnder}`);
  }
  return report;
}

/** The global CLI's `albert doctor` sees the native TensorFlow that provisioning set up. */
function doctorReportsNative(result) {
  if (!/^tensorflow\s+yes/m.test(result.stdout) || !/auto picks: tensorflow/.test(result.stdout)) {
    fail(`albert doctor does not report native TensorFlow:\n${result.stdout}\n${result.stderr}`);
  }
}

// === Main ===

const work = mkdtempSync(path.join(tmpdir(), "albert-packed-install-"));
let server;
try {
  const packages = await timed("pack the public packages", () => pack(work));
  server = await serve(packages);
  const registry = `http://127.0.0.1:${server.address().port}/`;

  // A fresh user: an empty HOME, npm's cache and user config kept (offline-friendly, fast).
  const home = path.join(work, "home");
  const albertHome = path.join(home, ".cache", "albert");
  const project = path.join(work, "my-app");
  const prefix = path.join(work, "global");
  for (const dir of [home, project, prefix]) mkdirSync(dir, { recursive: true });
  const npmCache = execFileSync("npm", ["config", "get", "cache"], { encoding: "utf8" }).trim();
  const npmUserConfig = execFileSync("npm", ["config", "get", "userconfig"], { encoding: "utf8" }).trim();
  const { ALBERT_HOME: machineHome, ALBERT_QUIET: _quiet, ...inherited } = process.env;
  const env = {
    ...inherited,
    HOME: home,
    npm_config_cache: npmCache,
    npm_config_userconfig: npmUserConfig,
    npm_config_prefix: prefix,
    "npm_config_@albert:registry": registry,
    PATH: `${path.join(prefix, "bin")}${path.delimiter}${process.env.PATH}`,
  };
  // The prefix setting is for `npm install -g`; the project's own commands must not see it.
  const projectEnv = { ...env };
  delete projectEnv.npm_config_prefix;

  const seed = path.join(machineHome ?? path.join(homedir(), ".cache", "albert"), "libtensorflow");
  if (existsSync(seed)) {
    mkdirSync(albertHome, { recursive: true });
    try {
      execFileSync("cp", ["-al", seed, path.join(albertHome, "libtensorflow")]);
    } catch {
      cpSync(seed, path.join(albertHome, "libtensorflow"), { recursive: true });
    }
    console.log(`packed-install: TensorFlow libraries from ${seed} (hard links)`);
  }

  await run("npm", ["init", "-y"], { cwd: project, env: projectEnv });
  const manifestPath = path.join(project, "package.json");
  writeFileSync(manifestPath, JSON.stringify({ ...JSON.parse(readFileSync(manifestPath, "utf8")), type: "module" }, null, 2));
  writeFileSync(path.join(project, "forward-pass.mjs"), FORWARD_PASS);

  const commands = readmeInstallCommands();
  console.log(`packed-install: the README's install commands:\n${commands.map((c) => `  ${c}`).join("\n")}`);
  const sizes = {};
  const ran = new Set();
  for (const command of commands) {
    const [program, ...args] = command.split(/\s+/);
    const global = args.includes("-g");
    const result = await timed(command, () => run(program, args, { cwd: global ? work : project, env: global ? env : projectEnv }));

    if (program === "npm" && args[0] === "install" && !global) {
      for (const absent of ["@tensorflow/tfjs-node", "@tensorflow/tfjs"]) {
        if (existsSync(path.join(project, "node_modules", absent))) fail(`npm install brought ${absent} into node_modules`);
      }
      sizes.nodeModules = megabytes(path.join(project, "node_modules"));
      await timed("forward pass before provisioning: WebAssembly, one warning", () =>
        forwardPass(project, projectEnv, { backend: "wasm", warnings: 1 }),
      );
    }
    if (command === "npx albert-provision") {
      await timed("forward pass after provisioning: native TensorFlow from ALBERT_HOME", () =>
        forwardPass(project, projectEnv, { backend: "tensorflow", warnings: 0, nativeUnder: path.join(albertHome, "native") }),
      );
    }
    if (global) sizes.globalCli = megabytes(prefix);
    if (program === "albert" && args[0] === "doctor") doctorReportsNative(result);
    ran.add(program === "albert" ? `albert ${args[0]}` : command);
  }
  for (const needed of ["npx albert-provision", "albert doctor"]) {
    if (!ran.has(needed)) fail(`the README's install commands do not include ${needed}`);
  }

  await timed("npm ci", () => run("npm", ["ci"], { cwd: project, env: projectEnv }));
  await timed("forward pass after npm ci: still native", () =>
    forwardPass(project, projectEnv, { backend: "tensorflow", warnings: 0, nativeUnder: path.join(albertHome, "native") }),
  );
  await timed("npm install @albert/pipelines and a fill-mask pipeline", () => pipelinePass(project, projectEnv));


  const native = path.join(albertHome, "native");
  const libraries = path.join(albertHome, "libtensorflow");
  sizes.albertHome = megabytes(native, libraries);
  sizes.nativeWithoutLibraries = megabytes(libraries, native) - megabytes(libraries);
  sizes.libraries = megabytes(libraries);
  console.log(
    [
      "",
      "packed-install: sizes (MB, hard links counted once)",
      `  project node_modules after npm install @albert/core @albert/tokenizer: ${sizes.nodeModules}`,
      `  global prefix after npm install -g @albert/cli:                          ${sizes.globalCli ?? "-"}`,
      `  ALBERT_HOME/native (tfjs-node and its dependencies, pruned):             ${sizes.nativeWithoutLibraries}`,
      `  ALBERT_HOME/libtensorflow (TensorFlow's C library, stripped):            ${sizes.libraries}`,
      `  ALBERT_HOME in all (the native folder links the libraries):              ${sizes.albertHome}`,
      "",
      `packed-install: ok in ${((Date.now() - started) / 1000).toFixed(0)} s (${timings.map(([l, s]) => `${l.split(":")[0]} ${s.toFixed(0)} s`).join("; ")})`,
    ].join("\n"),
  );
} catch (error) {
  console.error(`packed-install: FAILED: ${error.message}`);
  process.exitCode = 1;
} finally {
  server?.close();
  if (process.env.ALBERT_KEEP_PACKED_INSTALL) console.log(`packed-install: kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
