import type { AlbertBackboneConfig } from "@albert/core";
import { textColorOn } from "./color.js";
import { escapeHtml } from "./escape.js";
import { formatCompact, formatCount } from "./format.js";
import { CELL, HEAD_CELL, MONO_STACK, TABLE, TEXT_CELL, box } from "./html.js";

/** The part of a backbone config the summary reads (KerasHub's snake_case keys, as
 * `AlbertBackbone.getConfig()` returns them). */
export type SummaryConfig = Pick<
  AlbertBackboneConfig,
  | "vocabulary_size"
  | "num_layers"
  | "num_heads"
  | "num_groups"
  | "num_inner_repetitions"
  | "embedding_dim"
  | "hidden_dim"
  | "intermediate_dim"
  | "max_sequence_length"
  | "num_segments"
>;

/** What the summary needs of a backbone: `AlbertBackbone` has all of it. */
export interface SummarizableBackbone {
  readonly name: string;
  /** Every variable once, with its KerasHub path (`group_0_inner_layer_0/.../kernel`). */
  readonly weights: readonly { readonly path: string; readonly shape: readonly number[] }[];
  /** The encoder layers in the order a forward pass applies them. */
  layerSchedule(): readonly { readonly name: string }[];
  getConfig(): SummaryConfig;
}

/** One weight of a layer. */
export interface WeightSummary {
  /** The path inside the layer (`self_attention_layer/query/kernel`). */
  path: string;
  shape: number[];
  params: number;
}

/** One layer (a top-level name of the weight paths) of the backbone. */
export interface LayerSummary {
  name: string;
  kind: "embedding" | "normalization" | "dense" | "encoder" | "other";
  weights: WeightSummary[];
  /** Parameters of this layer, counted once however often it runs. */
  params: number;
  /** The layer's output shape, symbolic in batch and sequence length (`[batch, seq, 768]`). */
  outputShape: string;
  /** For encoder layers: the positions in the layer schedule where this weight set runs. */
  applications: number[];
}

/** What `summarizeBackbone` finds. */
export interface BackboneSummary {
  name: string;
  config: SummaryConfig;
  layers: LayerSummary[];
  /** Encoder layer names in application order (`layerSchedule()`). */
  schedule: string[];
  /** Parameters, each shared weight counted once (KerasHub's `count_params()`). */
  params: number;
  /** Parameters if every encoder application had weights of its own (same factorized
   * embeddings). */
  paramsWithoutSharing: number;
  /** Parameters of a BERT of the same shape: no cross-layer sharing and no factorized
   * embeddings (tokens, positions and segments embedded straight into `hidden_dim`, no
   * projection), with the same encoder layers and pooler. */
  bertParams: number;
}

/** Tableau 10: one colour per encoder weight set. */
const SET_COLORS = [
  "#4e79a7",
  "#f28e2b",
  "#e15759",
  "#76b7b2",
  "#59a14f",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ac",
];

/**
 * The colour `layerScheduleHtml` and `modelSummaryHtml` give the `index`-th encoder weight set.
 */
export function weightSetColor(index: number): string {
  return SET_COLORS[index % SET_COLORS.length] as string;
}

function kindOf(name: string): LayerSummary["kind"] {
  if (name.endsWith("_embedding")) return "embedding";
  if (name.endsWith("layer_norm")) return "normalization";
  if (name === "embedding_projection" || name === "pooled_dense") return "dense";
  if (/^group_\d+_inner_layer_\d+$/.test(name)) return "encoder";
  return "other";
}

function outputShapeOf(name: string, kind: LayerSummary["kind"], c: SummaryConfig): string {
  if (name === "pooled_dense") return `[batch, ${c.hidden_dim}]`;
  if (name === "embedding_projection" || kind === "encoder") return `[batch, seq, ${c.hidden_dim}]`;
  if (name === "position_embedding") return `[seq, ${c.embedding_dim}]`;
  if (kind === "embedding" || kind === "normalization") return `[batch, seq, ${c.embedding_dim}]`;
  return "";
}

const product = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Groups a backbone's weights by layer and works out how the encoder weight sets are shared:
 * which positions of the layer schedule each set runs at, and what the model would weigh
 * without sharing (and as a BERT of the same shape).
 *
 * @example
 * ```ts
 * const s = summarizeBackbone(backbone);
 * s.params;                 // 11683584 for albert_base
 * s.layers.find((l) => l.kind === "encoder")?.applications; // [0, 1, ..., 11]
 * s.bertParams;             // ~109M: an unshared, unfactorized BERT of the same shape
 * ```
 */
