/**
 * The browser benchmark's page (bundled by run.ts with esbuild for browsers): albert_base on
 * one TF.js backend, or ONNX Runtime Web on the ONNX export of the same weights, timed the way
 * a page would call them. Runs in Chromium; `window.bench` is what run.ts calls.
 */
import { initBackend } from "@albert/backends";
import { AlbertBackbone, tf } from "@albert/core";
import { makeInputs, median } from "../cases.js";

export interface PageCase {
  batch: number;
  seq: number;
  warmups: number;
  runs: number;
}

export interface PageResult {
  implementation: string;
  version: string;
  threads: string;
  loadMs: number;
  firstCallMs: number;
  medianMs: number;
  minMs: number;
  timesMs: number[];
  /** Max |difference| of the first call's first row from torch's outputs (1x128 reference). */
  parity?: { sequence: number; pooled: number };
  leakedTensors?: number;
}

type Outputs = { sequence: Float32Array; pooled: Float32Array };

const MODEL = "/model/";

async function reference(): Promise<Outputs | undefined> {
  const read = async (name: string) => {
    const response = await fetch(`${MODEL}parity/${name}.f32`);
    return response.ok ? new Float32Array(await response.arrayBuffer()) : undefined;
  };
  const [sequence, pooled] = [await read("sequence_output"), await read("pooled_output")];
  return sequence === undefined || pooled === undefined ? undefined : { sequence, pooled };
}

function maxDiff(actual: Float32Array, expected: Float32Array): number {
  let max = 0;
  for (let i = 0; i < expected.length; i++) max = Math.max(max, Math.abs(actual[i]! - expected[i]!));
  return max;
}

/** Warm-ups (the first is reported alone), then timed runs; the first call's outputs checked. */
async function time(c: PageCase, call: () => Promise<Outputs>): Promise<Omit<PageResult, "implementation" | "version" | "threads" | "loadMs">> {
  let first: Outputs | undefined;
  let firstCallMs = 0;
  for (let i = 0; i < c.warmups; i++) {
    const start = performance.now();
    const out = await call();
    if (i === 0) {
      firstCallMs = performance.now() - start;
      first = out;
    }
  }
  const timesMs: number[] = [];
  for (let i = 0; i < c.runs; i++) {
    const start = performance.now();
    await call();
    timesMs.push(performance.now() - start);
  }
  const ref = c.seq === 128 ? await reference() : undefined;
  const parity =
    ref !== undefined && first !== undefined
      ? { sequence: maxDiff(first.sequence, ref.sequence), pooled: maxDiff(first.pooled, ref.pooled) }
      : undefined;
  return { firstCallMs, medianMs: median(timesMs), minMs: Math.min(...timesMs), timesMs, ...(parity ? { parity } : {}) };
}

/** Ours: `fromPreset` of the HF folder, then `predict` and both outputs read back per call. */
async function runOurs(backend: "wasm" | "webgl" | "webgpu", c: PageCase): Promise<PageResult> {
  // Bundled for browsers, @albert/backends is its browser build, which takes these names; the
  // bench's TypeScript sees the Node build's types.
  const initBrowserBackend = initBackend as (name: string, options: { wasmPath: string }) => ReturnType<typeof initBackend>;
  const info = await initBrowserBackend(backend, { wasmPath: "/wasm/" });
  const loadStart = performance.now();
  const model = await AlbertBackbone.fromPreset(MODEL);
  const loadMs = performance.now() - loadStart;
  const plain = makeInputs(c, model.vocabularySize);
  const inputs = {
    tokenIds: tf.tensor2d(plain.tokenIds, [c.batch, c.seq], "int32"),
    segmentIds: tf.tensor2d(plain.segmentIds, [c.batch, c.seq], "int32"),
    paddingMask: tf.tensor2d(plain.paddingMask, [c.batch, c.seq], "int32"),
  };
  const before = tf.memory().numTensors;
  const timing = await time(c, async () => {
    const { sequenceOutput, pooledOutput } = model.predict(inputs);
    const out = { sequence: (await sequenceOutput.data()) as Float32Array, pooled: (await pooledOutput.data()) as Float32Array };
    tf.dispose([sequenceOutput, pooledOutput]);
    return out;
  });
  const leakedTensors = tf.memory().numTensors - before;
  tf.dispose(Object.values(inputs));
  model.dispose();
  return {
    implementation: `albert-ts/${info.name}`,
    version: `${info.version}${info.device === undefined ? "" : `, ${info.device}`}`,
    threads: info.threads === undefined ? "GPU" : String(info.threads),
    loadMs,
    ...timing,
    leakedTensors,
  };
}

// The parts of onnxruntime-web used here; it is loaded from its own prebuilt module (served at
// /ort/), as transformers.js loads it.
interface OrtTensor {
  data: unknown;
  dispose?(): void;
}
interface Ort {
  env: { versions: Record<string, string>; wasm: { numThreads?: number; wasmPaths?: string } };
  Tensor: new (type: string, data: BigInt64Array, dims: number[]) => OrtTensor;
  InferenceSession: {
    create(url: string, options?: Record<string, unknown>): Promise<{
      inputNames: readonly string[];
      run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
      release(): Promise<void>;
    }>;
  };
}

/** ONNX Runtime Web on WebAssembly, default session options. */
async function runOrt(c: PageCase): Promise<PageResult> {
  const ort = (await import(/* @vite-ignore */ "/ort/ort.wasm.min.mjs" as string)) as Ort;
  ort.env.wasm.wasmPaths = "/ort/";
  const loadStart = performance.now();
  const session = await ort.InferenceSession.create(`${MODEL}model.onnx`, { executionProviders: ["wasm"] });
  const loadMs = performance.now() - loadStart;
  const plain = makeInputs(c, 30000);
  const int64 = (rows: number[][]) => new ort.Tensor("int64", BigInt64Array.from(rows.flat(), BigInt), [c.batch, c.seq]);
  const all: Record<string, OrtTensor> = {
    input_ids: int64(plain.tokenIds),
    attention_mask: int64(plain.paddingMask),
    token_type_ids: int64(plain.segmentIds),
  };
  const feeds = Object.fromEntries(session.inputNames.map((name) => [name, all[name]!]));
  const timing = await time(c, async () => {
    const out = await session.run(feeds);
    const result = { sequence: out["last_hidden_state"]!.data as Float32Array, pooled: out["pooler_output"]!.data as Float32Array };
    for (const tensor of Object.values(out)) tensor.dispose?.();
    return result;
  });
  await session.release();
  return {
    implementation: "onnxruntime-web/wasm",
    version: `onnxruntime-web ${ort.env.versions["web"] ?? ort.env.versions["common"] ?? "?"}`,
    threads: String(ort.env.wasm.numThreads ?? 1),
    loadMs,
    ...timing,
  };
}

(globalThis as unknown as { bench: unknown }).bench = { runOurs, runOrt };
