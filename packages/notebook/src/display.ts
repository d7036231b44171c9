import type { tf } from "@albert/core";
import {
  attentionHeatmapSvg,
  type AttentionHeatmapOptions,
  type AttentionScores,
} from "./attention.js";
import { confusionMatrixHtml, type ConfusionMatrixOptions } from "./confusion-matrix.js";
import { heatmapSvg, type HeatmapOptions } from "./heatmap.js";
import { lineChartSvg, type LineChartOptions, type LineSeries } from "./line-chart.js";
import { tableHtml, type TableCell, type TableOptions } from "./html.js";
import {
  layerScheduleHtml,
  modelSummaryHtml,
  type BackboneSummary,
  type ModelSummaryOptions,
  type SummarizableBackbone,
} from "./model-summary.js";
import { similarityHeatmapSvg, type SimilarityHeatmapOptions } from "./similarity.js";
import type { MatrixLike } from "./tensor-data.js";
import { tensorPreviewHtml, type TensorData, type TensorPreviewOptions } from "./tensor-preview.js";
import { tokenPiecesHtml, type TokenPiecesOptions } from "./tokens.js";

/**
 * Where `show*` helpers draw: tslab's `display` (or any object with `html` and `svg`). It is
 * passed in rather than imported, so these helpers work with whichever tslab copy runs the
 * notebook (importing a second copy of "tslab" fails with `Error: Not ready`).
 */
export interface NotebookDisplay {
  html(html: string): void;
  svg(svg: string): void;
}

/**
 * Shows `modelSummaryHtml(backbone, options)`.
 *
 * @example
 * ```ts
 * import * as tslab from "tslab";
 * showModelSummary(tslab.display, backbone);
 * ```
 */
export function showModelSummary(
  display: NotebookDisplay,
  backbone: SummarizableBackbone | BackboneSummary,
  options: ModelSummaryOptions = {},
): void {
  display.html(modelSummaryHtml(backbone, options));
}

/** Shows `layerScheduleHtml(backbone)`: `showLayerSchedule(tslab.display, backbone)`. */
export function showLayerSchedule(
  display: NotebookDisplay,
  backbone: SummarizableBackbone | BackboneSummary,
): void {
  display.html(layerScheduleHtml(backbone));
}

/** Shows `tensorPreviewHtml(tensor, options)`: `showTensor(tslab.display, out.pooledOutput, { name: "pooled" })`. */
export function showTensor(
  display: NotebookDisplay,
  tensor: tf.Tensor | TensorData,
  options: TensorPreviewOptions = {},
): void {
  display.html(tensorPreviewHtml(tensor, options));
}

/** Shows `tokenPiecesHtml(pieces, ids, options)`: `showTokens(tslab.display, pieces, ids, { text })`. */
export function showTokens(
  display: NotebookDisplay,
  pieces: readonly string[],
  ids: readonly number[],
  options: TokenPiecesOptions = {},
): void {
  display.html(tokenPiecesHtml(pieces, ids, options));
}

/** Shows `heatmapSvg(matrix, options)`: `showHeatmap(tslab.display, [[1, 0], [0, 1]])`. */
export function showHeatmap(
  display: NotebookDisplay,
  matrix: readonly (readonly number[])[],
  options: HeatmapOptions = {},
): void {
  display.svg(heatmapSvg(matrix, options));
}

/**
 * Shows `attentionHeatmapSvg(scores, options)`.
 *
 * @example
 * ```ts
 * showAttention(tslab.display, out.attentionScores!, { application: 0, head: 1, tokens: pieces });
 * ```
 */
export function showAttention(
  display: NotebookDisplay,
  scores: AttentionScores,
  options: AttentionHeatmapOptions = {},
): void {
  display.svg(attentionHeatmapSvg(scores, options));
}

/** Shows `similarityHeatmapSvg(embeddings, labels, options)`: `showSimilarity(tslab.display, pooled, sentences)`. */
export function showSimilarity(
  display: NotebookDisplay,
  embeddings: MatrixLike,
  labels: readonly string[],
  options: SimilarityHeatmapOptions = {},
): void {
  display.svg(similarityHeatmapSvg(embeddings, labels, options));
}

/** Shows `tableHtml(headers, rows, options)`: `showTable(tslab.display, ["a", "b"], [[1, 2]])`. */
export function showTable(
  display: NotebookDisplay,
  headers: readonly string[],
  rows: readonly (readonly TableCell[])[],
  options: TableOptions = {},
): void {
  display.html(tableHtml(headers, rows, options));
}

/**
 * Shows `lineChartSvg(series, options)`: loss or accuracy curves.
 *
 * @example
 * ```ts
 * showLineChart(tslab.display, [{ name: "loss", values: history.history.loss }], { xLabel: "epoch" });
 * ```
 */
export function showLineChart(
  display: NotebookDisplay,
  series: readonly LineSeries[],
  options: LineChartOptions = {},
): void {
  display.svg(lineChartSvg(series, options));
}

/**
 * Shows `confusionMatrixHtml(matrix, options)`.
 *
 * @example
 * ```ts
 * showConfusionMatrix(tslab.display, confusionMatrix(labels, predictions), { labels: ["neg", "pos"] });
 * ```
 */
export function showConfusionMatrix(
  display: NotebookDisplay,
  matrix: readonly (readonly number[])[],
  options: ConfusionMatrixOptions = {},
): void {
  display.html(confusionMatrixHtml(matrix, options));
}
