import { describe, expect, it } from "vitest";
import { interpolateColor } from "./color.js";
import { heatmapSvg, svgSize } from "./heatmap.js";
import { cellRects, parseSvg, texts } from "./test-utils/svg.js";

const matrix = [
  [0, 0.25, 0.5],
  [0.75, 1, 0.5],
];

describe("heatmapSvg", () => {
  it("draws one cell per value, row by row, coloured on the scale", () => {
    const svg = heatmapSvg(matrix, { min: 0, max: 1, cellSize: 30 });
    const cells = cellRects(svg);
    expect(cells).toHaveLength(6);
    expect(cells.map((c) => c.fill)).toEqual(
      matrix.flat().map((v) => interpolateColor("blues", v)),
    );
    expect(cells.every((c) => c.size === 30)).toBe(true);
    // Columns step by cellSize along x, rows along y.
    expect((cells[1]?.x as number) - (cells[0]?.x as number)).toBe(30);
    expect((cells[3]?.y as number) - (cells[0]?.y as number)).toBe(30);
    expect(cells[4]?.tip).toBe("1 → 1: 1");
  });

  it("is a well-formed standalone SVG whose size attributes match what a renderer reads", () => {
    const svg = heatmapSvg(matrix, {
      title: "t",
      rowLabels: ["a", "b"],
      colLabels: ["x", "y", "z"],
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.endsWith("</svg>")).toBe(true);
    const size = svgSize(svg);
    expect(parseSvg(svg)).toEqual(size);
    expect(svg).toContain(`viewBox="0 0 ${size.width} ${size.height}"`);
  });

  it("grows with the cell size and the number of cells, and fits the grid", () => {
    const small = svgSize(heatmapSvg(matrix, { cellSize: 10, legend: false }));
    const large = svgSize(heatmapSvg(matrix, { cellSize: 40, legend: false }));
    expect(large.width - small.width).toBe(3 * 30);
    expect(large.height - small.height).toBe(2 * 30);
    const svg = heatmapSvg(matrix, { cellSize: 40 });
    const { width, height } = svgSize(svg);
    for (const cell of cellRects(svg)) {
      expect(cell.x + cell.size).toBeLessThanOrEqual(width);
      expect(cell.y + cell.size).toBeLessThanOrEqual(height);
    }
  });

  it("defaults min and max to the data's range", () => {
    const cells = cellRects(heatmapSvg([[2, 4, 6]]));
    expect(cells.map((c) => c.fill)).toEqual([
      interpolateColor("blues", 0),
      interpolateColor("blues", 0.5),
      interpolateColor("blues", 1),
    ]);
  });

  it("escapes labels and titles, in text and tooltips", () => {
    const labels = ["<unk>", '"q"', "a&b"];
    const svg = heatmapSvg(
      [
        [1, 2, 3],
        [4, 5, 6],
        [7, 8, 9],
      ],
      { rowLabels: labels, colLabels: labels, title: "<script>" },
    );
    expect(svg).not.toContain("<unk>");
    expect(svg).not.toContain("<script>");
    expect(texts(svg)).toEqual(
      expect.arrayContaining(["&lt;unk&gt;", "&quot;q&quot;", "a&amp;b", "&lt;script&gt;"]),
    );
    expect(cellRects(svg)[0]?.tip).toBe("&lt;unk&gt; → &lt;unk&gt;: 1");
    parseSvg(svg);
  });

  it("writes values in cells when asked, in a readable colour", () => {
    const svg = heatmapSvg(matrix, { min: 0, max: 1, showValues: true, decimals: 1 });
    expect(svg).toContain('fill="#111111" pointer-events="none">0.0</text>'); // on white
    expect(svg).toContain('fill="#ffffff" pointer-events="none">1.0</text>'); // on dark blue
    expect(heatmapSvg(matrix, { showValues: false })).not.toContain("pointer-events");
  });

  it("draws a colour bar with min, middle and max unless told not to", () => {
    const svg = heatmapSvg(matrix, { min: -1, max: 1, scheme: "redBlue" });
    expect(svg).toContain('<g class="legend">');
    expect(texts(svg)).toEqual(expect.arrayContaining(["1.00", "0.00", "-1.00"]));
    expect(heatmapSvg(matrix, { legend: false })).not.toContain('class="legend"');
  });

  it("cuts long labels, keeping the whole label in the tooltip", () => {
    const long = "a very long sentence that goes on";
    const svg = heatmapSvg([[1]], { rowLabels: [long], colLabels: [long], maxLabelLength: 10 });
    expect(texts(svg)).toContain("a very lo…");
    expect(cellRects(svg)[0]?.tip).toContain(long);
  });

  it("labels every k-th row and column when cells are too small for text", () => {
    const big = Array.from({ length: 64 }, (_, i) => Array.from({ length: 64 }, (_, j) => i * j));
    const svg = heatmapSvg(big, { cellSize: 4 });
    const rowLabels = svg.split('<g class="row-labels"')[1]?.split("</g>")[0] ?? "";
    expect((rowLabels.match(/<text/g) ?? []).length).toBe(16); // every 4th of 64
  });

  it("rejects empty or ragged matrices and mismatched labels", () => {
    expect(() => heatmapSvg([])).toThrow(/empty/);
    expect(() => heatmapSvg([[1, 2], [3]])).toThrow(/row 1 has 1 values, row 0 has 2/);
    expect(() => heatmapSvg([[1, 2]], { colLabels: ["a"] })).toThrow(
      /colLabels has 1 labels for 2 columns/,
    );
    expect(() => heatmapSvg([[1, 2]], { rowLabels: ["a", "b"] })).toThrow(
      /rowLabels has 2 labels for 1 rows/,
    );
  });
});
