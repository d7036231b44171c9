import { AlbertInputError } from "../errors.js";
import type { BatchInput } from "../inputs.js";
import { tf } from "../tf.js";
import { toGrid, type Grid } from "./task-data.js";

/** Packed inputs of a task: the backbone's three, and the masked LM's `maskPositions`. */
export interface PackedTaskInputs {
  tokenIds: BatchInput;
  segmentIds: BatchInput;
  paddingMask: BatchInput;
  /** Masked LM only: positions to predict, int [batch, numPredictions]. */
  maskPositions?: BatchInput;
}

const REQUIRED = ["tokenIds", "segmentIds", "paddingMask"] as const;

/** `true`/`false` in a padding mask read as 1/0 (the backbone takes booleans there too). */
function maskToNumbers(value: unknown): unknown {
  if (value instanceof tf.Tensor || !Array.isArray(value)) return value;
  return value.map((row) => (Array.isArray(row) ? row.map((v) => (v === true ? 1 : v === false ? 0 : v)) : row));
}

/**
 * Packed inputs as int grids: `tokenIds`, `segmentIds`, `paddingMask` (and `maskPositions`
 * when present), each `[batch, n]` from nested arrays, typed arrays or tensors. Their values
 * are checked later by the backbone's own validation; here only their structure.
 */
export function packedGrids(x: unknown, argument = "x"): Record<string, Grid> {
  if (typeof x !== "object" || x === null || Array.isArray(x) || x instanceof tf.Tensor) {
    throw new AlbertInputError(
      "invalid_type",
      argument,
      `${argument} must be raw text (with a preprocessor attached) or packed { tokenIds, segmentIds, paddingMask }, got ${
        x instanceof tf.Tensor ? `a tensor of shape [${x.shape}]` : JSON.stringify(x)?.slice(0, 80)
      }`,
    );
  }
  const inputs = x as Record<string, unknown>;
  const grids: Record<string, Grid> = {};
  for (const name of REQUIRED) {
    if (inputs[name] === undefined) {
      throw new AlbertInputError("missing_input", name, `${argument}.${name} is missing: packed inputs are { tokenIds, segmentIds, paddingMask } ([batch, seq] each)`);
    }
    grids[name] = toGrid(name === "paddingMask" ? maskToNumbers(inputs[name]) : inputs[name], name, 2, "int");
  }
  if (inputs["maskPositions"] !== undefined) grids["maskPositions"] = toGrid(inputs["maskPositions"], "maskPositions", 2, "int");
  return grids;
}