export function summarizeBackbone(backbone: SummarizableBackbone): BackboneSummary {
  const config = backbone.getConfig();
  const layers = new Map<string, LayerSummary>();
  for (const weight of backbone.weights) {
    const slash = weight.path.indexOf("/");
    const name = slash < 0 ? weight.path : weight.path.slice(0, slash);
    let layer = layers.get(name);
    if (layer === undefined) {
      const kind = kindOf(name);
      layer = {
        name,
        kind,
        weights: [],
        params: 0,
        outputShape: outputShapeOf(name, kind, config),
        applications: [],
      };
      layers.set(name, layer);
    }
    const params = product(weight.shape);
    layer.weights.push({
      path: slash < 0 ? weight.path : weight.path.slice(slash + 1),
      shape: [...weight.shape],
      params,
    });
    layer.params += params;
  }
  const schedule = backbone.layerSchedule().map((l) => l.name);
  schedule.forEach((name, i) => layers.get(name)?.applications.push(i));

  const all = [...layers.values()];
  const params = all.reduce((s, l) => s + l.params, 0);
  const encoders = all.filter((l) => l.kind === "encoder");
  const nonEncoder = params - encoders.reduce((s, l) => s + l.params, 0);
  const paramsWithoutSharing =
    nonEncoder + encoders.reduce((s, l) => s + l.params * l.applications.length, 0);
  const H = config.hidden_dim;
  const bertEmbeddings =
    (config.vocabulary_size + config.max_sequence_length + config.num_segments) * H + 2 * H;
  const pooler = layers.get("pooled_dense")?.params ?? 0;
  const bertEncoder = encoders.reduce((s, l) => s + l.params * l.applications.length, 0);
  return {
    name: backbone.name,
    config,
    layers: all,
    schedule,
    params,
    paramsWithoutSharing,
    bertParams: bertEmbeddings + bertEncoder + pooler,
  };
}

/**
 * Positions as short ranges: `[0, 1, 2, 3, 8, 9]` → `"0–3, 8–9"`.
 *
 * @example
 * ```ts
 * formatRanges([0, 1, 2, 5]); // "0–2, 5"
 * ```
 */
export function formatRanges(positions: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < positions.length) {
    let j = i;
    while (
      j + 1 < positions.length &&
      (positions[j + 1] as number) === (positions[j] as number) + 1
    )
      j++;
    parts.push(
      j > i + 1
        ? `${positions[i]}–${positions[j]}`
        : j === i + 1
          ? `${positions[i]}, ${positions[j]}`
          : `${positions[i]}`,
    );
    i = j + 1;
  }
  return parts.join(", ");
}

