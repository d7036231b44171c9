import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { readJson, testdataPath } from "@albert/test-utils";
import { PresetError } from "./errors.js";
import { readPreset } from "./read-preset.js";
import {
  copyFixture,
  makeSafetensors,
  tempDir,
  weightMapDiff,
  weightMapsIdentical,
} from "./test-utils/helpers.js";
import { backboneWeightSpecs } from "./weights.js";

async function expectPresetError(
  promise: Promise<unknown>,
  code: string,
  pattern?: RegExp,
): Promise<PresetError> {
  let error: unknown;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  expect(error, "expected a PresetError").toBeInstanceOf(PresetError);
  expect((error as PresetError).code).toBe(code);
  if (pattern) expect((error as PresetError).message).toMatch(pattern);
  return error as PresetError;
}

/** A few values read with h5py from the committed files (float32 after widening). */
const H5PY_VALUES: Record<string, [string, number[], number[]]> = {
  tiny: [
    "token_embedding/embeddings",
    [0, 1, 2, 775],
    [-1.0441062450408936, 0.6626020669937134, -0.7376481294631958, -1.782903790473938],
  ],
  grouped: [
    "group_2_inner_layer_1/self_attention_layer/query/kernel",
    [0, 1, 575],
    [0.05093497037887573, 0.1984315812587738, -0.09268214553594589],
  ],
  wide: ["segment_embedding/embeddings", [0, 47], [-0.3206130564212799, -0.6549761295318604]],
  tiny_f16: ["pooled_dense/bias", [0, 15], [-0.10052490234375, 0.1778564453125]],
  tiny_bf16: ["pooled_dense/bias", [0, 15], [-0.1005859375, 0.177734375]],
  tiny_sharded: ["pooled_dense/bias", [0, 15], [-0.10049512982368469, 0.17782342433929443]],
};

describe("readPreset: KerasHub presets", () => {
  test.each(["tiny", "grouped", "wide", "tiny_f16", "tiny_bf16", "tiny_sharded", "tiny_from_hf"])(
    "keras/%s reads every variable with KerasHub's names and shapes",
    async (name) => {
      const dir = testdataPath("keras", name);
      const { config, weights, format, storedDtypes, metadata } = await readPreset(dir);
      expect(format).toBe("keras");
      expect(config).toEqual(readJson<{ config: unknown }>(path.join(dir, "config.json")).config);
      const specs = backboneWeightSpecs(config);
      expect([...weights.keys()]).toEqual(specs.map((s) => s.name));
      for (const spec of specs) {
        expect(weights.get(spec.name)!.shape).toEqual(spec.shape);
        expect(weights.get(spec.name)!.data).toBeInstanceOf(Float32Array);
      }
      const params = [...weights.values()].reduce((n, w) => n + w.data.length, 0);
      expect(params).toBe(
        readJson<{ parameter_count: number }>(path.join(dir, "metadata.json")).parameter_count,
      );
      expect(metadata?.["keras_version"]).toBe("3.15.1");
      const expected = { tiny_f16: ["float16"], tiny_bf16: ["bfloat16"] }[name] ?? ["float32"];
      expect(storedDtypes).toEqual(expected);
      const probe = H5PY_VALUES[name];
      if (probe !== undefined) {
        const [variable, indices, values] = probe;
        expect(indices.map((i) => weights.get(variable)!.data[i])).toEqual(values);
      }
    },
  );

  test("the sharded preset reads to exactly the single-file preset's weights", async () => {
    const single = await readPreset(testdataPath("keras", "tiny"));
    const sharded = await readPreset(testdataPath("keras", "tiny_sharded"));
    expect(weightMapsIdentical(single.weights, sharded.weights)).toBe(true);
  });

  test("the tokenizer preset's backbone reads too", async () => {
    const { config, weights } = await readPreset(testdataPath("tokenizer"));
    expect(config.vocabulary_size).toBe(1000);
    expect(weights.size).toBe(backboneWeightSpecs(config).length);
  });

  test("loadWeights: false reads and validates only the config", async () => {
    const { weights, config } = await readPreset(testdataPath("keras", "grouped"), {
      loadWeights: false,
    });
    expect(weights.size).toBe(0);
    expect(config.num_groups).toBe(3);
  });
});

