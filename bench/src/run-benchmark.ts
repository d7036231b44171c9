/**
 * The benchmark: prepares the weights once, then runs every case in its own fresh process
 * (our backends and the peers, case by case), the preset load time, the matmul ceiling and
 * the tokenizer benchmark, and collects the results. The main process never loads TF.js.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import {
  CPU_MAX_TOKENS,
  forwardFlops,
  iterationPlan,
  median,
  shapeLabel,
  timingArgs,
  type Shape,
} from "./cases.js";
import {
  caseStatus,
  PACKAGE_ROOT,
  runChild,
  runWorker,
  type ChildOutcome,
} from "./child-process.js";
import { measureFit } from "./fit.js";
import { machineInfo } from "./machine.js";
import { resolveOptions, type BenchmarkOptions, type ResolvedOptions } from "./options.js";
import { ensurePythonEnv, pythonChildEnv, type PythonEnv } from "./python-env.js";
import {
  mergeRounds,
  type BenchmarkResults,
  type CeilingResult,
  type ForwardResult,
  type LoadResult,
  type ReferenceFigures,
  type Status,
  type TokenizerResult,
  type WeightsInfo,
} from "./results.js";

/** A generous limit per process (the slowest case, wasm at 8x512, takes a few minutes). */
const CASE_TIMEOUT_MS = 30 * 60_000;
const PYTHON_DIR = path.join(PACKAGE_ROOT, "python");

export const REFERENCE_FIGURES_FILE = path.join(PACKAGE_ROOT, "reference-figures.json");

export function readReferenceFigures(): ReferenceFigures {
  return JSON.parse(readFileSync(REFERENCE_FIGURES_FILE, "utf8")) as ReferenceFigures;
}

const PEER_LABELS: Record<string, string> = {
  "onnxruntime-node": "ONNX Runtime (onnxruntime-node), default options, torch export",
  hf_torch_sdpa: "HF transformers AlbertModel on PyTorch (SDPA, inference_mode)",
  keras_hub_tensorflow: "KerasHub AlbertBackbone on TensorFlow (predict_on_batch)",
  keras_hub_jax: "KerasHub AlbertBackbone on JAX (predict_on_batch, jit)",
};

function ourLabel(backend: string): string {
  return `albert-ts AlbertBackbone on TF.js ${backend}`;
}

/** A `--dtype` row's id: the float32 row's id and `@<dtype>`. */
function withDtype(id: string, dtype: string | undefined): string {
  return dtype === undefined ? id : `${id}@${dtype}`;
}

function withDtypeLabel(label: string, dtype: string | undefined): string {
  return dtype === undefined ? label : `${label}, dtype ${dtype}`;
}

/** The fields of a worker's result that a ForwardResult keeps. */
function forwardFromOutcome(
  base: Pick<ForwardResult, "id" | "ours" | "label" | "batch" | "seq">,
  outcome: ChildOutcome,
  flops: number,
): ForwardResult {
  const status = caseStatus(outcome, "medianMs");
  if (status.status !== "ok") return { ...base, ...status, wallMs: outcome.wallMs };
  const r = outcome.result!;
  const pick = <K extends keyof ForwardResult>(key: K) =>
    r[key] === undefined ? {} : { [key]: r[key] as ForwardResult[K] };
  const medianMs = r["medianMs"] as number;
  return {
    ...base,
    status: "ok",
    ...pick("warmups"),
    ...pick("runs"),
    ...pick("firstCallMs"),
    medianMs,
    ...pick("minMs"),
    ...pick("timesMs"),
    gflops: flops / (medianMs / 1000) / 1e9,
    ...pick("peakRssMB"),
    ...pick("anonRssMB"),
    ...pick("rssAfterLoadMB"),
    ...pick("loadMs"),
    ...pick("importMs"),
    ...pick("parity"),
    ...pick("leakedTensors"),
    ...pick("threads"),
    ...pick("engine"),
    ...pick("versions"),
    wallMs: outcome.wallMs,
  };
}

