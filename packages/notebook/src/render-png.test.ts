import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { AlbertBackbone, tf } from "@albert/core";
import { readJson, testdataPath } from "@albert/test-utils";
import { Resvg } from "@resvg/resvg-js";
import { describe, expect, it } from "vitest";
import { attentionHeatmapSvg, attentionMatrix } from "./attention.js";
import { interpolateColor } from "./color.js";
import { svgSize } from "./heatmap.js";
import { cellRects } from "./test-utils/svg.js";

const OUTPUT_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../build/test-output",
);
const ZOOM = 2;

interface TokenizerCase {
  text: string;
  tokens: string[];
}

interface E2eCase {
  inputs: string[];
  token_ids: number[][];
  segment_ids: number[][];
  padding_mask: number[][];
}

function hexToRgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

describe("an attention heatmap rendered to PNG", () => {
  it("renders the tokenizer fixture's backbone on 'Hello, world!' with the cells where the SVG puts them", async () => {
    // The tokenizer fixture: a KerasHub preset with a 1000-piece vocabulary and a tiny backbone.
    const dir = testdataPath("tokenizer");
    const e2e = readJson<E2eCase>(path.join(dir, "e2e_expected.json"));
    const row = e2e.inputs.indexOf("Hello, world!");
    const pieces =
      readJson<TokenizerCase[]>(path.join(dir, "tokenizer_cases.json")).find(
        (c) => c.text === "Hello, world!",
      )?.tokens ?? [];
    const tokens = ["[CLS]", ...pieces, "[SEP]"];
    const backbone = await AlbertBackbone.fromPreset(dir);
    const out = backbone.predict(
      {
        tokenIds: [e2e.token_ids[row] as number[]],
        segmentIds: [e2e.segment_ids[row] as number[]],
        paddingMask: [e2e.padding_mask[row] as number[]],
      },
      { returnAttentionScores: true },
    );
    const scores = out.attentionScores ?? [];
    const options = {
      application: 1,
      head: 0,
      tokens,
      layerNames: backbone.layerSchedule().map((l) => l.name),
    };
    const svg = attentionHeatmapSvg(scores, options);
    const matrix = attentionMatrix(scores, options);
    tf.dispose([out.sequenceOutput, out.pooledOutput, ...scores]);
    backbone.dispose();

    const image = new Resvg(svg, {
      fitTo: { mode: "zoom", value: ZOOM },
      font: { loadSystemFonts: true },
    }).render();
    const png = image.asPng();
    mkdirSync(OUTPUT_DIR, { recursive: true });
    writeFileSync(path.join(OUTPUT_DIR, "attention-heatmap.png"), png);

    // A PNG of the SVG's size, times the zoom.
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const size = svgSize(svg);
    expect(image.width).toBe(size.width * ZOOM);
    expect(image.height).toBe(size.height * ZOOM);

    // Not blank: many colours, and most of the grid is tinted.
    const pixels = image.pixels;
    const pixel = (x: number, y: number): [number, number, number] => {
      const i = (Math.round(y) * image.width + Math.round(x)) * 4;
      return [pixels[i] as number, pixels[i + 1] as number, pixels[i + 2] as number];
    };
    const colours = new Set<number>();
    for (let i = 0; i < pixels.length; i += 4)
      colours.add(
        ((pixels[i] as number) << 16) |
          ((pixels[i + 1] as number) << 8) |
          (pixels[i + 2] as number),
      );
    expect(colours.size).toBeGreaterThan(50);

    // Each cell's corner has the colour of its value on the scale (a tiny antialiasing slack).
    const cells = cellRects(svg);
    expect(cells).toHaveLength(tokens.length ** 2);
    cells.forEach((cell, k) => {
      const value = matrix[Math.floor(k / tokens.length)]?.[k % tokens.length] as number;
      const expected = hexToRgb(interpolateColor("blues", value));
      const actual = pixel((cell.x + 3) * ZOOM, (cell.y + 3) * ZOOM);
      actual.forEach((c, i) =>
        expect(Math.abs(c - (expected[i] as number))).toBeLessThanOrEqual(2),
      );
    });
    // Rows are distributions: the colours are not all the same.
    expect(new Set(cells.map((c) => c.fill)).size).toBeGreaterThan(10);
  });
});
