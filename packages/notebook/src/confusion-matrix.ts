import { textColorOn, valueToColor } from "./color.js";
import { escapeHtml } from "./escape.js";
import { box, CELL, HEAD_CELL, TABLE, TEXT_CELL } from "./html.js";

/**
 * Counts how often each true class (row) was predicted as each class (column): a
 * `numClasses × numClasses` matrix of integers. `numClasses` defaults to one more than the
 * largest class index seen.
 *
 * @example
 * ```ts
 * confusionMatrix([0, 0, 1, 1], [0, 1, 1, 1]); // [[1, 1], [0, 2]]
 * ```
 */
export function confusionMatrix(
  yTrue: readonly number[],
  yPred: readonly number[],
  numClasses?: number,
): number[][] {
  if (yTrue.length !== yPred.length) {
    throw new RangeError(
      `confusionMatrix: ${yTrue.length} true labels but ${yPred.length} predictions`,
    );
  }
  const all = [...yTrue, ...yPred];
  const bad = all.find((v) => !Number.isInteger(v) || v < 0);
  if (bad !== undefined) {
    throw new RangeError(
      `confusionMatrix: labels must be class indexes (integers >= 0), got ${bad}`,
    );
  }
  const size = numClasses ?? (all.length === 0 ? 0 : Math.max(...all) + 1);
  const outside = all.find((v) => v >= size);
  if (outside !== undefined) {
    throw new RangeError(
      `confusionMatrix: class ${outside} is outside [0, ${size}) (numClasses ${size})`,
    );
  }
  const matrix = Array.from({ length: size }, () => new Array<number>(size).fill(0));
  yTrue.forEach((t, i) => matrix[t]![yPred[i]!]!++);
  return matrix;
}

/** Options of `confusionMatrixHtml`. */
export interface ConfusionMatrixOptions {
  /** One name per class (default: the class indexes). */
  labels?: readonly string[];
  /** A caption above the table (escaped); the accuracy follows it. */
  title?: string;
}

function ratio(part: number, total: number): string {
  return total === 0 ? "—" : (part / total).toFixed(2);
}

/**
 * A confusion matrix as an HTML table: true classes down, predicted classes across, each count
 * shaded by its share of its row (so a good classifier shows a dark diagonal), the diagonal in
 * bold, each class's recall at the end of its row and precision under its column, and the
 * accuracy in the caption.
 *
 * @example
 * ```ts
 * const matrix = confusionMatrix(labels, predictions, 2);
 * tslab.display.html(confusionMatrixHtml(matrix, { labels: ["negative", "positive"] }));
 * ```
 */
export function confusionMatrixHtml(
  matrix: readonly (readonly number[])[],
  options: ConfusionMatrixOptions = {},
): string {
  const size = matrix.length;
  if (size === 0) throw new RangeError("confusionMatrixHtml: the matrix is empty");
  matrix.forEach((row, i) => {
    if (row.length !== size) {
      throw new RangeError(
        `confusionMatrixHtml: row ${i} has ${row.length} counts; a ${size}-class matrix needs ${size}`,
      );
    }
  });
  const labels = options.labels ?? matrix.map((_, i) => String(i));
  if (labels.length !== size) {
    throw new RangeError(`confusionMatrixHtml: ${labels.length} labels for ${size} classes`);
  }
  const rowTotals = matrix.map((row) => row.reduce((a, b) => a + b, 0));
  const colTotals = matrix.map((_, j) => matrix.reduce((a, row) => a + row[j]!, 0));
  const total = rowTotals.reduce((a, b) => a + b, 0);
  const correct = matrix.reduce((a, row, i) => a + row[i]!, 0);

  const head =
    `<tr><th style="${HEAD_CELL}">true \\ predicted</th>` +
    labels.map((l) => `<th style="${HEAD_CELL}">${escapeHtml(l)}</th>`).join("") +
    `<th style="${HEAD_CELL}">recall</th></tr>`;
  const body = matrix
    .map((row, i) => {
      const cells = row.map((count, j) => {
        const fill = valueToColor(rowTotals[i] === 0 ? 0 : count / rowTotals[i]!, 0, 1, "blues");
        const weight = i === j ? "font-weight:700;" : "";
        return `<td style="${CELL};${weight}background:${fill};color:${textColorOn(fill)}" title="${escapeHtml(`true ${labels[i]}, predicted ${labels[j]}: ${count}`)}">${count}</td>`;
      });
      return (
        `<tr><th style="${HEAD_CELL};text-align:left">${escapeHtml(labels[i]!)}</th>${cells.join("")}` +
        `<td style="${CELL}">${ratio(row[i]!, rowTotals[i]!)}</td></tr>`
      );
    })
    .join("");
  const precision =
    `<tr><th style="${HEAD_CELL};text-align:left">precision</th>` +
    matrix
      .map((_, j) => `<td style="${CELL}">${ratio(matrix[j]![j]!, colTotals[j]!)}</td>`)
      .join("") +
    `<td style="${TEXT_CELL}"></td></tr>`;
  const caption = `${options.title ? `${escapeHtml(options.title)}: ` : ""}accuracy ${ratio(correct, total)} (${correct} of ${total})`;
  return box(
    "albert-confusion-matrix",
    `<table style="${TABLE}"><caption style="text-align:left;font-weight:600;padding:2px 0">${caption}</caption>${head}${body}${precision}</table>`,
  );
}