const statusOf = (outcome: ChildOutcome): { status: Status; reason?: string } =>
  caseStatus(outcome);

function pythonHas(env: PythonEnv | undefined, ...modules: string[]): boolean {
  return (
    env !== undefined && env.error === undefined && modules.every((m) => env.modules[m] != null)
  );
}

function missingModules(env: PythonEnv | undefined, ...modules: string[]): string {
  if (env === undefined) return "Python peers are off (--no-peers)";
  if (env.error !== undefined) return env.error;
  const missing = modules.filter((m) => env.modules[m] == null);
  const failures = env.installFailures.map((f) => `${f.requirement}: ${f.message}`).join("; ");
  return `${missing.join(", ")} not installed in ${env.python}${failures ? ` (pip: ${failures})` : ""}`;
}

/** Runs `python/<script>` and returns its outcome. */
function runPython(
  env: PythonEnv,
  script: string,
  args: string[],
  extraEnv: NodeJS.ProcessEnv = {},
  removeEnv: string[] = [],
): Promise<ChildOutcome> {
  const childEnv = pythonChildEnv(env, {
    ...process.env,
    TF_CPP_MIN_LOG_LEVEL: "2",
    PYTHONDONTWRITEBYTECODE: "1",
    ...extraEnv,
  });
  for (const key of removeEnv) delete childEnv[key];
  return runChild(env.python, [path.join(PYTHON_DIR, script), ...args], {
    env: childEnv,
    timeoutMs: CASE_TIMEOUT_MS,
  });
}

const NODE_ENV: NodeJS.ProcessEnv = { ...process.env, TF_CPP_MIN_LOG_LEVEL: "2" };

/**
 * Prepares the weights: a random HF AlbertModel (safetensors + ONNX + torch's outputs) when
 * torch runs, and the KerasHub preset for the load case, both cached under `cacheDir`.
 */
async function prepareWeights(
  opts: ResolvedOptions,
  python: PythonEnv | undefined,
  log: (line: string) => void,
  notes: string[],
): Promise<WeightsInfo> {
  const modelDir = path.join(opts.cacheDir, opts.model.name);
  const hfDir = path.join(modelDir, "hf");
  const kerasDir = path.join(modelDir, "keras");
  const kerasStamp = path.join(modelDir, "keras.json");
  mkdirSync(modelDir, { recursive: true });

  let hfReady =
    existsSync(path.join(hfDir, "manifest.json")) &&
    existsSync(path.join(hfDir, "model.safetensors"));
  let regenerated = false;
  if (!hfReady && pythonHas(python, "torch", "transformers")) {
    log(
      `writing random ${opts.model.name} weights with torch into ${hfDir} (safetensors + ONNX export)`,
    );
    rmSync(hfDir, { recursive: true, force: true });
    const made = await runPython(python!, "make_weights.py", [
      "--out",
      hfDir,
      "--spec",
      JSON.stringify(opts.model),
    ]);
    const status = statusOf(made);
    if (status.status === "ok") {
      hfReady = true;
      regenerated = true;
    } else {
      notes.push(`Could not write the HF weights with torch: ${status.reason}`);
    }
  } else if (!hfReady) {
    notes.push(
      `No torch to write shared weights (${missingModules(python, "torch", "transformers")}).`,
    );
  }
  let onnxPath: string | undefined;
  if (hfReady) {
    const manifest = JSON.parse(readFileSync(path.join(hfDir, "manifest.json"), "utf8")) as {
      onnx: { file: string } | null;
      onnxError: string | null;
    };
    if (manifest.onnx) onnxPath = path.join(hfDir, manifest.onnx.file);
    else notes.push(`The ONNX export failed: ${manifest.onnxError}`);
  }

  // The KerasHub preset (load case, KerasHub peer): written once from the same weights.
  const wantedSource = hfReady ? "hf" : "random";
  let stamp: { source: string; note?: string } | undefined;
  if (existsSync(kerasStamp) && existsSync(path.join(kerasDir, "config.json"))) {
    stamp = JSON.parse(readFileSync(kerasStamp, "utf8")) as { source: string; note?: string };
  }
  if (stamp === undefined || regenerated || stamp.source !== wantedSource) {
    log(`writing the KerasHub preset ${kerasDir} with writePreset`);
    const prepared = await runWorker(
      "prepare-weights",
      { ...(hfReady ? { hfDir } : {}), kerasDir, spec: opts.model },
      { env: NODE_ENV, timeoutMs: CASE_TIMEOUT_MS },
    );
    const status = statusOf(prepared);
    if (status.status !== "ok") {
      notes.push(
        `Could not write the KerasHub preset (no load case, no KerasHub peer): ${status.reason}`,
      );
      return hfReady
        ? { source: "hf", hfDir, ...(onnxPath ? { onnxPath } : {}) }
        : {
            source: "random",
            note: "random weights of our own, made in each case's process (no shared weights, no parity check)",
          };
    }
    const r = prepared.result!;
    stamp = {
      source: String(r["source"]),
      ...(typeof r["note"] === "string" ? { note: r["note"] } : {}),
    };
    writeFileSync(kerasStamp, JSON.stringify(stamp, null, 2));
  }
  const source = stamp.source === "hf" ? "hf" : "random";
  if (stamp.note) notes.push(stamp.note);
  return {
    source,
    ...(hfReady ? { hfDir } : {}),
    kerasPresetDir: kerasDir,
    ...(onnxPath ? { onnxPath } : {}),
    ...(source === "random"
      ? {
          note: "random weights of our own (torch could not write shared HF weights): the peers do not share them and there is no parity check",
        }
      : {}),
  };
}

