import { afterEach, describe, expect, it } from "vitest";
import { AlbertBackbone, AlbertConfigError, DTypePolicy, globalDTypePolicy, setGlobalDTypePolicy, tf } from "../index.js";
import { caught } from "../test-utils/index.js";
import { toDTypePolicy } from "./dtype-policy.js";

const args = { vocabularySize: 50, numLayers: 2, numHeads: 2, embeddingDim: 4, hiddenDim: 8, intermediateDim: 16 };

afterEach(() => setGlobalDTypePolicy(null));

describe("DTypePolicy", () => {
  it.each([
    ["float32", "float32", "float32"],
    ["bfloat16", "bfloat16", "bfloat16"],
    ["float16", "float16", "float16"],
    ["mixed_bfloat16", "float32", "bfloat16"],
    ["mixed_float16", "float32", "float16"],
  ])("%s keeps variables in %s and computes in %s, as Keras' policy", (name, variableDtype, computeDtype) => {
    const policy = new DTypePolicy(name);
    expect(policy).toMatchObject({ name, variableDtype, computeDtype });
    expect(policy.serialize()).toEqual({ module: "keras", class_name: "DTypePolicy", config: { name }, registered_name: null });
    expect(JSON.parse(JSON.stringify(policy))).toEqual({ name, variableDtype, computeDtype });
  });

  it("reads names, policies, Keras' serialized form and plain { name } objects alike", () => {
    const serialized = { module: "keras", class_name: "DTypePolicy", config: { name: "mixed_bfloat16" }, registered_name: null };
    for (const form of ["mixed_bfloat16", new DTypePolicy("mixed_bfloat16"), serialized, { name: "mixed_bfloat16" }]) {
      expect(toDTypePolicy(form as never).name).toBe("mixed_bfloat16");
    }
    // Keras before 3.5 wrote FloatDTypePolicy.
    expect(toDTypePolicy({ ...serialized, class_name: "FloatDTypePolicy" } as never).name).toBe("mixed_bfloat16");
  });

  it.each([
    ["an unknown name", "float64"],
    ["a quantized policy", { module: "keras", class_name: "QuantizedDTypePolicy", config: { name: "int8_from_float32" }, registered_name: null }],
    ["a number", 16],
    ["a { name } object whose dtypes contradict it", { name: "bfloat16", computeDtype: "float32" }],
  ])("refuses %s with an AlbertConfigError naming dtype and what is allowed", async (_, value) => {
    const error = await caught(() => toDTypePolicy(value as never));
    expect(error).toBeInstanceOf(AlbertConfigError);
    expect(error).toMatchObject({ code: "unsupported_dtype", argument: "dtype" });
    expect(error.message).toMatch(/"float32", "bfloat16", "float16", "mixed_bfloat16", "mixed_float16"/);
  });

  it("uses the global policy where dtype is null or left out, as keras.config.set_dtype_policy", () => {
    expect(globalDTypePolicy().name).toBe("float32");
    setGlobalDTypePolicy("mixed_bfloat16");
    const models = [new AlbertBackbone(args), new AlbertBackbone({ ...args, dtype: null }), new AlbertBackbone({ ...args, dtype: "float32" })];
    expect(models.map((m) => m.dtypePolicy.name)).toEqual(["mixed_bfloat16", "mixed_bfloat16", "float32"]);
    for (const model of models) model.dispose();
  });
});

describe("AlbertBackbone's dtype argument", () => {
  it.each(["float32", "bfloat16", "float16", "mixed_bfloat16", "mixed_float16"])(
    "%s: dtypePolicy, getConfig() and fromConfig round-trip as KerasHub's get_config",
    (name) => {
      const model = new AlbertBackbone({ ...args, dtype: name });
      expect(model.dtypePolicy.name).toBe(name);
      const config = model.getConfig();
      expect(config.dtype).toEqual({ module: "keras", class_name: "DTypePolicy", config: { name }, registered_name: null });
      const rebuilt = AlbertBackbone.fromConfig(config);
      expect(rebuilt.dtypePolicy.name).toBe(name);
      model.dispose();
      rebuilt.dispose();
    },
  );

  it("holds 16-bit variables as exactly representable float32 values (pure policies only)", () => {
    for (const [name, rounded] of [["bfloat16", true], ["float16", true], ["mixed_bfloat16", false]] as const) {
      const model = new AlbertBackbone({ ...args, dtype: name });
      const values = model.tokenEmbedding.embeddings.dataSync() as Float32Array;
      const halves = model.dtypePolicy.computeDtype as "bfloat16" | "float16";
      const bits = new Uint32Array(values.buffer.slice(0));
      const low = halves === "bfloat16" ? 0xffff : 0x1fff;
      // Random normal weights: float32 values have non-zero low bits unless rounded.
      expect(bits.every((b) => (b & low) === 0), name).toBe(rounded);
      model.dispose();
    }
  });

  it("refuses a bad dtype before allocating anything", async () => {
    const before = tf.memory().numTensors;
    const error = await caught(() => new AlbertBackbone({ ...args, dtype: "int8" }));
    expect(error).toMatchObject({ code: "unsupported_dtype", argument: "dtype" });
    expect(error.message).toMatch(/dtype="int8" is not supported/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
