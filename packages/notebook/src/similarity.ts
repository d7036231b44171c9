import { heatmapSvg, type HeatmapOptions } from "./heatmap.js";
import { toMatrix, type MatrixLike } from "./tensor-data.js";

/** Options of `cosineSimilarityMatrix`. */
export interface CosineSimilarityOptions {
  /**
   * Subtract the mean of the rows from every row first (default false). Embeddings of one
   * model tend to share a large common direction, which makes every raw similarity high;
   * centring compares what distinguishes the rows from each other.
   */
  center?: boolean;
}

/**
 * Cosine similarity between every pair of rows: `sim[i][j] = a_i · a_j / (|a_i| |a_j|)`, in
 * [-1, 1]. A zero row has similarity 0 with everything (1 with itself).
 *
 * @example
 * ```ts
 * cosineSimilarityMatrix([[1, 0], [1, 1], [0, 2]]);
 * // [[1, 0.7071, 0], [0.7071, 1, 0.7071], [0, 0.7071, 1]] (rounded)
 * cosineSimilarityMatrix([[1, 1], [1, 3]], { center: true }); // [[1, -1], [-1, 1]]
 * ```
 */
export function cosineSimilarityMatrix(
  embeddings: MatrixLike,
  options: CosineSimilarityOptions = {},
): number[][] {
  let rows = toMatrix(embeddings, "cosineSimilarityMatrix");
  const dim = rows[0]?.length ?? 0;
  rows.forEach((row, i) => {
    if (row.length !== dim)
      throw new RangeError(
        `cosineSimilarityMatrix: row ${i} has ${row.length} values, row 0 has ${dim}`,
      );
  });
  if (options.center) {
    const mean = Array.from(
      { length: dim },
      (_, k) => rows.reduce((s, row) => s + (row[k] as number), 0) / rows.length,
    );
    rows = rows.map((row) => row.map((v, k) => v - (mean[k] as number)));
  }
  const norms = rows.map((row) => Math.sqrt(row.reduce((s, v) => s + v * v, 0)));
  return rows.map((a, i) =>
    rows.map((b, j) => {
      if (i === j) return 1;
      const na = norms[i] as number;
      const nb = norms[j] as number;
      if (na === 0 || nb === 0) return 0;
      let dot = 0;
      for (let k = 0; k < dim; k++) dot += (a[k] as number) * (b[k] as number);
      return Math.max(-1, Math.min(1, dot / (na * nb)));
    }),
  );
}

/** Options of `similarityHeatmapSvg`. */
export interface SimilarityHeatmapOptions
  extends Omit<HeatmapOptions, "rowLabels" | "colLabels">, CosineSimilarityOptions {}

/**
 * Draws the cosine similarity between sentence embeddings (one row each) as an SVG heatmap on
 * a fixed [-1, 1] red-blue scale, each value written in its cell (`center: true` subtracts
 * the mean embedding first, see `cosineSimilarityMatrix`).
 *
 * @example
 * ```ts
 * const { pooledOutput } = backbone.predict(preprocessor.call(sentences));
 * tslab.display.svg(similarityHeatmapSvg(pooledOutput, sentences));
 * ```
 */
export function similarityHeatmapSvg(
  embeddings: MatrixLike,
  labels: readonly string[],
  options: SimilarityHeatmapOptions = {},
): string {
  const matrix = cosineSimilarityMatrix(
    embeddings,
    options.center === undefined ? {} : { center: options.center },
  );
  return heatmapSvg(matrix, {
    title: options.center ? "Cosine similarity (centred)" : "Cosine similarity",
    min: -1,
    max: 1,
    scheme: "redBlue",
    showValues: true,
    cellSize: 40,
    maxLabelLength: 28,
    ...options,
    rowLabels: labels,
    colLabels: labels,
  });
}