async function measureCeiling(
  opts: ResolvedOptions,
  python: PythonEnv,
  log: (line: string) => void,
): Promise<CeilingResult> {
  if (!pythonHas(python, "numpy"))
    return { status: "unavailable", reason: missingModules(python, "numpy") };
  log("numpy matmul ceiling (OPENBLAS_CORETYPE unset)");
  const outcome = await runPython(
    python,
    "matmul_ceiling.py",
    [
      "--tokens",
      "1024",
      "--hidden",
      String(opts.model.hiddenDim),
      "--intermediate",
      String(opts.model.intermediateDim),
      "--runs",
      opts.quick ? "3" : "10",
    ],
    {},
    ["OPENBLAS_CORETYPE"],
  );
  const status = statusOf(outcome);
  if (status.status !== "ok") return status;
  const r = outcome.result!;
  return {
    status: "ok",
    tokens: r["tokens"] as number,
    layerMixGflops: r["layerMixGflops"] as number,
    products: r["products"] as CeilingResult["products"],
    numpy: r["numpy"] as string,
    openblasCorename: (r["openblasCorename"] as string | null) ?? null,
    blas: r["blas"],
  };
}

async function runTokenizerBench(
  opts: ResolvedOptions,
  python: PythonEnv | undefined,
  log: (line: string) => void,
): Promise<TokenizerResult> {
  let script: string;
  try {
    const require = createRequire(import.meta.url);
    script = path.join(
      path.dirname(require.resolve("@albert/tokenizer/package.json")),
      "bench",
      "tokenizer-bench.mjs",
    );
  } catch (error) {
    return {
      status: "unavailable",
      reason: `@albert/tokenizer not found: ${(error as Error).message}`,
    };
  }
  if (!existsSync(script)) return { status: "unavailable", reason: `${script} does not exist` };
  const args = [script, ...(opts.quick ? ["--mb", "0.25", "--repeats", "2"] : [])];
  if (pythonHas(python, "sentencepiece")) args.push("--python", python!.python);
  log(`tokenizer: node ${path.relative(process.cwd(), script)} ${args.slice(1).join(" ")}`);
  const outcome = await runChild(process.execPath, args, {
    cwd: path.dirname(path.dirname(script)),
    timeoutMs: CASE_TIMEOUT_MS,
  });
  const command = `node ${args.map((a) => (a.includes(" ") ? JSON.stringify(a) : a)).join(" ")}`;
  if (outcome.exitCode !== 0) {
    return {
      status: "failed",
      command,
      reason: outcome.stderr.trim().split("\n").slice(-5).join("\n") || `exit ${outcome.exitCode}`,
    };
  }
  return { status: "ok", command, output: outcome.stdout.trim() };
}

