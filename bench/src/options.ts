import path from "node:path";
import {
  DEFAULT_SHAPES,
  MODELS,
  FIT_SHAPES,
  QUICK_SHAPES,
  parseShape,
  type ModelSpec,
  type Shape,
} from "./cases.js";
import { PACKAGE_ROOT } from "./child-process.js";

export const ALL_BACKENDS = ["tensorflow", "wasm", "cpu"] as const;
export const ALL_PEERS = ["onnxruntime", "torch", "keras-hub"] as const;
/** KerasHub's dtype policies that `--dtype` adds rows for (float32 rows always run). */
export const REDUCED_DTYPES = ["bfloat16", "float16", "mixed_bfloat16", "mixed_float16"] as const;
export type PeerName = (typeof ALL_PEERS)[number];

/** What `runBenchmark` accepts; every field is optional. */
export interface BenchmarkOptions {
  /** Few iterations, cases 1x128 and 8x128, no cpu backend unless named: a smoke run. */
  quick?: boolean;
  /** Input shapes (`--cases 1x128,8x128`). Default 1x128, 8x128, 32x128, 8x512. */
  shapes?: Shape[];
  /** TF.js backends (`--backends tensorflow,wasm`). Default all three (quick: not cpu). */
  backends?: string[];
  /** Peers to run (`--peers onnxruntime,torch`); `[]` (`--no-peers`) runs none. Default all. */
  peers?: PeerName[];
  /** Where the JSON goes (`--json PATH`); null writes none. Default bench/results/latest.json. */
  jsonPath?: string | null;
  /** The architecture (`--model albert_base|albert_tiny`) or a spec. Default albert_base. */
  model?: string | ModelSpec;
  /** Use this Python for the peers instead of creating bench/.venv (`--python PATH`). */
  python?: string;
  /** A KerasHub source folder to put on PYTHONPATH (`--keras-hub-src DIR`); in the venv this
   * also installs TensorFlow, Keras and JAX, so the KerasHub peers run. */
  kerasHubSrc?: string;
  /**
   * 16-bit dtype policies to measure too (`--dtype bfloat16,mixed_bfloat16`): ours on native
   * TensorFlow, KerasHub on TensorFlow and JAX and HF on PyTorch under each, next to the
   * float32 rows in the same run. Default none.
   */
  dtypes?: string[];
  /** Forward rounds (`--rounds N`): every case runs once per round in a fresh process, all
   * implementations in turn, so a shared machine's slow spells hit each of them alike. The
   * timed runs of all rounds are pooled. Default 1. */
  rounds?: number;
  /**
   * Fine-tuning cases (`--fit-cases 8x128`; `--no-fit` runs none): `fit` of a 2-class
   * classifier, ours on native TensorFlow (and on wasm/cpu only for tiny inputs) next to
   * KerasHub's on TensorFlow. Default 8x128 (at most the model's positions).
   */
  fitShapes?: Shape[];
  /** Measure the preset load time (`--no-load` turns it off). Default true. */
  load?: boolean;
  /** How many fresh processes the load time is the median of (`--load-processes N`). */
  loadProcesses?: number;
  /** Run the tokenizer package's benchmark (`--no-tokenizer` turns it off). Default true. */
  tokenizer?: boolean;
  /** Measure numpy's matmul ceiling (`--no-ceiling` turns it off). Default true when Python runs. */
  ceiling?: boolean;
  /** Generated weights and presets (`--cache DIR`). Default bench/.cache. */
  cacheDir?: string;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
}

/** Options with every default applied. */
export interface ResolvedOptions {
  quick: boolean;
  shapes: Shape[];
  backends: string[];
  peers: PeerName[];
  jsonPath: string | null;
  model: ModelSpec;
  python?: string;
  kerasHubSrc?: string;
  dtypes: string[];
  rounds: number;
  fitShapes: Shape[];
  load: boolean;
  loadProcesses: number;
  tokenizer: boolean;
  ceiling: boolean;
  cacheDir: string;
}

export const DEFAULT_JSON_PATH = path.join(PACKAGE_ROOT, "results", "latest.json");
export const DEFAULT_CACHE_DIR = path.join(PACKAGE_ROOT, ".cache");

export function resolveOptions(options: BenchmarkOptions = {}): ResolvedOptions {
  const quick = options.quick ?? false;
  const model =
    typeof options.model === "object" ? options.model : MODELS[options.model ?? "albert_base"];
  if (model === undefined) {
    throw new Error(
      `Unknown model ${JSON.stringify(options.model)}; allowed: ${Object.keys(MODELS).join(", ")}`,
    );
  }
  const backends = options.backends ?? (quick ? ["tensorflow", "wasm"] : [...ALL_BACKENDS]);
  for (const b of backends) {
    if (!(ALL_BACKENDS as readonly string[]).includes(b)) {
      throw new Error(`Unknown backend ${JSON.stringify(b)}; allowed: ${ALL_BACKENDS.join(", ")}`);
    }
  }
  const peers = options.peers ?? [...ALL_PEERS];
  for (const p of peers) {
    if (!(ALL_PEERS as readonly string[]).includes(p)) {
      throw new Error(`Unknown peer ${JSON.stringify(p)}; allowed: ${ALL_PEERS.join(", ")}`);
    }
  }
  const dtypes = options.dtypes ?? [];
  for (const d of dtypes) {
    if (!(REDUCED_DTYPES as readonly string[]).includes(d)) {
      throw new Error(
        `Unknown dtype ${JSON.stringify(d)}; allowed: ${REDUCED_DTYPES.join(", ")} (float32 always runs)`,
      );
    }
  }
  if (options.rounds !== undefined && !(Number.isInteger(options.rounds) && options.rounds >= 1)) {
    throw new Error(`rounds must be a whole number >= 1, got ${options.rounds}`);
  }
  const shapes = options.shapes ?? (quick ? QUICK_SHAPES : DEFAULT_SHAPES);
  // The default fine-tuning case, cut to the model's positions (albert_tiny: 8x32).
  const fitShapes =
    options.fitShapes ??
    FIT_SHAPES.map((s) => ({ batch: s.batch, seq: Math.min(s.seq, model.maxSequenceLength) }));
  for (const s of [...shapes, ...fitShapes]) {
    if (s.seq > model.maxSequenceLength) {
      throw new Error(
        `Case ${s.batch}x${s.seq} is longer than ${model.name}'s ${model.maxSequenceLength} positions`,
      );
    }
  }
  return {
    quick,
    shapes,
    backends,
    peers,
    jsonPath: options.jsonPath === undefined ? DEFAULT_JSON_PATH : options.jsonPath,
    model,
    ...(options.python !== undefined ? { python: options.python } : {}),
    ...(options.kerasHubSrc !== undefined ? { kerasHubSrc: options.kerasHubSrc } : {}),
    dtypes,
    rounds: options.rounds ?? 1,
    fitShapes,
    load: options.load ?? true,
    loadProcesses: options.loadProcesses ?? (quick ? 1 : 5),
    tokenizer: options.tokenizer ?? true,
    ceiling: options.ceiling ?? true,
    cacheDir: options.cacheDir ?? DEFAULT_CACHE_DIR,
  };
}

