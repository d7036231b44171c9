import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { extract as extractTar } from "tar";
import { albertHome } from "./paths.js";

/**
 * A TensorFlow C runtime ready to stage: a folder with `lib/` (the shared libraries under the
 * names their SONAMEs say) and `include/` (the C API headers the addon compiles against).
 */
export interface TensorFlowRuntime {
  /** How it was obtained, for the report. */
  source: "directory" | "download" | "python" | "pip";
  /** TensorFlow's version, as far as the source tells. */
  version: string;
  root: string;
  /** `-ltensorflow` must resolve to this file in `lib/`. */
  mainLibrary: string;
  /** `-ltensorflow_framework` must resolve to this file in `lib/`. */
  frameworkLibrary: string;
  detail: string;
}

export type RuntimeSourceName = TensorFlowRuntime["source"];

/** Which TensorFlow build: the CPU one (for tfjs-node) or the CUDA one (for tfjs-node-gpu). */
export type RuntimeKind = "cpu" | "gpu";

export const OFFICIAL_LIBTENSORFLOW_VERSION = "2.9.1";

/** Thrown when one source cannot provide a runtime; the message says why. */
export class SourceUnavailable extends Error {}

function cacheRoot(): string {
  return path.join(albertHome(), "libtensorflow");
}

function readRecord(dir: string): TensorFlowRuntime | undefined {
  const file = path.join(dir, "runtime.json");
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, "utf8")) as TensorFlowRuntime;
}

function writeRecord(runtime: TensorFlowRuntime): TensorFlowRuntime {
  writeFileSync(path.join(runtime.root, "runtime.json"), JSON.stringify(runtime, null, 2) + "\n");
  return runtime;
}

/** Builds a cache entry in a temporary folder, then moves it into place in one step. */
async function cached(
  key: string,
  build: (tmp: string) => Promise<Omit<TensorFlowRuntime, "root">>,
): Promise<TensorFlowRuntime> {
  const dir = path.join(cacheRoot(), key);
  const existing = readRecord(dir);
  if (existing !== undefined) return { ...existing, root: dir };
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    const runtime = { ...(await build(tmp)), root: tmp };
    writeRecord(runtime);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    return { ...runtime, root: dir };
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
}

/**
 * `strip --strip-unneeded` saves about a quarter of the wheel's 850 MB; optional. Only
 * TensorFlow's own libraries: NVIDIA's come stripped.
 */
function stripLibraries(libDir: string): void {
  for (const file of readdirSync(libDir).filter((f) => f.startsWith("libtensorflow"))) {
    spawnSync("strip", ["--strip-unneeded", path.join(libDir, file)], { stdio: "ignore" });
  }
}

/** A user-supplied runtime: `ALBERT_LIBTENSORFLOW=<dir>` with `lib/` and `include/`. */
export async function runtimeFromDirectory(dir: string): Promise<TensorFlowRuntime> {
  const lib = path.join(dir, "lib");
  if (!existsSync(lib) || !existsSync(path.join(dir, "include", "tensorflow", "c", "c_api.h"))) {
    throw new SourceUnavailable(`${dir} must hold lib/ and include/tensorflow/c/c_api.h`);
  }
  const files = readdirSync(lib);
  const pick = (prefixes: string[]) =>
    files.find((f) => prefixes.some((p) => f.startsWith(p) && /\.so\.\d+$/.test(f)));
  const main = pick(["libtensorflow_cc.so.", "libtensorflow.so."]);
  const framework = pick(["libtensorflow_framework.so."]);
  if (main === undefined || framework === undefined) {
    throw new SourceUnavailable(`${lib} lacks libtensorflow(_cc).so.N or libtensorflow_framework.so.N`);
  }
  return {
    source: "directory",
    version: "unknown",
    root: dir,
    mainLibrary: main,
    frameworkLibrary: framework,
    detail: `libraries from ${dir} (ALBERT_LIBTENSORFLOW)`,
  };
}

/**
 * The official libtensorflow build tfjs-node was made for, from Google's storage bucket. Its
 * GPU build expects CUDA 11.2 and cuDNN 8.1 installed system-wide.
 */
export async function runtimeFromDownload(kind: RuntimeKind = "cpu"): Promise<TensorFlowRuntime> {
  const base =
    process.env["TFJS_NODE_BASE_URI"] ??
    `${process.env["TFJS_NODE_CDN_STORAGE"] ?? "https://storage.googleapis.com/"}tensorflow/libtensorflow/libtensorflow-`;
  const url = `${base}${kind}-linux-x86_64-${OFFICIAL_LIBTENSORFLOW_VERSION}.tar.gz`;
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new SourceUnavailable(`no official download is wired for ${process.platform}-${process.arch}`);
  }
  return cached(`libtensorflow-${kind}-${OFFICIAL_LIBTENSORFLOW_VERSION}-linux-x64`, async (tmp) => {
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new SourceUnavailable(`${url} is unreachable (${cause})`);
    }
    if (!response.ok || response.body === null) {
      throw new SourceUnavailable(`${url} answered HTTP ${response.status}`);
    }
    await pipeline(Readable.fromWeb(response.body as never), extractTar({ cwd: tmp }));
    return {
      source: "download",
      version: OFFICIAL_LIBTENSORFLOW_VERSION,
      mainLibrary: "libtensorflow.so.2",
      frameworkLibrary: "libtensorflow_framework.so.2",
      detail: `official libtensorflow ${kind === "gpu" ? "GPU " : ""}${OFFICIAL_LIBTENSORFLOW_VERSION} from ${url}`,
    };
  });
}