/** Median of the numeric field over the ok results. */
function medianOf(results: Record<string, unknown>[], key: string): number | undefined {
  const values = results.map((r) => r[key]).filter((v): v is number => typeof v === "number");
  return values.length > 0 ? median(values) : undefined;
}

/**
 * Runs one load measurement in `count` fresh processes (stopping at the first failure) and
 * reports the medians of what they measured.
 */
async function repeatLoad(
  base: LoadResult,
  count: number,
  runOnce: (index: number) => Promise<ChildOutcome>,
): Promise<LoadResult> {
  const runs: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const outcome = await runOnce(i);
    const status = statusOf(outcome);
    if (status.status !== "ok") return { ...base, ...status };
    runs.push(outcome.result!);
  }
  return {
    ...base,
    status: "ok",
    processes: runs.length,
    loadMs: medianOf(runs, "loadMs")!,
    loadMsAll: runs.map((r) => r["loadMs"] as number),
    secondLoadMs: medianOf(runs, "secondLoadMs")!,
    importMs: medianOf(runs, "importMs")!,
    // KerasHub's processes have no separate backend initialization.
    ...(runs.some((r) => typeof r["backendInitMs"] === "number")
      ? { backendInitMs: medianOf(runs, "backendInitMs")! }
      : {}),
    rssAfterLoadMB: medianOf(runs, "rssAfterLoadMB")!,
    peakRssMB: medianOf(runs, "peakRssMB")!,
    versions: runs[0]!["versions"] as Record<string, string>,
  };
}

async function measureLoad(
  opts: ResolvedOptions,
  weights: WeightsInfo,
  backend: string | undefined,
  python: PythonEnv | undefined,
  log: (line: string) => void,
): Promise<LoadResult[]> {
  const results: LoadResult[] = [];
  const presetDir = weights.kerasPresetDir;
  const ours: LoadResult = {
    id: `albert-ts/${backend ?? "none"}`,
    ours: true,
    label: "albert-ts AlbertBackbone.fromPreset(KerasHub preset dir)",
    status: "unavailable",
  };
  if (presetDir === undefined || backend === undefined) {
    results.push({
      ...ours,
      reason: presetDir === undefined ? "no KerasHub preset was written" : "no TF.js backend ran",
    });
  } else {
    results.push(
      await repeatLoad(ours, opts.loadProcesses, (i) => {
        log(`load: AlbertBackbone.fromPreset (${backend}), process ${i + 1}/${opts.loadProcesses}`);
        return runWorker(
          "tfjs-load",
          { presetDir, backend },
          { env: NODE_ENV, timeoutMs: CASE_TIMEOUT_MS },
        );
      }),
    );
  }

  if (opts.peers.includes("keras-hub") && presetDir !== undefined && python !== undefined) {
    const base: LoadResult = {
      id: "keras_hub_tensorflow",
      ours: false,
      label: "KerasHub AlbertBackbone.from_preset(dir) (TensorFlow backend)",
      status: "unavailable",
    };
    if (!pythonHas(python, "keras_hub"))
      results.push({ ...base, reason: missingModules(python, "keras_hub") });
    else {
      results.push(
        await repeatLoad(base, opts.loadProcesses, (i) => {
          log(`load: KerasHub from_preset, process ${i + 1}/${opts.loadProcesses}`);
          return runPython(python, "keras_hub_case.py", [
            "--mode",
            "load",
            "--backend",
            "tensorflow",
            "--preset",
            presetDir,
          ]);
        }),
      );
    }
  }
  return results;
}