export const USAGE = `pnpm bench [-- options]     (or: node bench/dist/cli.js [options])

  --quick               few iterations, cases 1x128 and 8x128, no cpu backend (smoke run)
  --cases LIST          input shapes, e.g. 1x128,8x128 (default 1x128,8x128,32x128,8x512)
  --backends LIST       TF.js backends: tensorflow,wasm,cpu (default all; quick: tensorflow,wasm)
  --peers LIST          onnxruntime,torch,keras-hub (default all that can be installed)
  --no-peers            run no peer (and no Python at all)
  --json PATH           where the JSON results go (default bench/results/latest.json)
  --no-json             write no JSON file
  --model NAME          albert_base (default) or albert_tiny (a smoke test of the harness)
  --python PATH         use this Python for the peers instead of bench/.venv
  --keras-hub-src DIR   a KerasHub source checkout to import keras_hub from (KerasHub is not on
                        the offline pip index); adds TensorFlow, Keras and JAX to bench/.venv
  --dtype LIST          also measure these KerasHub dtype policies (bfloat16, float16,
                        mixed_bfloat16, mixed_float16): ours on native TensorFlow, KerasHub
                        (TF, JAX) and torch under each, beside the float32 rows
  --rounds N            run every forward case N times, implementations in turn, and pool the
                        timed runs (steadier ratios on a shared machine; default 1)
  --fit-cases LIST      fine-tuning cases: fit of a 2-class classifier, ours on native TF next
                        to KerasHub's on TF (default 8x128)
  --no-fit              skip the fine-tuning cases
  --no-load             skip the preset load-time case
  --load-processes N    fresh processes the load time is the median of (default 5; quick 1)
  --no-tokenizer        skip the tokenizer benchmark
  --no-ceiling          skip the numpy matmul ceiling
  --cache DIR           generated weights and presets (default bench/.cache)
  -h, --help            this text`;

/** Where the user ran the command (pnpm runs scripts in the package folder; INIT_CWD keeps it). */
function userCwd(): string {
  return process.env["INIT_CWD"] ?? process.cwd();
}

function list(value: string): string[] {
  return value
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);
}

/** Parses the command line (a lone `--`, as `pnpm bench -- --quick` passes it, is ignored). */
export function parseArgs(argv: readonly string[]): BenchmarkOptions & { help?: boolean } {
  const options: BenchmarkOptions & { help?: boolean } = {};
  const args = argv.filter((a) => a !== "--");
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] =
      arg.startsWith("--") && arg.includes("=")
        ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
        : [arg, undefined];
    const value = (): string => {
      const v = inline ?? args[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--quick":
        options.quick = true;
        break;
      case "--cases":
        options.shapes = list(value()).map(parseShape);
        break;
      case "--backends":
        options.backends = list(value());
        break;
      case "--peers":
        options.peers = list(value()) as PeerName[];
        break;
      case "--no-peers":
        options.peers = [];
        break;
      case "--json":
        options.jsonPath = path.resolve(userCwd(), value());
        break;
      case "--no-json":
        options.jsonPath = null;
        break;
      case "--model":
        options.model = value();
        break;
      case "--python":
        options.python = value();
        break;
      case "--keras-hub-src":
        options.kerasHubSrc = path.resolve(userCwd(), value());
        break;
      case "--dtype":
        options.dtypes = list(value());
        break;
      case "--rounds":
        options.rounds = Number(value());
        break;
      case "--fit-cases":
        options.fitShapes = list(value()).map(parseShape);
        break;
      case "--no-fit":
        options.fitShapes = [];
        break;
      case "--no-load":
        options.load = false;
        break;
      case "--load-processes":
        options.loadProcesses = Number(value());
        if (!(options.loadProcesses >= 1)) throw new Error("--load-processes needs a number >= 1");
        break;
      case "--no-tokenizer":
        options.tokenizer = false;
        break;
      case "--no-ceiling":
        options.ceiling = false;
        break;
      case "--cache":
        options.cacheDir = path.resolve(userCwd(), value());
        break;
      case "-h":
      case "--help":
        options.help = true;
        break;
      default:
        throw new Error(`Unknown option ${JSON.stringify(arg)}\n\n${USAGE}`);
    }
  }
  return options;
}
