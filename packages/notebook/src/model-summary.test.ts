import { AlbertBackbone } from "@albert/core";
import { describe, expect, it } from "vitest";
import {
  formatRanges,
  layerScheduleHtml,
  modelSummaryHtml,
  summarizeBackbone,
  weightSetColor,
  type SummarizableBackbone,
  type SummaryConfig,
} from "./model-summary.js";

const config: SummaryConfig = {
  vocabulary_size: 10,
  num_layers: 4,
  num_heads: 1,
  num_groups: 2,
  num_inner_repetitions: 1,
  embedding_dim: 2,
  hidden_dim: 3,
  intermediate_dim: 4,
  max_sequence_length: 5,
  num_segments: 2,
};

/** A hand-made backbone: 2 groups of 1 layer over 4 layers (g0 g0 g1 g1), one weight each. */
const fake: SummarizableBackbone = {
  name: "fake <model>",
  weights: [
    { path: "token_embedding/embeddings", shape: [10, 2] },
    { path: "embedding_projection/kernel", shape: [2, 3] },
    { path: "group_0_inner_layer_0/w", shape: [3, 3] },
    { path: "group_1_inner_layer_0/w", shape: [3, 3] },
    { path: "pooled_dense/kernel", shape: [3, 3] },
    { path: "pooled_dense/bias", shape: [3] },
  ],
  layerSchedule: () =>
    [
      "group_0_inner_layer_0",
      "group_0_inner_layer_0",
      "group_1_inner_layer_0",
      "group_1_inner_layer_0",
    ].map((name) => ({ name })),
  getConfig: () => config,
};

describe("summarizeBackbone", () => {
  it("groups weights by layer, in order, with parameters, kinds and output shapes", () => {
    const s = summarizeBackbone(fake);
    expect(s.layers.map((l) => [l.name, l.kind, l.params, l.outputShape])).toEqual([
      ["token_embedding", "embedding", 20, "[batch, seq, 2]"],
      ["embedding_projection", "dense", 6, "[batch, seq, 3]"],
      ["group_0_inner_layer_0", "encoder", 9, "[batch, seq, 3]"],
      ["group_1_inner_layer_0", "encoder", 9, "[batch, seq, 3]"],
      ["pooled_dense", "dense", 12, "[batch, 3]"],
    ]);
    expect(s.layers[4]?.weights).toEqual([
      { path: "kernel", shape: [3, 3], params: 9 },
      { path: "bias", shape: [3], params: 3 },
    ]);
  });

  it("finds where each shared weight set runs and what sharing saves", () => {
    const s = summarizeBackbone(fake);
    expect(s.layers[2]?.applications).toEqual([0, 1]);
    expect(s.layers[3]?.applications).toEqual([2, 3]);
    expect(s.params).toBe(20 + 6 + 9 + 9 + 12);
    expect(s.paramsWithoutSharing).toBe(20 + 6 + 4 * 9 + 12);
    // BERT: (10 + 5 + 2) * 3 embeddings + 2 * 3 layer norm, 4 unshared layers, the pooler.
    expect(s.bertParams).toBe(17 * 3 + 6 + 4 * 9 + 12);
  });

  it("matches KerasHub's counts for the albert_base shape", async () => {
    const backbone = await AlbertBackbone.fromPreset("albert_base_en_uncased", {
      loadWeights: false,
    });
    try {
      const s = summarizeBackbone(backbone);
      expect(s.params).toBe(backbone.countParams());
      expect(s.params).toBe(11_683_584);
      const encoder = s.layers.filter((l) => l.kind === "encoder");
      expect(encoder.map((l) => [l.name, l.params, l.applications.length])).toEqual([
        ["group_0_inner_layer_0", 7_087_872, 12],
      ]);
      expect(s.paramsWithoutSharing).toBe(11_683_584 + 11 * 7_087_872);
      // BERT-base with a 30,000-piece vocabulary (bert-base-uncased's 109,482,240 minus 522 × 768).
      expect(s.bertParams).toBe(109_081_344);
      const html = modelSummaryHtml(backbone);
      expect(html).toContain("11,683,584");
      expect(html).toContain("109,081,344");
      expect(html).toContain("applications 0–11");
      expect(html).toContain("<summary>16 weights</summary>");
      expect(html).toContain("self_attention_layer/query/kernel</span> [768, 12, 64]");
    } finally {
      backbone.dispose();
    }
  });
});

describe("modelSummaryHtml and layerScheduleHtml", () => {
  it("has one table row per layer plus three totals, escaped names and coloured sharing chips", () => {
    const html = modelSummaryHtml(fake);
    const table = html.split("<table")[1]?.split("</table>")[0] ?? "";
    expect((table.match(/<tr>/g) ?? []).length).toBe(1 + 5 + 3);
    expect(html).toContain("<b>fake &lt;model&gt;</b>");
    expect(html).toContain("4 layers = 2 groups × 1 inner layer, each group called 2×");
    expect(html).toContain(`background:${weightSetColor(0)}`);
    expect(html).toContain(`background:${weightSetColor(1)}`);
    expect(html).toContain("applications 0, 1");
    expect(html).toContain("applications 2, 3");
    expect(html).toContain(
      "<td style=\"border:1px solid #ddd;padding:2px 6px;text-align:right;font-family:'DejaVu Sans Mono', Menlo, Consolas, monospace;white-space:nowrap\"><b>56</b></td>",
    );
  });

  it("leaves the schedule out when asked", () => {
    expect(modelSummaryHtml(fake)).toContain("Layer schedule");
    expect(modelSummaryHtml(fake, { schedule: false })).not.toContain("Layer schedule");
  });

  it("draws one chip per application, coloured by weight set", () => {
    const html = layerScheduleHtml(summarizeBackbone(fake));
    expect(html).toContain("4 encoder applications, 2 weight sets");
    const chips = [
      ...html.matchAll(/title="application (\d): (\w+)" style="[^"]*background:(#[0-9a-f]{6})/g),
    ].map((m) => [m[1], m[2], m[3]]);
    expect(chips).toEqual([
      ["0", "group_0_inner_layer_0", weightSetColor(0)],
      ["1", "group_0_inner_layer_0", weightSetColor(0)],
      ["2", "group_1_inner_layer_0", weightSetColor(1)],
      ["3", "group_1_inner_layer_0", weightSetColor(1)],
    ]);
  });

  it("formats runs of positions as ranges", () => {
    expect(formatRanges([0, 1, 2, 3, 8, 9, 11])).toBe("0–3, 8, 9, 11");
    expect(formatRanges([4])).toBe("4");
    expect(formatRanges([])).toBe("");
  });
});