describe("readPreset: broken KerasHub presets", () => {
  test("a folder without config.json", async () => {
    const dir = tempDir();
    await expectPresetError(readPreset(dir), "missing_file", /has no config.json/);
  });

  test("a folder that does not exist", async () => {
    await expectPresetError(readPreset(path.join(tempDir(), "nope")), "not_found");
  });

  test("config.json that is not JSON, or not an object", async () => {
    const dir = copyFixture("keras", "tiny");
    writeFileSync(path.join(dir, "config.json"), "{ not json");
    await expectPresetError(readPreset(dir), "invalid_json", /config.json is not valid JSON/);
    writeFileSync(path.join(dir, "config.json"), "[1, 2]");
    await expectPresetError(readPreset(dir), "invalid_config", /must hold a JSON object/);
  });

  test("a config with vocabulary_size 1e12 is refused before anything is allocated", async () => {
    const dir = copyFixture("keras", "tiny");
    const config = readJson<{ config: Record<string, unknown> }>(path.join(dir, "config.json"));
    config.config["vocabulary_size"] = 1e12;
    writeFileSync(path.join(dir, "config.json"), JSON.stringify(config));
    const error = await expectPresetError(
      readPreset(dir),
      "invalid_config",
      /vocabulary_size=1000000000000/,
    );
    expect(error.message).toMatch(/fits in one tensor/);
  });

  test("a config for another KerasHub class", async () => {
    const dir = copyFixture("keras", "tiny");
    const config = readJson<Record<string, unknown>>(path.join(dir, "config.json"));
    writeFileSync(
      path.join(dir, "config.json"),
      JSON.stringify({ ...config, class_name: "BertBackbone" }),
    );
    await expectPresetError(readPreset(dir), "unsupported_format", /describes a BertBackbone/);
  });

  test("a config registered as another KerasHub model, whatever its class_name", async () => {
    const dir = copyFixture("keras", "tiny");
    const config = readJson<Record<string, unknown>>(path.join(dir, "config.json"));
    expect(config["class_name"]).toBe("AlbertBackbone");
    writeFileSync(
      path.join(dir, "config.json"),
      JSON.stringify({ ...config, registered_name: "keras_hub>BertBackbone" }),
    );
    for (const loadWeights of [true, false]) {
      await expectPresetError(
        readPreset(dir, { loadWeights }),
        "unsupported_format",
        /config\.json has registered_name "keras_hub>BertBackbone", another model; allowed: "keras_hub>AlbertBackbone"$/,
      );
    }
  });

  test("missing weights", async () => {
    const dir = copyFixture("keras", "tiny");
    rmSync(path.join(dir, "model.weights.h5"));
    await expectPresetError(readPreset(dir), "missing_file", /has no model.weights.h5/);
  });

  test("a truncated model.weights.h5", async () => {
    const dir = copyFixture("keras", "tiny");
    const file = path.join(dir, "model.weights.h5");
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const error = await expectPresetError(readPreset(dir), "corrupt_weights");
    expect(error.message).toContain(file);
  });

  test("a garbage model.weights.h5", async () => {
    const dir = copyFixture("keras", "tiny");
    writeFileSync(
      path.join(dir, "model.weights.h5"),
      Buffer.from("this is not an HDF5 file".repeat(100)),
    );
    await expectPresetError(readPreset(dir), "corrupt_weights", /not a readable HDF5 weights file/);
  });

  test("weights whose shapes do not match the config", async () => {
    const dir = copyFixture("keras", "tiny");
    const config = readJson<{ config: Record<string, unknown> }>(path.join(dir, "config.json"));
    config.config["vocabulary_size"] = 98;
    writeFileSync(path.join(dir, "config.json"), JSON.stringify(config));
    await expectPresetError(
      readPreset(dir),
      "weights_mismatch",
      /token_embedding\/embeddings has shape \[97,8\], config.json implies \[98,8\]/,
    );
  });

  test("weights of another config (grouped's weights with tiny's config)", async () => {
    const dir = copyFixture("keras", "tiny");
    copyFileSync(
      testdataPath("keras", "grouped", "model.weights.h5"),
      path.join(dir, "model.weights.h5"),
    );
    await expectPresetError(readPreset(dir), "weights_mismatch", /config.json implies/);
  });

  test("more encoder layers in the file than the config declares", async () => {
    const dir = copyFixture("keras", "grouped");
    const config = readJson<{ config: Record<string, unknown> }>(path.join(dir, "config.json"));
    config.config["num_groups"] = 1;
    config.config["num_layers"] = 2;
    writeFileSync(path.join(dir, "config.json"), JSON.stringify(config));
    await expectPresetError(
      readPreset(dir),
      "weights_mismatch",
      /holds encoder layer layers\/transformer_encoder_2/,
    );
  });

  test("albert_ts.json with bad settings", async () => {
    const dir = copyFixture("keras", "tiny");
    writeFileSync(
      path.join(dir, "albert_ts.json"),
      JSON.stringify({ config: { activation: "swish" } }),
    );
    await expectPresetError(readPreset(dir), "invalid_config", /activation="swish"/);
    writeFileSync(
      path.join(dir, "albert_ts.json"),
      JSON.stringify({ config: { hidden_act: "gelu" } }),
    );
    await expectPresetError(readPreset(dir), "invalid_config", /unknown settings hidden_act/);
  });
});