function python(): string {
  return process.env["PYTHON"] ?? "python3";
}

/** Members of a TensorFlow wheel the addon needs: the two libraries and the C API headers. */
const WHEEL_MEMBERS_SCRIPT = `
import sys, zipfile, os, re, shutil
src, dest = sys.argv[1], sys.argv[2]
keep = re.compile(r"^tensorflow/(libtensorflow_cc\\.so\\.\\d+|libtensorflow_framework\\.so\\.\\d+)$")
header = re.compile(r"^tensorflow/include/(.*(/c/|ctstring).*\\.h)$")
# The CUDA libraries of nvidia-* wheels (nvidia/cublas/lib/libcublas.so.12, ...).
cuda = re.compile(r"^nvidia/[^/]+/lib/([^/]+\\.so(\\.\\d+)*)$")
def copy(open_member, name, target):
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open_member(name) as i, open(target, "wb") as o:
        shutil.copyfileobj(i, o, 1 << 20)
if os.path.isdir(src):
    base = os.path.dirname(src.rstrip("/"))
    names = []
    for root, _, files in os.walk(src):
        names += [os.path.relpath(os.path.join(root, f), base) for f in files]
    open_member = lambda n: open(os.path.join(base, n), "rb")
else:
    z = zipfile.ZipFile(src)
    names = z.namelist()
    open_member = z.open
for name in names:
    if keep.match(name):
        copy(open_member, name, os.path.join(dest, "lib", os.path.basename(name)))
    elif header.match(name):
        copy(open_member, name, os.path.join(dest, "include", header.match(name).group(1)))
    elif cuda.match(name):
        copy(open_member, name, os.path.join(dest, "lib", cuda.match(name).group(1)))
`;

function extractWheelMembers(source: string, dest: string, expect = "libtensorflow_cc.so.2"): void {
  const result = spawnSync(python(), ["-c", WHEEL_MEMBERS_SCRIPT, source, dest], { encoding: "utf8" });
  if (result.status !== 0) {
    throw new SourceUnavailable(`extracting ${source} failed: ${result.stderr || result.error?.message}`);
  }
  if (expect !== "" && !existsSync(path.join(dest, "lib", expect))) {
    throw new SourceUnavailable(`${source} holds no tensorflow/${expect}`);
  }
}

/** The libraries inside a TensorFlow Python package that is already installed. */
export async function runtimeFromPython(kind: RuntimeKind = "cpu"): Promise<TensorFlowRuntime> {
  const probe = spawnSync(
    python(),
    [
      "-c",
      "import importlib.util as u, importlib.metadata as m, json\n" +
        "s = u.find_spec('tensorflow')\n" +
        "d = s and s.submodule_search_locations and s.submodule_search_locations[0]\n" +
        "v = dist = None\n" +
        "for name in ('tensorflow', 'tensorflow-cpu', 'tf-nightly', 'intel-tensorflow'):\n" +
        "    try: v = m.version(name); dist = name; break\n" +
        "    except Exception: pass\n" +
        "n = u.find_spec('nvidia')\n" +
        "nv = n and n.submodule_search_locations and list(n.submodule_search_locations)[0]\n" +
        "print(json.dumps({'dir': d, 'version': v, 'dist': dist, 'nvidia': nv}))",
    ],
    { encoding: "utf8" },
  );
  if (probe.status !== 0) throw new SourceUnavailable(`${python()} is not usable (${probe.error?.message ?? probe.stderr.trim()})`);
  const found = JSON.parse(probe.stdout) as { dir: string | null; version: string | null; dist: string | null; nvidia: string | null };
  if (found.dir === null) throw new SourceUnavailable(`no TensorFlow Python package is installed for ${python()}`);
  const dir = found.dir;
  if (!existsSync(path.join(dir, "libtensorflow_cc.so.2"))) {
    throw new SourceUnavailable(`${dir} has no libtensorflow_cc.so.2`);
  }
  if (kind === "gpu" && (found.dist === "tensorflow-cpu" || found.dist === "intel-tensorflow")) {
    throw new SourceUnavailable(`the installed ${found.dist} ${found.version} is a CPU-only build (pip install 'tensorflow[and-cuda]' has the CUDA one)`);
  }
  const version = found.version ?? "unknown";
  const cuda = kind === "gpu" && found.nvidia !== null ? found.nvidia : undefined;
  return cached(`tensorflow-python-${kind === "gpu" ? "gpu-" : ""}${version}-${process.platform}-${process.arch}`, async (tmp) => {
    extractWheelMembers(dir, tmp);
    // The nvidia-* packages that `tensorflow[and-cuda]` installed beside it.
    if (cuda !== undefined) extractWheelMembers(cuda, tmp, "");
    stripLibraries(path.join(tmp, "lib"));
    return {
      source: "python",
      version,
      mainLibrary: "libtensorflow_cc.so.2",
      frameworkLibrary: "libtensorflow_framework.so.2",
      detail:
        `libraries of the installed TensorFlow ${version} Python package (${dir})` +
        (kind === "gpu" ? (cuda ? `, CUDA libraries from ${cuda}` : ", CUDA libraries from the system") : ""),
    };
  });
}