/** Adds the peers' own load figures, measured inside their forward-case processes. */
function loadsFromForwardProcesses(forward: ForwardResult[]): LoadResult[] {
  const rows: LoadResult[] = [];
  const groups: [string, string][] = [
    [
      "hf_torch_sdpa",
      "HF AlbertModel.from_pretrained(dir) (safetensors), in its forward-case processes",
    ],
    [
      "onnxruntime-node",
      "onnxruntime-node InferenceSession.create(model.onnx), in its forward-case processes",
    ],
  ];
  for (const [id, label] of groups) {
    const ok = forward.filter((f) => f.id === id && f.status === "ok" && f.loadMs !== undefined);
    if (ok.length === 0) continue;
    rows.push({
      id,
      ours: false,
      label,
      status: "ok",
      processes: ok.length,
      loadMs: median(ok.map((f) => f.loadMs!)),
      loadMsAll: ok.map((f) => f.loadMs!),
      ...(ok.every((f) => f.importMs !== undefined)
        ? { importMs: median(ok.map((f) => f.importMs!)) }
        : {}),
      ...(ok.every((f) => f.rssAfterLoadMB !== undefined)
        ? { rssAfterLoadMB: median(ok.map((f) => f.rssAfterLoadMB!)) }
        : {}),
    });
  }
  return rows;
}

/**
 * Runs the whole benchmark and returns its results (also written as JSON unless
 * `jsonPath` is null). `formatReport(results)` renders the markdown.
 *
 * @example
 * const results = await runBenchmark({ quick: true, peers: [] });
 * console.log(formatReport(results));
 */
