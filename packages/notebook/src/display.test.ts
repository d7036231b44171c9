import { describe, expect, it } from "vitest";
import { attentionHeatmapSvg } from "./attention.js";
import {
  showAttention,
  showHeatmap,
  showLayerSchedule,
  showModelSummary,
  showSimilarity,
  showTable,
  showTensor,
  showTokens,
} from "./display.js";
import { heatmapSvg } from "./heatmap.js";
import { tableHtml } from "./html.js";
import { layerScheduleHtml, modelSummaryHtml, type SummarizableBackbone } from "./model-summary.js";
import { similarityHeatmapSvg } from "./similarity.js";
import { tensorPreviewHtml } from "./tensor-preview.js";
import { tokenPiecesHtml } from "./tokens.js";

/** A fake `tslab.display`: records what was shown, by MIME type. */
function fakeDisplay() {
  const shown: [string, string][] = [];
  return {
    shown,
    html: (s: string) => void shown.push(["text/html", s]),
    svg: (s: string) => void shown.push(["image/svg+xml", s]),
  };
}

const backbone: SummarizableBackbone = {
  name: "b",
  weights: [{ path: "group_0_inner_layer_0/w", shape: [2, 2] }],
  layerSchedule: () => [{ name: "group_0_inner_layer_0" }],
  getConfig: () => ({
    vocabulary_size: 1,
    num_layers: 1,
    num_heads: 1,
    num_groups: 1,
    num_inner_repetitions: 1,
    embedding_dim: 1,
    hidden_dim: 2,
    intermediate_dim: 1,
    max_sequence_length: 1,
    num_segments: 1,
  }),
};

describe("show* helpers", () => {
  it("draw what the pure functions return, as HTML or SVG, into the display they are given", () => {
    const d = fakeDisplay();
    const tensor = { shape: [2], dtype: "float32", values: [1, 2] };
    const attention = [
      [
        [
          [1, 0],
          [0.5, 0.5],
        ],
      ],
    ];
    showModelSummary(d, backbone);
    showLayerSchedule(d, backbone);
    showTensor(d, tensor, { name: "t" });
    showTokens(d, ["▁a"], [5]);
    showHeatmap(d, [[1]]);
    showAttention(d, attention, { tokens: ["a", "b"] });
    showSimilarity(
      d,
      [
        [1, 0],
        [0, 1],
      ],
      ["x", "y"],
    );
    showTable(d, ["k"], [["v"]]);
    expect(d.shown).toEqual([
      ["text/html", modelSummaryHtml(backbone)],
      ["text/html", layerScheduleHtml(backbone)],
      ["text/html", tensorPreviewHtml(tensor, { name: "t" })],
      ["text/html", tokenPiecesHtml(["▁a"], [5])],
      ["image/svg+xml", heatmapSvg([[1]])],
      ["image/svg+xml", attentionHeatmapSvg(attention, { tokens: ["a", "b"] })],
      [
        "image/svg+xml",
        similarityHeatmapSvg(
          [
            [1, 0],
            [0, 1],
          ],
          ["x", "y"],
        ),
      ],
      ["text/html", tableHtml(["k"], [["v"]])],
    ]);
  });

  it("tableHtml escapes text, right-aligns numbers and inserts { html } cells as they are", () => {
    const html = tableHtml(
      ["name", "ms"],
      [
        ["<cpu>", 12.5],
        [{ html: "<i>tf</i>" }, 3],
      ],
      { caption: "a & b" },
    );
    expect(html).toContain("&lt;cpu&gt;");
    expect(html).toContain("<i>tf</i>");
    expect(html).toContain(
      "text-align:right;font-family:'DejaVu Sans Mono', Menlo, Consolas, monospace;white-space:nowrap\">12.5</td>",
    );
    expect(html).toContain("a &amp; b</caption>");
  });
});
