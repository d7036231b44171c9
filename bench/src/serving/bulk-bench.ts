import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PACKAGE_ROOT, parseResultLine } from "../child-process.js";
import { ensurePythonEnv, pythonChildEnv } from "../python-env.js";

export interface BulkRow {
  name: string;
  sentencesPerSecond: number | null;
  seconds: number | null;
  /** Padded tokens computed per real token (1 = no padding). */
  paddingFactor?: number;
  note?: string;
}

const BATCH = 32;
const LENGTH = 128;

/**
 * Sentences per second of encoding the same sentences into mean-pooled vectors (at most 128
 * tokens each, batches of 32): `encodeCorpus` (length-sorted within the window, each batch
 * padded to its longest), the same model on batches in input order padded to 128 and padded to
 * their longest, and HF transformers' `AlbertModel` on PyTorch (batches of 32 in input order,
 * `padding=True`), in a Python process.
 */
export async function bulkBenchmark(options: {
  preset: string;
  vocabulary: string;
  sentences: readonly string[];
  rounds: number;
  python?: string;
  log: (line: string) => void;
}): Promise<BulkRow[]> {
  const { EmbeddingModel, encodeCorpus, lengthSortedBatches } = await import("@albert/serve");
  const { AlbertBackbone, meanPool, tf } = await import("@albert/core");
  const { AlbertPreprocessor } = await import("@albert/tokenizer");
  const dir = mkdtempSync(path.join(tmpdir(), "albert-bulk-bench-"));
  const input = path.join(dir, "sentences.txt");
  writeFileSync(input, `${options.sentences.join("\n")}\n`);
  const n = options.sentences.length;
  const model = await EmbeddingModel.fromPreset(options.preset, { sequenceLength: LENGTH });
  const backbone = await AlbertBackbone.fromPreset(options.preset);
  const preprocessor = await AlbertPreprocessor.fromPreset(options.preset, { sequenceLength: LENGTH });
  const ids = options.sentences.map((s) => model.tokenize(s).ids.length + 2);
  const real = ids.reduce((a, b) => a + b, 0);
  const inOrder = Array.from({ length: Math.ceil(n / BATCH) }, (_, b) => ids.slice(b * BATCH, (b + 1) * BATCH));
  const sorted = lengthSortedBatches(ids, BATCH * LENGTH, BATCH).map((b) => b.map((i) => ids[i]!));
  const padded = (batches: number[][]) => batches.reduce((sum, b) => sum + b.length * Math.max(...b), 0) / real;
  const variants: { row: Omit<BulkRow, "sentencesPerSecond" | "seconds">; run: (round: number) => Promise<number | undefined> }[] = [
    {
      row: { name: "albert-ts encodeCorpus: length-sorted, padded to each batch's longest", paddingFactor: padded(sorted) },
      run: async (round) => {
        await encodeCorpus({ input, output: path.join(dir, `sorted-${round}`), model, preset: options.preset, shardSize: 10_000, maxBatchSize: BATCH, maxBatchTokens: BATCH * LENGTH });
        return undefined;
      },
    },
    {
      row: { name: "albert-ts, input order, padded to each batch's longest", paddingFactor: padded(inOrder) },
      run: async () => {
        for (let i = 0; i < n; i += BATCH) model.embed(options.sentences.slice(i, i + BATCH).map((s) => model.tokenize(s).ids));
        return undefined;
      },
    },
    {
      row: { name: "albert-ts, input order, every batch padded to 128", paddingFactor: (n * LENGTH) / real },
      run: async () => {
        for (let i = 0; i < n; i += BATCH) {
          const packed = preprocessor.call(options.sentences.slice(i, i + BATCH));
          const out = backbone.predict(packed);
          const pooled = meanPool(out.sequenceOutput, packed.paddingMask);
          pooled.dataSync();
          tf.dispose([out.sequenceOutput, out.pooledOutput, pooled]);
        }
        return undefined;
      },
    },
    {
      row: { name: "HF transformers AlbertModel (PyTorch), input order, padded to each batch's longest", paddingFactor: padded(inOrder) },
      // Times itself in its own process (model set-up left out).
      run: async () => hfSeconds(options, input),
    },
  ];
  const times: (number | undefined)[][] = variants.map(() => []);
  try {
    // Warm-up: the first calls of each shape build TF's kernels.
    model.embed(options.sentences.slice(0, BATCH).map((s) => model.tokenize(s).ids));
    // The variants take turns, round after round: a busy spell on a shared machine then hits
    // each of them alike; each reports its best round.
    for (let round = 0; round < options.rounds; round++) {
      for (const [v, variant] of variants.entries()) {
        options.log(`bulk round ${round + 1}/${options.rounds}: ${variant.row.name} (${n} sentences)`);
        const start = performance.now();
        const own = await variant.run(round);
        times[v]!.push(own ?? (performance.now() - start) / 1000);
      }
    }
  } catch (error) {
    options.log(`bulk: ${(error as Error).message}`);
  } finally {
    model.dispose();
    backbone.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
  return variants.map((variant, v) => {
    const measured = times[v]!.filter((t): t is number => t !== undefined && Number.isFinite(t));
    const seconds = measured.length > 0 ? Math.min(...measured) : null;
    return { ...variant.row, seconds, sentencesPerSecond: seconds === null ? null : n / seconds, ...(seconds === null ? { note: hfNote || "failed" } : {}) };
  });
}

let hfNote = "";

/** HF's time for one pass, from the Python script; NaN (and `hfNote`) when it cannot run. */
async function hfSeconds(options: { vocabulary: string; python?: string; log: (line: string) => void }, input: string): Promise<number> {
  const env = ensurePythonEnv({ ...(options.python === undefined ? {} : { python: options.python }), log: options.log });
  if (env.error !== undefined) {
    hfNote = env.error;
    return Number.NaN;
  }
  const run = spawnSync(
    env.python,
    [path.join(PACKAGE_ROOT, "python", "hf_bulk_encode.py"), "--sentences", input, "--vocabulary", options.vocabulary, "--batch", String(BATCH), "--max-length", String(LENGTH)],
    { encoding: "utf8", env: pythonChildEnv(env), maxBuffer: 64 << 20 },
  );
  const result = parseResultLine(run.stdout);
  if (result === undefined || typeof result["seconds"] !== "number") {
    hfNote = String(result?.["unavailable"] ?? run.stderr.trim().split("\n").pop() ?? `exit ${run.status}`);
    return Number.NaN;
  }
  hfNote = `torch ${String(result["torch"])}, transformers ${String(result["transformers"])}, ${String(result["threads"])} threads`;
  return result["seconds"];
}
