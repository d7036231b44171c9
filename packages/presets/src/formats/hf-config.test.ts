import { describe, expect, test } from "vitest";
import { readJson, testdataPath } from "@albert/test-utils";
import { PresetError } from "../errors.js";
import { hfConfigToKeras } from "./hf-config.js";

const hfTiny = readJson<Record<string, unknown>>(testdataPath("hf", "tiny", "config.json"));
const kerasTiny = readJson<{ config: Record<string, unknown> }>(
  testdataPath("keras", "tiny", "config.json"),
).config;

describe("hfConfigToKeras", () => {
  test("converts the HF fixture to exactly KerasHub's config for the same architecture", () => {
    expect(hfConfigToKeras(hfTiny, "config.json")).toEqual(kerasTiny);
  });

  test.each([
    ["gelu_new", undefined],
    ["gelu_pytorch_tanh", undefined],
    ["gelu_fast", undefined],
    ["gelu", "gelu"],
    ["relu", "relu"],
  ])("hidden_act %s → activation %s", (act, expected) => {
    const config = hfConfigToKeras({ ...hfTiny, hidden_act: act }, "config.json");
    expect(config.activation).toBe(expected);
    expect("activation" in config).toBe(expected !== undefined);
  });

  test.each(["silu", "swish", "tanh", 3])(
    "refuses hidden_act %j, naming the allowed ones",
    (act) => {
      expect(() => hfConfigToKeras({ ...hfTiny, hidden_act: act }, "/x/config.json")).toThrow(
        /\/x\/config.json has hidden_act=.*allowed: "gelu_new", "gelu_pytorch_tanh", "gelu_fast", "gelu", "relu"/,
      );
    },
  );

  test("layer_norm_eps is kept only when it differs from KerasHub's 1e-12", () => {
    expect("layer_norm_epsilon" in hfConfigToKeras(hfTiny, "c")).toBe(false);
    expect(hfConfigToKeras({ ...hfTiny, layer_norm_eps: 1e-5 }, "c").layer_norm_epsilon).toBe(1e-5);
    expect(() => hfConfigToKeras({ ...hfTiny, layer_norm_eps: -1 }, "c")).toThrow(
      /layer_norm_eps=-1/,
    );
  });

  test("fills transformers' AlbertConfig defaults for missing keys", () => {
    const config = hfConfigToKeras({ model_type: "albert" }, "c");
    expect(config).toMatchObject({
      vocabulary_size: 30000,
      num_layers: 12,
      num_heads: 64,
      embedding_dim: 128,
      hidden_dim: 4096,
      intermediate_dim: 16384,
      num_groups: 1,
      num_inner_repetitions: 1,
      dropout: 0,
      max_sequence_length: 512,
      num_segments: 2,
    });
  });

  test("refuses other model types and relative position embeddings", () => {
    expect(() => hfConfigToKeras({ ...hfTiny, model_type: "bert" }, "c")).toThrow(
      expect.objectContaining({
        code: "unsupported_format",
        message: expect.stringMatching(/model_type "bert"/),
      }),
    );
    expect(() =>
      hfConfigToKeras({ ...hfTiny, position_embedding_type: "relative_key" }, "c"),
    ).toThrow(PresetError);
  });
});
