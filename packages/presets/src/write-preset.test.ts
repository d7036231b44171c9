import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test, vi } from "vitest";
import { readJson, testdataPath } from "@albert/test-utils";
import { dtypePolicy, type AlbertBackboneConfig } from "./config.js";
import { roundToHalf } from "./formats/half-precision.js";
import { PresetError } from "./errors.js";
import { readPreset } from "./read-preset.js";
import { copyFixture, h5LayoutText, rawHalves, tempDir, weightMapsIdentical } from "./test-utils/helpers.js";
import type { WeightMap } from "./weights.js";
import { WRITTEN_KERAS_HUB_VERSION, WRITTEN_KERAS_VERSION, writePreset } from "./write-preset.js";

/** Keras names the attention's softmax/dropout layers by a per-session counter: ignore it. */
function withoutAutoNames(layout: string): string {
  return layout.replace(/layer name: '(softmax|dropout)(_\d+)?'/g, "layer name: '$1'");
}

describe("writePreset", () => {
  test.each(["tiny", "grouped", "wide", "tiny_f16", "tiny_bf16"])(
    "keras/%s: config.json, metadata.json and the h5 layout are KerasHub's, and it reads back bit-exactly",
    async (name) => {
      const source = testdataPath("keras", name);
      const original = await readPreset(source);
      const out = path.join(tempDir(), "out");
      const written = await writePreset(out, {
        config: original.config,
        weights: original.weights,
      });
      expect(written.files).toEqual(["config.json", "model.weights.h5", "metadata.json"]);

      expect(readFileSync(path.join(out, "config.json"), "utf8")).toBe(
        readFileSync(path.join(source, "config.json"), "utf8"),
      );
      expect(withoutAutoNames(await h5LayoutText(path.join(out, "model.weights.h5")))).toBe(
        withoutAutoNames(readFileSync(path.join(source, "weights-layout.txt"), "utf8").trim()),
      );
      const meta = readJson<Record<string, unknown>>(path.join(out, "metadata.json"));
      const reference = readJson<Record<string, unknown>>(path.join(source, "metadata.json"));
      expect(Object.keys(meta)).toEqual(Object.keys(reference));
      expect(meta["parameter_count"]).toBe(reference["parameter_count"]);
      expect(meta["tasks"]).toEqual(reference["tasks"]);
      expect(meta["keras_version"]).toBe(WRITTEN_KERAS_VERSION);
      expect(meta["keras_hub_version"]).toBe(WRITTEN_KERAS_HUB_VERSION);
      expect(meta["date_saved"]).toMatch(/^\d{4}-\d{2}-\d{2}@\d{2}:\d{2}:\d{2}$/);
      expect(readFileSync(path.join(out, "metadata.json"), "utf8")).toMatch(
        /^\{\n {4}"keras_version": "3\.15\.1",\n/,
      );

      const back = await readPreset(out);
      expect(back.config).toEqual(original.config);
      expect(weightMapsIdentical(back.weights, original.weights)).toBe(true);
    },
  );

  test("the h5 file has no file-level attributes, like Keras' (no stray metadata)", async () => {
    const original = await readPreset(testdataPath("keras", "tiny"));
    const out = tempDir();
    await writePreset(out, original);
    const h5wasm = await import("h5wasm/node");
    await h5wasm.ready;
    const f = new h5wasm.File(path.join(out, "model.weights.h5"), "r");
    try {
      expect(Object.keys(f.attrs)).toEqual([]);
    } finally {
      f.close();
    }
  });

  test("an HF checkpoint saved as a KerasHub preset equals KerasHub's own conversion", async () => {
    const hf = await readPreset(testdataPath("hf", "tiny"));
    const out = tempDir();
    await writePreset(out, { config: hf.config, weights: hf.weights });
    const reference = testdataPath("keras", "tiny_from_hf");
    expect(readFileSync(path.join(out, "config.json"), "utf8")).toBe(
      readFileSync(path.join(reference, "config.json"), "utf8"),
    );
    const back = await readPreset(out);
    expect(weightMapsIdentical(back.weights, (await readPreset(reference)).weights)).toBe(true);
  });

  test("float16 and bfloat16 presets are written in their dtype, the same bits as KerasHub's file", async () => {
    for (const [name, dtype] of [["tiny_f16", "float16"], ["tiny_bf16", "bfloat16"]] as const) {
      const source = testdataPath("keras", name);
      const original = await readPreset(source);
      const out = tempDir();
      await writePreset(out, original);
      const back = await readPreset(out);
      expect(back.config.dtype).toEqual(original.config.dtype);
      expect(back.storedDtypes).toEqual([dtype]);
      expect(weightMapsIdentical(back.weights, original.weights)).toBe(true);
      expect(await rawHalves(path.join(out, "model.weights.h5"))).toEqual(await rawHalves(path.join(source, "model.weights.h5")));
    }
  });

  test("float32 weights are rounded to nearest even into a 16-bit policy's file; mixed policies store float32", async () => {
    const tiny = await readPreset(testdataPath("keras", "tiny"));
    for (const [policy, stored] of [
      ["bfloat16", "bfloat16"],
      ["float16", "float16"],
      ["mixed_bfloat16", "float32"],
      ["mixed_float16", "float32"],
    ] as const) {
      const out = tempDir();
      await writePreset(out, { config: { ...tiny.config, dtype: dtypePolicy(policy) }, weights: tiny.weights });
      const back = await readPreset(out);
      expect(back.storedDtypes, policy).toEqual([stored]);
      for (const [name, tensor] of tiny.weights) {
        const expected = stored === "float32" ? tensor.data : roundToHalf(tensor.data, stored);
        expect(back.weights.get(name)!.data, `${policy} ${name}`).toEqual(expected);
      }
    }
    // KerasHub's own float16/bfloat16 copies of these weights hold exactly those roundings.
    for (const [name, dtype] of [["tiny_f16", "float16"], ["tiny_bf16", "bfloat16"]] as const) {
      const keras = await readPreset(testdataPath("keras", name));
      for (const [weight, tensor] of tiny.weights) expect(keras.weights.get(weight)!.data).toEqual(roundToHalf(tensor.data, dtype));
    }
  });

  test("activation and layer_norm_epsilon go to albert_ts.json with a warning, not into config.json", async () => {
    const original = await readPreset(testdataPath("keras", "tiny"));
    const config: AlbertBackboneConfig = {
      ...original.config,
      activation: "gelu",
      layer_norm_epsilon: 1e-5,
    };
    const out = tempDir();
    const onWarning = vi.fn();
    const written = await writePreset(out, { config, weights: original.weights, onWarning });
    expect(written.files).toContain("albert_ts.json");
    expect(onWarning).toHaveBeenCalledTimes(1);
    expect(onWarning.mock.calls[0]![0]).toMatch(
      /activation="gelu", layer_norm_epsilon=0.00001 differ from Python KerasHub/,
    );
    expect(onWarning.mock.calls[0]![0]).toMatch(/ignores them/);
    const configText = readFileSync(path.join(out, "config.json"), "utf8");
    expect(configText).not.toMatch(/activation|layer_norm_epsilon/);
    expect(configText).toBe(readFileSync(testdataPath("keras", "tiny", "config.json"), "utf8"));
    expect(readFileSync(path.join(out, "albert_ts.json"), "utf8")).toMatch(
      /"layer_norm_epsilon": 1e-05/,
    );
    const back = await readPreset(out);
    expect(back.config).toEqual(config);

    // Saving again with KerasHub's own values removes the extras file and warns no more.
    const plain: AlbertBackboneConfig = {
      ...original.config,
      activation: "gelu_approximate",
      layer_norm_epsilon: 1e-12,
    };
    onWarning.mockClear();
    await writePreset(out, { config: plain, weights: original.weights, onWarning });
    expect(onWarning).not.toHaveBeenCalled();
    expect(existsSync(path.join(out, "albert_ts.json"))).toBe(false);
    expect((await readPreset(out)).config.activation).toBeUndefined();
  });

  test("the warning goes to console.warn by default", async () => {
    const original = await readPreset(testdataPath("keras", "tiny"));
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    try {
      await writePreset(tempDir(), {
        config: { ...original.config, activation: "relu" },
        weights: original.weights,
      });
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/activation="relu"/));
    } finally {
      warn.mockRestore();
    }
  });

  test("metadata fields can be replaced and added", async () => {
    const original = await readPreset(testdataPath("keras", "tiny"));
    const out = tempDir();
    await writePreset(out, { ...original, metadata: { tasks: ["MaskedLM"], note: "converted" } });
    const meta = readJson<Record<string, unknown>>(path.join(out, "metadata.json"));
    expect(meta["tasks"]).toEqual(["MaskedLM"]);
    expect(meta["note"]).toBe("converted");
  });

  test("writing over a sharded preset removes its stale index and shards", async () => {
    const dir = copyFixture("keras", "tiny_sharded");
    const original = await readPreset(dir);
    await writePreset(dir, original);
    expect(existsSync(path.join(dir, "model.weights.json"))).toBe(false);
    expect(existsSync(path.join(dir, "model_00000.weights.h5"))).toBe(false);
    expect(weightMapsIdentical((await readPreset(dir)).weights, original.weights)).toBe(true);
  });

  describe("refuses what would not load", () => {
    async function expectRefused(
      options: { config: AlbertBackboneConfig; weights: WeightMap },
      code: string,
      pattern: RegExp,
    ) {
      const out = path.join(tempDir(), "out");
      const error = await writePreset(out, options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PresetError);
      expect((error as PresetError).code).toBe(code);
      expect((error as PresetError).message).toMatch(pattern);
      expect(existsSync(path.join(out, "config.json"))).toBe(false);
    }

    test("an invalid config", async () => {
      const { config, weights } = await readPreset(testdataPath("keras", "tiny"));
      await expectRefused(
        { config: { ...config, hidden_dim: 15 }, weights },
        "invalid_config",
        /hidden_dim=15/,
      );
    });

    test("missing, extra, misshapen or mistyped weights", async () => {
      const { config, weights } = await readPreset(testdataPath("keras", "tiny"));
      const missing = new Map(weights);
      missing.delete("pooled_dense/bias");
      await expectRefused(
        { config, weights: missing },
        "weights_mismatch",
        /missing weight pooled_dense\/bias \[16\]/,
      );
      const extra = new Map(weights).set("classifier/kernel", {
        shape: [1],
        data: new Float32Array(1),
      });
      await expectRefused(
        { config, weights: extra },
        "weights_mismatch",
        /unknown weights classifier\/kernel/,
      );
      const shaped = new Map(weights).set("pooled_dense/bias", {
        shape: [4, 4],
        data: new Float32Array(16),
      });
      await expectRefused(
        { config, weights: shaped },
        "weights_mismatch",
        /has shape \[4,4\], the config implies \[16\]/,
      );
      const short = new Map(weights).set("pooled_dense/bias", {
        shape: [16],
        data: new Float32Array(3),
      });
      await expectRefused({ config, weights: short }, "weights_mismatch", /holds 3 values/);
      const typed = new Map(weights).set("pooled_dense/bias", {
        shape: [16],
        data: new Float64Array(16) as never,
      });
      await expectRefused({ config, weights: typed }, "weights_mismatch", /Float32Array/);
    });

    test("a target that is a file", async () => {
      const { config, weights } = await readPreset(testdataPath("keras", "tiny"));
      const file = path.join(tempDir(), "file");
      writeFileSync(file, "x");
      await expect(writePreset(file, { config, weights })).rejects.toMatchObject({
        code: "write_failed",
      });
    });
  });
});
