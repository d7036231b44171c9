import { describe, expect, it } from "vitest";
import { showLineChart } from "./display.js";
import { svgSize } from "./heatmap.js";
import { LINE_COLORS, lineChartSvg, niceTicks } from "./line-chart.js";
import { parseSvg, texts } from "./test-utils/svg.js";

/** The polylines of a chart: their colour and points. */
function polylines(svg: string): { color: string; points: [number, number][] }[] {
  const out: { color: string; points: [number, number][] }[] = [];
  for (const group of svg.matchAll(
    /<g class="series" stroke="(#[0-9a-f]{6})"[^>]*>([\s\S]*?)<\/g>/g,
  )) {
    for (const line of group[2]!.matchAll(/<polyline points="([^"]+)"/g)) {
      out.push({
        color: group[1]!,
        points: line[1]!.split(" ").map((p) => p.split(",").map(Number) as [number, number]),
      });
    }
  }
  return out;
}

/** The y of each y tick label, by its text. */
function yTicks(svg: string): Map<string, number> {
  const group = /<g class="y-ticks"[^>]*>([\s\S]*?)<\/g>/.exec(svg)![1]!;
  return new Map(
    [...group.matchAll(/<text x="[\d.]+" y="([\d.]+)"[^>]*>([^<]*)<\/text>/g)].map((m) => [
      m[2]!,
      Number(m[1]),
    ]),
  );
}

describe("niceTicks", () => {
  it("steps of 1, 2 or 5 times a power of ten that cover the range", () => {
    expect(niceTicks(0.12, 0.69)).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks(0.12, 0.69, 7)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]);
    expect(niceTicks(1, 3, 2)).toEqual([1, 2, 3]);
    expect(niceTicks(0, 100)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(-0.3, 0.3, 4)).toEqual([-0.4, -0.2, 0, 0.2, 0.4]);
  });

  it("widens an empty range and refuses a non-finite one", () => {
    expect(niceTicks(0.5, 0.5).length).toBeGreaterThan(1);
    expect(() => niceTicks(0, Infinity)).toThrow(RangeError);
  });
});

describe("lineChartSvg", () => {
  const loss = [0.69, 0.52, 0.4, 0.31];
  const valLoss = [0.7, 0.6, 0.55, 0.53];

  it("draws one line per series in its colour, through every value, on the tick scale", () => {
    const svg = lineChartSvg([
      { name: "loss", values: loss },
      { name: "val_loss", values: valLoss },
    ]);
    const lines = polylines(svg);
    expect(lines.map((l) => l.color)).toEqual([LINE_COLORS[0], LINE_COLORS[1]]);
    expect(lines.map((l) => l.points.length)).toEqual([4, 4]);
    // x steps evenly (epochs 1..4); y is linear in the value, as the tick labels place it.
    const xs = lines[0]!.points.map((p) => p[0]);
    expect(xs[1]! - xs[0]!).toBeCloseTo(xs[3]! - xs[2]!, 1);
    const ticks = yTicks(svg);
    expect([...ticks.keys()]).toEqual(["0.3", "0.4", "0.5", "0.6", "0.7"]);
    const y = (v: number) =>
      ticks.get("0.3")! + ((v - 0.3) / 0.1) * (ticks.get("0.4")! - ticks.get("0.3")!);
    lines[0]!.points.forEach(([, py], i) => expect(py).toBeCloseTo(y(loss[i]!), 1));
    lines[1]!.points.forEach(([, py], i) => expect(py).toBeCloseTo(y(valLoss[i]!), 1));
  });

  it("labels the axes, the legend and each point's tooltip, escaped", () => {
    const svg = lineChartSvg([{ name: "a<b", values: [1, 2], x: [10, 20] }], {
      title: "T & U",
      xLabel: "step",
      yLabel: "loss",
    });
    const t = texts(svg);
    expect(t).toEqual(expect.arrayContaining(["T &amp; U", "step", "loss", "a&lt;b", "10", "20"]));
    expect(svg).toContain("<title>a&lt;b at 20: 2</title>");
  });

  it("breaks a line at a value that is not finite", () => {
    const lines = polylines(lineChartSvg([{ name: "l", values: [1, 2, NaN, 3, 4] }]));
    expect(lines.map((l) => l.points.length)).toEqual([2, 2]);
  });

  it("is a well-formed SVG of the asked size, with everything inside it", () => {
    const svg = lineChartSvg([{ name: "loss", values: loss }], {
      width: 400,
      height: 250,
      title: "t",
    });
    expect(svgSize(svg)).toEqual({ width: 400, height: 250 });
    expect(parseSvg(svg)).toEqual({ width: 400, height: 250 });
    for (const line of polylines(svg)) {
      for (const [x, y] of line.points) {
        expect(x).toBeGreaterThan(0);
        expect(x).toBeLessThan(400);
        expect(y).toBeGreaterThan(0);
        expect(y).toBeLessThan(250);
      }
    }
  });

  it("takes a fixed y range", () => {
    const ticks = yTicks(
      lineChartSvg([{ name: "acc", values: [0.5, 0.75] }], { yMin: 0, yMax: 1 }),
    );
    expect([...ticks.keys()]).toEqual(["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]);
  });

  it("refuses nothing to draw and mismatched x", () => {
    expect(() => lineChartSvg([])).toThrow("no series");
    expect(() => lineChartSvg([{ name: "l", values: [NaN] }])).toThrow("no finite value");
    expect(() => lineChartSvg([{ name: "l", values: [1, 2], x: [1] }])).toThrow(
      '"l" has 2 values but 1 x positions',
    );
    expect(() => lineChartSvg([{ name: "l", values: [1] }], { yMin: 1, yMax: 1 })).toThrow(
      "yMin must be below yMax",
    );
  });

  it("showLineChart draws it as SVG", () => {
    const shown: string[] = [];
    showLineChart(
      { html: () => {}, svg: (s) => void shown.push(s) },
      [{ name: "loss", values: loss }],
      { title: "t" },
    );
    expect(shown).toEqual([lineChartSvg([{ name: "loss", values: loss }], { title: "t" })]);
  });
});
