import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { maxAbsDiff } from "./protocol.js";

/** Torch's outputs on one input, written by python/make_weights.py next to the weights. */
export interface ParityReference {
  batch: number;
  seq: number;
  sequenceOutput: Float32Array;
  pooledOutput: Float32Array;
}

export interface ParityResult {
  against: string;
  batch: number;
  seq: number;
  sequenceMaxAbsDiff: number;
  pooledMaxAbsDiff: number;
}

function readFloats(file: string): Float32Array {
  const bytes = readFileSync(file);
  return new Float32Array(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
  );
}

/** The parity reference in `weightsDir`, if make_weights.py wrote one. */
export function readParityReference(weightsDir: string | undefined): ParityReference | undefined {
  if (weightsDir === undefined) return undefined;
  const manifestFile = path.join(weightsDir, "manifest.json");
  const dir = path.join(weightsDir, "parity");
  if (!existsSync(manifestFile) || !existsSync(path.join(dir, "sequence_output.f32")))
    return undefined;
  const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as {
    parity: { batch: number; seq: number };
  };
  return {
    ...manifest.parity,
    sequenceOutput: readFloats(path.join(dir, "sequence_output.f32")),
    pooledOutput: readFloats(path.join(dir, "pooled_output.f32")),
  };
}

/**
 * Compares the first rows of a case's outputs (`batch` rows of the reference's sequence
 * length; row b's ids depend only on b and the position) with torch's.
 */
export function compareParity(
  reference: ParityReference,
  batch: number,
  sequenceOutput: Float32Array,
  pooledOutput: Float32Array,
): ParityResult {
  const rows = Math.min(reference.batch, batch);
  const sequencePerRow = reference.sequenceOutput.length / reference.batch;
  const pooledPerRow = reference.pooledOutput.length / reference.batch;
  return {
    against: "hf_torch",
    batch: rows,
    seq: reference.seq,
    sequenceMaxAbsDiff: maxAbsDiff(
      sequenceOutput.subarray(0, rows * sequencePerRow),
      reference.sequenceOutput.subarray(0, rows * sequencePerRow),
    ),
    pooledMaxAbsDiff: maxAbsDiff(
      pooledOutput.subarray(0, rows * pooledPerRow),
      reference.pooledOutput.subarray(0, rows * pooledPerRow),
    ),
  };
}
