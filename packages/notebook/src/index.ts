/**
 * Rich displays of ALBERT models for notebooks (tslab): every `*Html`/`*Svg` function returns
 * a string and has no side effects; every `show*` function draws one into the `display` it is
 * given (`tslab.display`).
 */
export {
  attentionHeatmapSvg,
  attentionMatrix,
  type AttentionHeatmapOptions,
  type AttentionScores,
} from "./attention.js";
export {
  COLOR_SCHEMES,
  interpolateColor,
  relativeLuminance,
  textColorOn,
  valueToColor,
  type ColorScheme,
} from "./color.js";
export {
  confusionMatrix,
  confusionMatrixHtml,
  type ConfusionMatrixOptions,
} from "./confusion-matrix.js";
export {
  showAttention,
  showConfusionMatrix,
  showHeatmap,
  showLayerSchedule,
  showLineChart,
  showModelSummary,
  showSimilarity,
  showTable,
  showTensor,
  showTokens,
  type NotebookDisplay,
} from "./display.js";
export { entitiesHtml, scoreBarHtml, type EntitiesOptions, type TextEntity } from "./entities.js";
export { escapeHtml, truncate } from "./escape.js";
export { formatBytes, formatCompact, formatCount, formatDuration, formatNumber } from "./format.js";
export { heatmapSvg, svgSize, type HeatmapOptions, type SvgSize } from "./heatmap.js";
export { tableHtml, type TableCell, type TableOptions } from "./html.js";
export {
  LINE_COLORS,
  lineChartSvg,
  niceTicks,
  type LineChartOptions,
  type LineSeries,
} from "./line-chart.js";
export {
  formatRanges,
  layerScheduleHtml,
  modelSummaryHtml,
  summarizeBackbone,
  weightSetColor,
  type BackboneSummary,
  type LayerSummary,
  type ModelSummaryOptions,
  type SummarizableBackbone,
  type SummaryConfig,
  type WeightSummary,
} from "./model-summary.js";
export {
  ProgressDisplay,
  progressHtml,
  type DownloadProgressEvent,
  type ProgressDisplayOptions,
  type ProgressState,
  type UpdatableDisplay,
} from "./progress.js";
export {
  cosineSimilarityMatrix,
  similarityHeatmapSvg,
  type CosineSimilarityOptions,
  type SimilarityHeatmapOptions,
} from "./similarity.js";
export { seedWeights, type SeedableBackbone } from "./seed-weights.js";
export { isTensor, toMatrix, type MatrixLike } from "./tensor-data.js";
export {
  tensorPreviewHtml,
  tensorStats,
  type TensorData,
  type TensorPreviewOptions,
  type TensorStats,
} from "./tensor-preview.js";
export { tokenPiecesHtml, type TokenPiecesOptions } from "./tokens.js";
