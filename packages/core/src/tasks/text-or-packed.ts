import type { AlbertTextClassifierPreprocessor } from "@albert/tokenizer";
import { AlbertInputError } from "../errors.js";
import { packedGrids } from "./packed-inputs.js";
import { gridRows, isTextInput, takeText, textSegments, type Grid } from "./task-data.js";

/** A task's model inputs for `predict`/`fit`: how many examples, and the packed rows of a batch. */
export interface BatchSource {
  size: number;
  inputs: (indices: readonly number[]) => Record<string, Grid>;
}

/**
 * Inputs of a task that reads `[CLS] a [SEP] (b [SEP])` rows: raw text through the attached
 * preprocessor (strings, `{ first, second }` pairs or KerasHub's `[firsts, seconds]`), or packed
 * `{ tokenIds, segmentIds, paddingMask }`, checked by `checkPacked`. `task` names the model in
 * errors ("the classifier").
 */
export function textOrPackedInputs(
  x: unknown,
  preprocessor: AlbertTextClassifierPreprocessor | null,
  checkPacked: (grids: Record<string, Grid>) => void,
  task: string,
): BatchSource {
  if (isTextInput(x)) {
    if (preprocessor === null) {
      throw new AlbertInputError(
        "invalid_type",
        "x",
        `x is text but ${task} has no preprocessor: attach one (preprocessor: AlbertTextClassifierPreprocessor) or pass packed { tokenIds, segmentIds, paddingMask }`,
      );
    }
    const segments = textSegments(x, "x");
    const size = segments[0]!.length;
    segments.forEach((segment, s) => {
      if (segment.length !== size) {
        throw new AlbertInputError("shape_mismatch", "x", `x: segment ${s} has ${segment.length} texts but segment 0 has ${size}; every segment needs one text per example`);
      }
    });
    return { size, inputs: (indices) => packedGrids(preprocessor.call(takeText(segments, indices))) };
  }
  const grids = packedGrids(x, "x");
  checkPacked(grids);
  return {
    size: grids["tokenIds"]!.shape[0]!,
    inputs: gridRows(grids),
  };
}