describe("readPreset: HF transformers checkpoints", () => {
  test.each(["tiny", "tiny_pretraining"])(
    "hf/%s converts to exactly the weights KerasHub's converter gives (keras/tiny_from_hf)",
    async (name) => {
      const hf = await readPreset(testdataPath("hf", name));
      const reference = await readPreset(testdataPath("keras", "tiny_from_hf"));
      expect(hf.format).toBe("transformers");
      expect(hf.config).toEqual(reference.config);
      expect([...hf.weights.keys()]).toEqual([...reference.weights.keys()]);
      expect(weightMapDiff(hf.weights, reference.weights)).toBeLessThanOrEqual(1e-6);
      expect(weightMapsIdentical(hf.weights, reference.weights)).toBe(true);
      expect(hf.storedDtypes).toEqual(["float32"]);
      expect(hf.metadata).toBeUndefined();
    },
  );

  test("hidden_act and layer_norm_eps come back as activation and layer_norm_epsilon", async () => {
    const dir = copyFixture("hf", "tiny");
    const config = readJson<Record<string, unknown>>(path.join(dir, "config.json"));
    writeFileSync(
      path.join(dir, "config.json"),
      JSON.stringify({ ...config, hidden_act: "gelu", layer_norm_eps: 1e-5 }),
    );
    const read = await readPreset(dir, { loadWeights: false });
    expect(read.config.activation).toBe("gelu");
    expect(read.config.layer_norm_epsilon).toBe(1e-5);
  });

  test("a sharded safetensors checkpoint (index + shards) reads the same", async () => {
    const dir = copyFixture("hf", "tiny_pretraining");
    const { tensors, data } = splitSafetensors(path.join(dir, "model.safetensors"));
    rmSync(path.join(dir, "model.safetensors"));
    const names = [...tensors.keys()];
    const half = Math.ceil(names.length / 2);
    const weightMap: Record<string, string> = {};
    names.forEach((n, i) => {
      weightMap[n] =
        i < half ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors";
    });
    writeShard(path.join(dir, "model-00001-of-00002.safetensors"), names.slice(0, half), tensors);
    writeShard(path.join(dir, "model-00002-of-00002.safetensors"), names.slice(half), tensors);
    writeFileSync(
      path.join(dir, "model.safetensors.index.json"),
      JSON.stringify({ metadata: { total_size: data.length }, weight_map: weightMap }),
    );
    const sharded = await readPreset(dir);
    const reference = await readPreset(testdataPath("keras", "tiny_from_hf"));
    expect(weightMapsIdentical(sharded.weights, reference.weights)).toBe(true);
  });

  test("an index naming a shard outside the folder is refused", async () => {
    const dir = copyFixture("hf", "tiny");
    writeFileSync(
      path.join(dir, "model.safetensors.index.json"),
      JSON.stringify({
        weight_map: { "embeddings.word_embeddings.weight": "../../outside.safetensors" },
      }),
    );
    await expectPresetError(readPreset(dir), "unsafe_path", /'\.\.'/);
  });

  test("an index naming a shard that is missing", async () => {
    const dir = copyFixture("hf", "tiny");
    const { tensors } = splitSafetensors(path.join(dir, "model.safetensors"));
    const weightMap = Object.fromEntries(
      [...tensors.keys()].map((n) => [n, "model-00001-of-00001.safetensors"]),
    );
    writeFileSync(
      path.join(dir, "model.safetensors.index.json"),
      JSON.stringify({ weight_map: weightMap }),
    );
    await expectPresetError(
      readPreset(dir),
      "missing_file",
      /model-00001-of-00001.safetensors is missing/,
    );
  });

  test("a checkpoint without pooler (AlbertForMaskedLM) is refused with an explanation", async () => {
    const dir = copyFixture("hf", "tiny_pretraining");
    const file = path.join(dir, "model.safetensors");
    const { tensors } = splitSafetensors(file);
    const kept = [...tensors.keys()].filter((n) => !n.startsWith("albert.pooler."));
    writeShard(file, kept, tensors);
    const error = await expectPresetError(readPreset(dir), "weights_mismatch", /no pooler weights/);
    expect(error.message).toMatch(/AlbertForMaskedLM/);
    expect(error.message).toMatch(/KerasHub's converter refuses such checkpoints too/);
  });

  test("a checkpoint with only pytorch_model.bin is refused: pickles are never loaded", async () => {
    const dir = copyFixture("hf", "tiny");
    rmSync(path.join(dir, "model.safetensors"));
    writeFileSync(path.join(dir, "pytorch_model.bin"), "PK pretend pickle");
    const error = await expectPresetError(readPreset(dir), "unsupported_format", /PyTorch pickle/);
    expect(error.message).toMatch(/can run arbitrary code/);
    await expect(readPreset(dir, { loadWeights: false })).resolves.toMatchObject({
      format: "transformers",
    });
  });

  test("a checkpoint whose tensors do not match its config", async () => {
    const dir = copyFixture("hf", "tiny");
    const config = readJson<Record<string, unknown>>(path.join(dir, "config.json"));
    writeFileSync(
      path.join(dir, "config.json"),
      JSON.stringify({ ...config, intermediate_size: 64 }),
    );
    await expectPresetError(
      readPreset(dir),
      "weights_mismatch",
      /ffn.weight has shape \[32,16\], config.json implies \[64,16\]/,
    );
    writeFileSync(
      path.join(dir, "config.json"),
      JSON.stringify({ ...config, num_hidden_groups: 2, num_hidden_layers: 2 }),
    );
    await expectPresetError(readPreset(dir), "weights_mismatch", /missing \d+ tensor/);
  });

  test("extra encoder groups beyond the config are refused", async () => {
    const dir = copyFixture("hf", "tiny");
    const file = path.join(dir, "model.safetensors");
    const { tensors } = splitSafetensors(file);
    const extraName = "encoder.albert_layer_groups.1.albert_layers.0.ffn.bias";
    const source = tensors.get("encoder.albert_layer_groups.0.albert_layers.0.ffn.bias")!;
    tensors.set(extraName, source);
    writeShard(file, [...tensors.keys()], tensors);
    await expectPresetError(
      readPreset(dir),
      "weights_mismatch",
      /holds encoder.albert_layer_groups.1/,
    );
  });

  test("a config.json of another format is refused", async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "config.json"), JSON.stringify({ architecture: "resnet50" }));
    await expectPresetError(readPreset(dir), "unsupported_format", /timm/);
    writeFileSync(path.join(dir, "config.json"), JSON.stringify({ model_type: "bert" }));
    await expectPresetError(readPreset(dir), "unsupported_format", /model_type "bert"/);
  });

  test("nested asset folders do not confuse format detection", async () => {
    const dir = copyFixture("hf", "tiny");
    mkdirSync(path.join(dir, "assets"));
    await expect(readPreset(dir)).resolves.toMatchObject({ format: "transformers" });
  });
});

