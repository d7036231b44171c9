import type { tf } from "@albert/core";
import { heatmapSvg, type HeatmapOptions } from "./heatmap.js";
import { isTensor } from "./tensor-data.js";

/** Attention probabilities: what `predict(..., { returnAttentionScores: true })` returns (one
 * `[batch, heads, seq, seq]` tensor per encoder application), one such tensor, or nested arrays. */
export type AttentionScores =
  readonly tf.Tensor[] | tf.Tensor | readonly (readonly (readonly (readonly number[])[])[])[];

/** Options of `attentionHeatmapSvg`. */
export interface AttentionHeatmapOptions extends Omit<HeatmapOptions, "rowLabels" | "colLabels"> {
  /** Which encoder application, when `scores` is the per-application list (default 0). */
  application?: number;
  /** Which head (default 0). */
  head?: number;
  /** Which row of the batch (default 0). */
  batch?: number;
  /** Token labels (e.g. the pieces). When shorter than the sequence, the map is cut to these
   * first tokens, which hides padding. */
  tokens?: readonly string[];
  /** Names of the applications (e.g. `backbone.layerSchedule().map((l) => l.name)`), shown
   * in the default title. */
  layerNames?: readonly string[];
}

type Nested4 = number[][][][];

function isTensorList(value: AttentionScores): value is readonly tf.Tensor[] {
  return Array.isArray(value) && value.length > 0 && isTensor(value[0]);
}

/**
 * The `[seq, seq]` attention matrix of one application, head and batch row: row `i` holds how
 * much query token `i` attends to each key token.
 *
 * @example
 * ```ts
 * const { attentionScores } = backbone.predict(inputs, { returnAttentionScores: true });
 * const m = attentionMatrix(attentionScores!, { application: 3, head: 1 }); // number[][]
 * ```
 */
export function attentionMatrix(
  scores: AttentionScores,
  options: Pick<AttentionHeatmapOptions, "application" | "head" | "batch"> = {},
): number[][] {
  const application = options.application ?? 0;
  const head = options.head ?? 0;
  const batch = options.batch ?? 0;
  let tensor: tf.Tensor | Nested4;
  if (isTensorList(scores)) {
    const picked = scores[application];
    if (picked === undefined) {
      throw new RangeError(
        `attention: application ${application} does not exist; there are ${scores.length} (0 to ${scores.length - 1})`,
      );
    }
    tensor = picked;
  } else if (isTensor(scores)) {
    if (application !== 0)
      throw new RangeError("attention: `application` needs the per-application list of tensors");
    tensor = scores;
  } else {
    tensor = scores as unknown as Nested4;
  }
  const array: Nested4 = isTensor(tensor) ? checkRank4(tensor) : tensor;
  const rows = array[batch];
  if (rows === undefined)
    throw new RangeError(
      `attention: batch row ${batch} does not exist; the batch has ${array.length}`,
    );
  const matrix = rows[head];
  if (matrix === undefined)
    throw new RangeError(
      `attention: head ${head} does not exist; there are ${rows.length} heads (0 to ${rows.length - 1})`,
    );
  return matrix.map((row) => [...row]);
}

function checkRank4(tensor: tf.Tensor): Nested4 {
  if (tensor.rank !== 4) {
    throw new RangeError(
      `attention: expected [batch, heads, seq, seq], got shape [${tensor.shape.join(", ")}]`,
    );
  }
  return tensor.arraySync() as Nested4;
}

/**
 * Draws one head's attention probabilities as an SVG heatmap, queries down the side and keys
 * along the top, on a fixed [0, 1] scale.
 *
 * @example
 * ```ts
 * const out = backbone.predict(inputs, { returnAttentionScores: true });
 * const svg = attentionHeatmapSvg(out.attentionScores!, {
 *   application: 0, head: 1, tokens: ["[CLS]", "▁the", "▁fox", "[SEP]"],
 *   layerNames: backbone.layerSchedule().map((l) => l.name),
 * });
 * tslab.display.svg(svg);
 * ```
 */
export function attentionHeatmapSvg(
  scores: AttentionScores,
  options: AttentionHeatmapOptions = {},
): string {
  const full = attentionMatrix(scores, options);
  const seq = full.length;
  const tokens = options.tokens;
  if (tokens !== undefined && tokens.length > seq) {
    throw new RangeError(`attentionHeatmapSvg: ${tokens.length} tokens for a sequence of ${seq}`);
  }
  const length = tokens?.length ?? seq;
  const matrix = full.slice(0, length).map((row) => row.slice(0, length));
  const labels = tokens ? [...tokens] : Array.from({ length }, (_, i) => String(i));
  const application = options.application ?? 0;
  const layerName = options.layerNames?.[application];
  const title =
    options.title ??
    `Attention · application ${application}${layerName ? ` (${layerName})` : ""} · head ${options.head ?? 0}`;
  return heatmapSvg(matrix, {
    min: 0,
    max: 1,
    rowAxisLabel: "query",
    colAxisLabel: "key",
    ...options,
    title,
    rowLabels: labels,
    colLabels: labels,
  });
}