function pipDownload(dest: string, specs: string[]): void {
  const result = spawnSync(
    python(),
    ["-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--retries", "0", "--disable-pip-version-check", "-d", dest, ...specs],
    { encoding: "utf8", env: { ...process.env, PIP_RETRIES: "0" } },
  );
  if (result.status !== 0) {
    const reason = (result.stderr || result.error?.message || "").trim().split("\n").slice(-2).join(" ");
    throw new SourceUnavailable(`pip download ${specs.join(" ")} failed: ${reason}`);
  }
}

/** The `nvidia-*` requirements a TensorFlow wheel lists for its `and-cuda` extra. */
const AND_CUDA_SCRIPT = `
import sys, zipfile, re
z = zipfile.ZipFile(sys.argv[1])
meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
for line in z.read(meta).decode("utf8").splitlines():
    if line.startswith("Requires-Dist:") and re.search(r"extra\\s*==\\s*['\\"]and-cuda['\\"]", line):
        print(re.sub(r"[\\s()]", "", line.split(":", 1)[1].split(";")[0]))
`;

function andCudaRequirements(wheel: string): string[] {
  const result = spawnSync(python(), ["-c", AND_CUDA_SCRIPT, wheel], { encoding: "utf8" });
  if (result.status !== 0) throw new SourceUnavailable(`reading ${wheel} failed: ${result.stderr || result.error?.message}`);
  return result.stdout.split("\n").filter((line) => line.trim() !== "");
}

/**
 * `pip download tensorflow-cpu` (from whatever index pip is configured with); for the GPU,
 * `pip download tensorflow` (the CUDA build) plus the `nvidia-*` wheels of its `and-cuda`
 * extra, as `pip install tensorflow[and-cuda]` would get them (several GB).
 */
export async function runtimeFromPip(kind: RuntimeKind = "cpu"): Promise<TensorFlowRuntime> {
  const spec =
    kind === "gpu"
      ? (process.env["ALBERT_TENSORFLOW_GPU_WHEEL"] ?? "tensorflow")
      : (process.env["ALBERT_TENSORFLOW_WHEEL"] ?? "tensorflow-cpu");
  const cacheProbe = path.join(cacheRoot(), kind === "gpu" ? "pip-gpu-latest.json" : "pip-latest.json");
  if (existsSync(cacheProbe)) {
    const { key } = JSON.parse(readFileSync(cacheProbe, "utf8")) as { key: string };
    const record = readRecord(path.join(cacheRoot(), key));
    if (record !== undefined) return { ...record, root: path.join(cacheRoot(), key) };
  }
  const downloads = path.join(cacheRoot(), `pip-download-${process.pid}`);
  mkdirSync(downloads, { recursive: true });
  try {
    pipDownload(downloads, [spec]);
    const wheel = readdirSync(downloads).find((f) => f.endsWith(".whl"));
    if (wheel === undefined) throw new SourceUnavailable(`pip download ${spec} produced no wheel`);
    const version = /^[^-]+-([^-]+)-/.exec(wheel)?.[1] ?? "unknown";
    const cuda = kind === "gpu" ? andCudaRequirements(path.join(downloads, wheel)) : [];
    if (kind === "gpu" && cuda.length === 0) {
      throw new SourceUnavailable(`${wheel} lists no and-cuda extra: it is not TensorFlow's CUDA build for Linux`);
    }
    const cudaDownloads = path.join(downloads, "cuda");
    if (cuda.length > 0) pipDownload(cudaDownloads, cuda);
    const key = `tensorflow-${kind === "gpu" ? "gpu" : "cpu"}-${version}-${process.platform}-${process.arch}`;
    const runtime = await cached(key, async (tmp) => {
      extractWheelMembers(path.join(downloads, wheel), tmp);
      for (const cudaWheel of cuda.length > 0 ? readdirSync(cudaDownloads) : []) {
        extractWheelMembers(path.join(cudaDownloads, cudaWheel), tmp, "");
      }
      stripLibraries(path.join(tmp, "lib"));
      return {
        source: "pip",
        version,
        mainLibrary: "libtensorflow_cc.so.2",
        frameworkLibrary: "libtensorflow_framework.so.2",
        detail:
          `libraries of the ${wheel} wheel (pip download ${spec})` +
          (cuda.length > 0 ? ` and CUDA libraries of ${cuda.length} nvidia-* wheels (${cuda.join(" ")})` : ""),
      };
    });
    writeFileSync(cacheProbe, JSON.stringify({ key }) + "\n");
    return runtime;
  } finally {
    rmSync(downloads, { recursive: true, force: true });
  }
}
