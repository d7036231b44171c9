import { describe, expect, it } from "vitest";
import { AlbertBackbone, AlbertConfigError, tf, type AlbertBackboneArgs } from "./index.js";
import { caught } from "./test-utils/index.js";

const args: AlbertBackboneArgs = {
  vocabularySize: 50, numLayers: 4, numHeads: 2, embeddingDim: 4, hiddenDim: 8, intermediateDim: 16,
};

const bad: [string, Record<string, unknown>, string, string, RegExp][] = [
  ["zero layers", { numLayers: 0 }, "invalid_argument", "numLayers", /numLayers=0 .*positive integer/],
  ["fractional heads", { numHeads: 1.5 }, "invalid_argument", "numHeads", /numHeads=1.5/],
  ["a string vocabulary", { vocabularySize: "30000" }, "invalid_argument", "vocabularySize", /vocabularySize="30000"/],
  ["layers not divisible by groups", { numGroups: 3 }, "invalid_argument", "numLayers", /numLayers=4 .*multiple of numGroups \(3\)/],
  ["hidden not divisible by heads", { numHeads: 3 }, "invalid_argument", "hiddenDim", /hiddenDim=8 .*multiple of numHeads \(3\)/],
  ["dropout 1", { dropout: 1 }, "invalid_argument", "dropout", /dropout=1 .*\[0, 1\)/],
  ["negative dropout", { dropout: -0.1 }, "invalid_argument", "dropout", /dropout=-0.1/],
  ["a vocabulary of 10^12", { vocabularySize: 1e12 }, "invalid_argument", "vocabularySize", /fits in one tensor/],
  ["an unknown dtype", { dtype: "float64" }, "unsupported_dtype", "dtype", /float64.*allowed "float32", "bfloat16"/],
  ["a quantized policy", { dtype: { module: "keras", class_name: "QuantizedDTypePolicy", config: { name: "int8_from_float32" }, registered_name: null } }, "unsupported_dtype", "dtype", /QuantizedDTypePolicy/],
  ["an unknown activation", { activation: "swish" }, "invalid_argument", "activation", /activation="swish"/],
  ["a misspelled argument", { numLayer: 4 }, "invalid_argument", "numLayer", /Unknown AlbertBackbone argument 'numLayer'/],
];

describe("constructor validation", () => {
  it.each(bad)("refuses %s before allocating anything", async (_, change, code, argument, message) => {
    const before = tf.memory().numTensors;
    const error = await caught(() => new AlbertBackbone({ ...args, ...change } as AlbertBackboneArgs));
    expect(error).toBeInstanceOf(AlbertConfigError);
    expect(error).toMatchObject({ code, argument });
    expect(error.message).toMatch(message);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("accepts KerasHub's defaults and an explicit float32 dtype", () => {
    const model = new AlbertBackbone({ ...args, dtype: "float32" });
    expect(model.getConfig()).toMatchObject({
      num_groups: 1, num_inner_repetitions: 1, dropout: 0, max_sequence_length: 512, num_segments: 2,
      dtype: { class_name: "DTypePolicy", config: { name: "float32" } },
    });
    model.dispose();
  });

  it("refuses configs fromConfig cannot read", async () => {
    expect(await caught(() => AlbertBackbone.fromConfig({ model_type: "albert" }))).toMatchObject({ code: "invalid_config" });
    expect(await caught(() => AlbertBackbone.fromConfig({ vocabulary_size: 5, unknown_field: 1 }))).toMatchObject({
      code: "invalid_config",
      argument: "unknown_field",
    });
  });
});
