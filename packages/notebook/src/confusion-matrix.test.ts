import { describe, expect, it } from "vitest";
import { interpolateColor } from "./color.js";
import { confusionMatrix, confusionMatrixHtml } from "./confusion-matrix.js";
import { showConfusionMatrix } from "./display.js";

/** The count cells of the table, row by row: their text and background. */
function countCells(html: string): { text: string; background: string; bold: boolean }[] {
  return [...html.matchAll(/<td style="([^"]*)" title="[^"]*">(\d+)<\/td>/g)].map((m) => ({
    text: m[2]!,
    background: /background:(#[0-9a-f]{6})/.exec(m[1]!)![1]!,
    bold: m[1]!.includes("font-weight:700"),
  }));
}

describe("confusionMatrix", () => {
  it("counts true classes down and predicted classes across", () => {
    expect(confusionMatrix([0, 0, 1, 1, 2], [0, 1, 1, 1, 0])).toEqual([
      [1, 1, 0],
      [0, 2, 0],
      [1, 0, 0],
    ]);
    expect(confusionMatrix([0], [0], 3)).toEqual([
      [1, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });

  it("refuses mismatched lengths and labels that are not class indexes", () => {
    expect(() => confusionMatrix([0, 1], [0])).toThrow("2 true labels but 1 predictions");
    expect(() => confusionMatrix([0, 1.5], [0, 1])).toThrow("got 1.5");
    expect(() => confusionMatrix([0, 3], [0, 1], 2)).toThrow("class 3 is outside [0, 2)");
  });
});

describe("confusionMatrixHtml", () => {
  const matrix = [
    [8, 2],
    [1, 9],
  ];

  it("shades each count by its share of its row, bolds the diagonal, gives recall, precision and accuracy", () => {
    const html = confusionMatrixHtml(matrix, {
      labels: ["negative", "positive"],
      title: "validation",
    });
    const cells = countCells(html);
    expect(cells.map((c) => c.text)).toEqual(["8", "2", "1", "9"]);
    expect(cells.map((c) => c.background)).toEqual(
      [0.8, 0.2, 0.1, 0.9].map((t) => interpolateColor("blues", t)),
    );
    expect(cells.map((c) => c.bold)).toEqual([true, false, false, true]);
    expect(html).toContain("validation: accuracy 0.85 (17 of 20)");
    // recall: 8/10, 9/10; precision: 8/9, 9/11
    expect([...html.matchAll(/>(0\.\d\d)<\/td>/g)].map((m) => m[1])).toEqual([
      "0.80",
      "0.90",
      "0.89",
      "0.82",
    ]);
    expect(html).toContain('title="true negative, predicted positive: 2"');
  });

  it("escapes labels and writes — for a class never seen", () => {
    const html = confusionMatrixHtml(
      [
        [0, 0],
        [0, 3],
      ],
      { labels: ["<a>", "b"] },
    );
    expect(html).toContain("&lt;a&gt;");
    expect(html).toContain(">—</td>");
  });

  it("refuses a matrix that is not square or labels that do not fit", () => {
    expect(() => confusionMatrixHtml([])).toThrow("empty");
    expect(() => confusionMatrixHtml([[1, 2]])).toThrow("row 0 has 2 counts");
    expect(() => confusionMatrixHtml(matrix, { labels: ["a"] })).toThrow("1 labels for 2 classes");
  });

  it("showConfusionMatrix draws it as HTML", () => {
    const shown: string[] = [];
    showConfusionMatrix({ html: (s) => void shown.push(s), svg: () => {} }, matrix, {
      labels: ["n", "p"],
    });
    expect(shown).toEqual([confusionMatrixHtml(matrix, { labels: ["n", "p"] })]);
  });
});