function chip(label: string, color: string, title: string): string {
  return (
    `<span title="${escapeHtml(title)}" style="display:inline-block;min-width:18px;margin:1px;padding:1px 5px;border-radius:3px;` +
    `text-align:center;font-family:${MONO_STACK};font-size:11px;background:${color};color:${textColorOn(color)}">${escapeHtml(label)}</span>`
  );
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

function input(backbone: SummarizableBackbone | BackboneSummary): BackboneSummary {
  return "layerSchedule" in backbone ? summarizeBackbone(backbone) : backbone;
}

/**
 * The layer schedule as a strip of chips, one per encoder application, coloured by the
 * weight set it uses: `numLayers × numInnerRepetitions` applications of
 * `numGroups × numInnerRepetitions` sets. One colour everywhere means one shared set (ALBERT's
 * default); `num_groups: 3, num_inner_repetitions: 2` shows three alternating pairs.
 *
 * @example
 * ```ts
 * tslab.display.html(layerScheduleHtml(backbone));
 * ```
 */
export function layerScheduleHtml(backbone: SummarizableBackbone | BackboneSummary): string {
  const s = input(backbone);
  const encoders = s.layers.filter((l) => l.kind === "encoder");
  const colorOf = new Map(encoders.map((l, i) => [l.name, weightSetColor(i)]));
  const chips = s.schedule.map((name, i) =>
    chip(String(i), colorOf.get(name) ?? "#999999", `application ${i}: ${name}`),
  );
  const legend = encoders
    .map(
      (l) =>
        `${chip(l.name, colorOf.get(l.name) ?? "#999999", `${formatCount(l.params)} parameters`)} ×${l.applications.length}`,
    )
    .join(" ");
  return box(
    "albert-schedule",
    `<div><b>Layer schedule</b>: ${s.schedule.length} encoder applications, ${encoders.length} weight set${encoders.length === 1 ? "" : "s"}</div>` +
      `<div style="margin:4px 0">${chips.join("")}</div><div>${legend}</div>`,
  );
}

/** Options of `modelSummaryHtml`. */
export interface ModelSummaryOptions {
  /** Draw the layer schedule under the table (default true). */
  schedule?: boolean;
}

/**
 * A model summary as an HTML table, one row per layer: its weights and their shapes, its
 * output shape, its parameters, and for encoder layers where in the layer schedule the
 * (shared) weight set runs and how often. Below: the totals, with and without cross-layer
 * sharing and for a BERT of the same shape, and the layer schedule (`layerScheduleHtml`).
 *
 * @example
 * ```ts
 * import * as tslab from "tslab";
 * tslab.display.html(modelSummaryHtml(backbone));
 * ```
 */
export function modelSummaryHtml(
  backbone: SummarizableBackbone | BackboneSummary,
  options: ModelSummaryOptions = {},
): string {
  const s = input(backbone);
  const c = s.config;
  const encoders = s.layers.filter((l) => l.kind === "encoder");
  const colorOf = new Map(encoders.map((l, i) => [l.name, weightSetColor(i)]));
  const callsPerGroup = c.num_groups > 0 ? c.num_layers / c.num_groups : 0;

  const rows = s.layers.map((layer) => {
    const weightList = layer.weights
      .map(
        (w) =>
          `<div><span style="font-family:${MONO_STACK}">${escapeHtml(w.path)}</span> ${escapeHtml(shapeText(w.shape))}</div>`,
      )
      .join("");
    const weights =
      layer.weights.length > 3
        ? `<details><summary>${layer.weights.length} weights</summary>${weightList}</details>`
        : weightList;
    const color = colorOf.get(layer.name);
    const used =
      layer.kind === "encoder" && color !== undefined
        ? `${chip(`×${layer.applications.length}`, color, `${layer.name} runs ${layer.applications.length} times`)} applications ${escapeHtml(formatRanges(layer.applications))}`
        : "once";
    return (
      `<tr><td style="${TEXT_CELL};font-family:${MONO_STACK}">${escapeHtml(layer.name)}</td>` +
      `<td style="${TEXT_CELL}">${weights}</td>` +
      `<td style="${TEXT_CELL};font-family:${MONO_STACK}">${escapeHtml(layer.outputShape)}</td>` +
      `<td style="${CELL}">${formatCount(layer.params)}</td>` +
      `<td style="${TEXT_CELL}">${used}</td></tr>`
    );
  });
  const total = (label: string, value: number, note: string) =>
    `<tr><td style="${TEXT_CELL}" colspan="3"><b>${escapeHtml(label)}</b></td><td style="${CELL}"><b>${formatCount(value)}</b></td>` +
    `<td style="${TEXT_CELL}">${note}</td></tr>`;
  const ratio = (value: number) =>
    s.params > 0 ? `${(value / s.params).toFixed(1)}× ALBERT's` : "";
  const totals = [
    total("Parameters", s.params, `${formatCompact(s.params)}; shared weights counted once`),
    total(
      "Without cross-layer sharing",
      s.paramsWithoutSharing,
      escapeHtml(ratio(s.paramsWithoutSharing)),
    ),
    total(
      "BERT of this shape",
      s.bertParams,
      `${escapeHtml(ratio(s.bertParams))}: no sharing, embeddings of width ${c.hidden_dim}`,
    ),
  ];
  const header =
    `<div style="margin-bottom:4px"><b>${escapeHtml(s.name)}</b> · vocabulary ${formatCount(c.vocabulary_size)} · ` +
    `embedding ${c.embedding_dim} → hidden ${c.hidden_dim} · ${c.num_heads} heads · intermediate ${c.intermediate_dim} · ` +
    `${c.num_layers} layers = ${c.num_groups} group${c.num_groups === 1 ? "" : "s"} × ${c.num_inner_repetitions} inner ` +
    `layer${c.num_inner_repetitions === 1 ? "" : "s"}, each group called ${callsPerGroup}×</div>`;
  const head = ["Layer", "Weights", "Output shape", "Parameters", "Used"]
    .map((h) => `<th style="${HEAD_CELL}">${h}</th>`)
    .join("");
  const table = `<table style="${TABLE}"><tr>${head}</tr>${rows.join("")}${totals.join("")}</table>`;
  return (
    box("albert-summary", header + table) + ((options.schedule ?? true) ? layerScheduleHtml(s) : "")
  );
}
