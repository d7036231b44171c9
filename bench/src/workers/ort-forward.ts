/**
 * One forward-pass case of ONNX Runtime in Node (`onnxruntime-node`, the engine
 * transformers.js uses) on the ONNX export of the benchmark's weights, in a fresh process.
 * Default session options, as the committed reference measured them.
 *
 *   node dist/workers/ort-forward.js '{"modelPath":".../model.onnx","batch":8,"seq":128,...}'
 */
import type * as Ort from "onnxruntime-node";
import { makeInputs } from "../cases.js";
import { compareParity, readParityReference, type ParityResult } from "./parity.js";
import {
  emit,
  errorMessage,
  memoryFigures,
  rssMB,
  runWorker,
  timeCalls,
  workerArgs,
} from "./protocol.js";

export interface OrtForwardArgs {
  modelPath: string;
  /** The folder holding the parity reference (the weights folder). */
  weightsDir: string;
  batch: number;
  seq: number;
  warmups: number;
  runs: number;
  vocabularySize: number;
}

runWorker(async () => {
  const args = workerArgs<OrtForwardArgs>();
  const importStart = performance.now();
  let ort: typeof Ort;
  try {
    ort = await import("onnxruntime-node");
  } catch (error) {
    emit({
      unavailable: `onnxruntime-node is not installed or does not load: ${errorMessage(error)}`,
    });
    return;
  }
  const importMs = performance.now() - importStart;

  const loadStart = performance.now();
  const session = await ort.InferenceSession.create(args.modelPath);
  const loadMs = performance.now() - loadStart;
  const rssAfterLoadMB = rssMB();

  const plain = makeInputs(args, args.vocabularySize);
  const dims = [args.batch, args.seq];
  const int64 = (rows: number[][]) =>
    new ort.Tensor("int64", BigInt64Array.from(rows.flat(), BigInt), dims);
  const all: Record<string, Ort.Tensor> = {
    input_ids: int64(plain.tokenIds),
    attention_mask: int64(plain.paddingMask),
    token_type_ids: int64(plain.segmentIds),
  };
  const feeds = Object.fromEntries(session.inputNames.map((name) => [name, all[name]!]));

  const forward = async () => {
    const out = await session.run(feeds);
    const sequence = out["last_hidden_state"]!.data as Float32Array;
    const pooled = out["pooler_output"]!.data as Float32Array;
    for (const tensor of Object.values(out)) tensor.dispose?.();
    return { sequence, pooled };
  };

  const reference = readParityReference(args.weightsDir);
  let parity: ParityResult | undefined;
  const timing = await timeCalls(forward, args.warmups, args.runs, (first) => {
    if (reference !== undefined && reference.seq === args.seq) {
      parity = compareParity(reference, args.batch, first.sequence, first.pooled);
    }
  });

  emit({
    implementation: "onnxruntime-node",
    batch: args.batch,
    seq: args.seq,
    ...timing,
    importMs,
    loadMs,
    rssAfterLoadMB,
    ...memoryFigures(),
    ...(parity ? { parity } : {}),
    versions: {
      onnxruntime: ort.env.versions.node ?? ort.env.versions.common,
      node: process.versions.node,
    },
  });
  await session.release();
});