export async function runBenchmark(options: BenchmarkOptions = {}): Promise<BenchmarkResults> {
  const opts = resolveOptions(options);
  const log = options.log ?? ((line: string) => process.stderr.write(`[bench] ${line}\n`));
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  const notes: string[] = [];
  if (machine.loadAverageAtStart[0]! > machine.cores * 0.5) {
    notes.push(
      `The machine was busy when the run started (1-minute load average ${machine.loadAverageAtStart[0]} on ${machine.cores} cores): timings are noisy; compare only numbers from the same run.`,
    );
  }

  // === Python and the shared weights ===
  const wantPython = opts.peers.length > 0;
  let python: PythonEnv | undefined;
  if (wantPython) {
    python = ensurePythonEnv({
      ...(opts.python !== undefined ? { python: opts.python } : {}),
      ...(opts.kerasHubSrc !== undefined ? { kerasHubSrc: opts.kerasHubSrc } : {}),
      log,
    });
    if (python.error) notes.push(`Python peers unavailable: ${python.error}`);
    if (opts.kerasHubSrc !== undefined) {
      notes.push(
        `KerasHub is imported from the source folder ${opts.kerasHubSrc} (--keras-hub-src), not from a pip package.`,
      );
    }
  }
  const weights = await prepareWeights(opts, python, log, notes);
  const ceiling: CeilingResult | undefined =
    opts.ceiling && python !== undefined ? await measureCeiling(opts, python, log) : undefined;

  // === Forward cases, case by case: our backends, then each peer; `rounds` times ===
  const perRound: ForwardResult[] = [];
  const unavailable = new Map<string, string>(); // id -> reason, to skip later cases
  const ourWeightsDir = weights.source === "hf" ? weights.hfDir : weights.kerasPresetDir;
  for (let round = 1; round <= opts.rounds; round++) {
    if (opts.rounds > 1) log(`round ${round} of ${opts.rounds}`);
    for (const shape of opts.shapes) {
      const flops = forwardFlops(opts.model, shape);
      const caseName = shapeLabel(shape);

      /** Ours on one backend, under a dtype policy (its id and label say which). */
      const oursCase = async (backend: string, dtype?: string) => {
        const id = withDtype(`albert-ts/${backend}`, dtype);
        const base = {
          id,
          ours: true,
          label: withDtypeLabel(ourLabel(backend), dtype),
          batch: shape.batch,
          seq: shape.seq,
          ...(dtype ? { dtype } : {}),
        };
        if (unavailable.has(id)) {
          perRound.push({ ...base, status: "unavailable", reason: unavailable.get(id)! });
          return;
        }
        if (backend === "cpu" && shape.batch * shape.seq > CPU_MAX_TOKENS) {
          perRound.push({
            ...base,
            status: "skipped",
            reason: `the pure JS cpu backend runs only up to ${CPU_MAX_TOKENS} tokens (about 15 s per encoder layer at 8x128)`,
          });
          return;
        }
        const plan = iterationPlan(shape, backend, opts.quick);
        log(`${caseName} ${id}: ${plan.warmups} warm-up + ${plan.runs} runs`);
        const outcome = await runWorker(
          "tfjs-forward",
          {
            backend,
            ...shape,
            ...plan,
            spec: opts.model,
            ...(ourWeightsDir ? { weightsDir: ourWeightsDir } : {}),
            ...(dtype ? { dtype } : {}),
          },
          { env: NODE_ENV, timeoutMs: CASE_TIMEOUT_MS },
        );
        const result = forwardFromOutcome(base, outcome, flops);
        if (result.status === "unavailable") unavailable.set(id, result.reason ?? "unavailable");
        perRound.push(result);
        if (result.status !== "ok") log(`  ${result.status}: ${result.reason}`);
      };
      for (const backend of opts.backends) await oursCase(backend);

      const peerCase = async (
        id: string,
        run: () => Promise<ChildOutcome>,
        missing?: string,
        dtype?: string,
      ) => {
        const base = {
          id: withDtype(id, dtype),
          ours: false,
          label: withDtypeLabel(PEER_LABELS[id] ?? id, dtype),
          batch: shape.batch,
          seq: shape.seq,
          ...(dtype ? { dtype } : {}),
        };
        id = base.id;
        const reason = missing ?? unavailable.get(id);
        if (reason !== undefined) {
          unavailable.set(id, reason);
          perRound.push({ ...base, status: "unavailable", reason });
          return;
        }
        log(`${caseName} ${id}`);
        const result = forwardFromOutcome(base, await run(), flops);
        if (result.status === "unavailable") unavailable.set(id, result.reason ?? "unavailable");
        if (result.status !== "ok") log(`  ${result.status}: ${result.reason}`);
        perRound.push(result);
      };
      const plan = iterationPlan(shape, "peer", opts.quick);
      const peerTimingArgs = timingArgs(shape, plan);

      if (opts.peers.includes("onnxruntime")) {
        await peerCase(
          "onnxruntime-node",
          () =>
            runWorker(
              "ort-forward",
              {
                modelPath: weights.onnxPath,
                weightsDir: weights.hfDir,
                ...shape,
                ...plan,
                vocabularySize: opts.model.vocabularySize,
              },
              { env: NODE_ENV, timeoutMs: CASE_TIMEOUT_MS },
            ),
          weights.onnxPath === undefined
            ? "no ONNX export of the weights (torch did not run or the export failed)"
            : undefined,
        );
      }
      const torchCase = (dtype?: string) =>
        peerCase(
          "hf_torch_sdpa",
          () =>
            runPython(python!, "torch_forward.py", [
              "--dir",
              weights.hfDir!,
              ...peerTimingArgs,
              "--attn",
              "sdpa",
              ...(dtype ? ["--dtype", dtype] : []),
            ]),
          weights.hfDir === undefined ? missingModules(python, "torch", "transformers") : undefined,
          dtype,
        );
      const kerasHubCases = async (dtype?: string) => {
        for (const kerasBackend of ["tensorflow", "jax"] as const) {
          const needs = kerasBackend === "jax" ? ["keras_hub", "jax"] : ["keras_hub", "tensorflow"];
          await peerCase(
            `keras_hub_${kerasBackend}`,
            () =>
              runPython(python!, "keras_hub_case.py", [
                "--mode",
                "forward",
                "--backend",
                kerasBackend,
                "--preset",
                weights.kerasPresetDir!,
                ...peerTimingArgs,
                ...(weights.source === "hf" && weights.hfDir
                  ? ["--parity-dir", weights.hfDir]
                  : []),
                ...(dtype ? ["--dtype", dtype] : []),
              ]),
            !pythonHas(python, ...needs) || weights.kerasPresetDir === undefined
              ? missingModules(python, ...needs)
              : undefined,
            dtype,
          );
        }
      };
      if (opts.peers.includes("torch")) await torchCase();
      if (opts.peers.includes("keras-hub")) await kerasHubCases();

      // === --dtype: the same case under each 16-bit policy (ours on native TensorFlow) ===
      for (const dtype of opts.dtypes) {
        if (opts.backends.includes("tensorflow")) await oursCase("tensorflow", dtype);
        if (opts.peers.includes("torch")) await torchCase(dtype);
        if (opts.peers.includes("keras-hub")) await kerasHubCases(dtype);
      }
    }
  }
  const forward = mergeRounds(perRound);

  // === Fine-tuning: fit, ours next to KerasHub's on TensorFlow ===
  const fit = await measureFit(
    opts,
    weights,
    {
      ours: (args) => runWorker("tfjs-fit", args, { env: NODE_ENV, timeoutMs: CASE_TIMEOUT_MS }),
      ...(opts.peers.includes("keras-hub")
        ? {
            kerasHub: {
              run: (args: string[]) => runPython(python!, "keras_hub_fit.py", args),
              ...(pythonHas(python, "keras_hub", "tensorflow")
                ? {}
                : { missing: missingModules(python, "keras_hub", "tensorflow") }),
            },
          }
        : {}),
    },
    log,
  );

  // === Load time, tokenizer ===
  const loadBackend = opts.backends.find((b) =>
    forward.some((f) => f.id === `albert-ts/${b}` && f.status === "ok"),
  );
  const load = opts.load
    ? [
        ...(await measureLoad(opts, weights, loadBackend, python, log)),
        ...loadsFromForwardProcesses(forward),
      ]
    : [];
  const tokenizer = opts.tokenizer ? await runTokenizerBench(opts, python, log) : undefined;

  if (opts.backends.includes("cpu")) {
    notes.push(
      `The pure JS cpu backend runs only at cases up to ${CPU_MAX_TOKENS} tokens, with ${opts.quick ? "1 warm-up and 2" : "1 warm-up and 3"} timed runs (about 15 s per encoder layer at 8x128).`,
    );
  } else if (opts.quick) {
    notes.push("--quick leaves out the pure JS cpu backend (name it with --backends to run it).");
  }

  const results: BenchmarkResults = {
    schema: 1,
    startedAt,
    finishedAt: new Date().toISOString(),
    options: {
      quick: opts.quick,
      shapes: opts.shapes,
      backends: opts.backends,
      peers: opts.peers,
      loadProcesses: opts.loadProcesses,
      ...(opts.dtypes.length > 0 ? { dtypes: opts.dtypes } : {}),
    },
    machine: { ...machine, loadAverageAtEnd: os.loadavg().map((x) => Math.round(x * 100) / 100) },
    model: opts.model,
    weights,
    ...(python ? { python } : {}),
    ...(ceiling ? { ceiling } : {}),
    forward,
    ...(opts.fitShapes.length > 0 ? { fit } : {}),
    load,
    ...(tokenizer ? { tokenizer } : {}),
    notes,
    references: readReferenceFigures(),
  };
  if (opts.jsonPath !== null) {
    mkdirSync(path.dirname(opts.jsonPath), { recursive: true });
    writeFileSync(opts.jsonPath, `${JSON.stringify(results, null, 2)}\n`);
    log(`results written to ${opts.jsonPath}`);
  }
  return results;
}

export type { Shape };