// HF checkpoints with other activations and groups (testdata/hf/{tiny_gelu_exact,tiny_relu,grouped}).
describe.skipIf(!existsSync(testdataPath("hf", "tiny_relu")))(
  "readPreset: more HF checkpoints",
  () => {
    test.each([
      ["tiny_gelu_exact", "gelu", 1e-5],
      ["tiny_relu", "relu", undefined],
    ])("hf/%s: activation %s, layer_norm_epsilon %s", async (name, activation, eps) => {
      const { config, weights } = await readPreset(testdataPath("hf", name));
      expect(config.activation).toBe(activation);
      expect(config.layer_norm_epsilon).toBe(eps);
      expect(weights.size).toBe(backboneWeightSpecs(config).length);
    });

    test("hf/grouped: 2 groups of 2 inner layers map to group_{g}_inner_layer_{i}", async () => {
      const { config, weights } = await readPreset(testdataPath("hf", "grouped"));
      expect([config.num_groups, config.num_inner_repetitions, config.num_layers]).toEqual([
        2, 2, 4,
      ]);
      expect([...weights.keys()]).toEqual(backboneWeightSpecs(config).map((s) => s.name));
      expect(weights.has("group_1_inner_layer_1/feedforward_output_dense/kernel")).toBe(true);
    });
  },
);

interface Entry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** The tensors of a safetensors file and its data buffer (test helper). */
function splitSafetensors(file: string): {
  tensors: Map<string, { entry: Entry; bytes: Buffer }>;
  data: Buffer;
} {
  const bytes = readFileSync(file);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString("utf8")) as Record<string, Entry>;
  const data = bytes.subarray(8 + n);
  const tensors = new Map<string, { entry: Entry; bytes: Buffer }>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    tensors.set(name, {
      entry,
      bytes: data.subarray(entry.data_offsets[0], entry.data_offsets[1]),
    });
  }
  return { tensors, data };
}

function writeShard(
  file: string,
  names: string[],
  tensors: Map<string, { entry: Entry; bytes: Buffer }>,
): void {
  writeFileSync(
    file,
    makeSafetensors(
      names.map((name) => {
        const t = tensors.get(name)!;
        return { name, dtype: t.entry.dtype, shape: t.entry.shape, bytes: t.bytes };
      }),
      { metadata: { format: "pt" } },
    ),
  );
}
