/**
 * How presets meet dtype policies, as KerasHub's `from_preset` and `save_to_preset` behave
 * (testdata/dtype/preset-behaviour.json records what KerasHub did).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { flatten, readJson, testdataPath, type KerasFixtureExpected } from "@albert/test-utils";
import { readPreset, roundToHalf } from "@albert/presets";
import { AlbertBackbone, AlbertConfigError, tf, type DTypePolicyName } from "../index.js";
import { caught, expectNoLeaks, kerasFixture } from "../test-utils/index.js";

const root = mkdtempSync(path.join(tmpdir(), "albert-dtype-presets-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => {
  delete process.env["ALBERT_GRAPH"];
});

interface SavedBehaviour {
  config_json_dtype: unknown;
  h5_dataset_dtypes: Record<string, string[]>;
}
const behaviour = readJson<{ save_to_preset: Record<DTypePolicyName, SavedBehaviour> }>(
  testdataPath("dtype", "preset-behaviour.json"),
).save_to_preset;
/** KerasHub's h5 dtype names as `readPreset` reports them. */
const STORED: Record<string, string> = { float32: "float32", float16: "float16", "|V2 attrs.dtype=bfloat16": "bfloat16" };

describe("fromPreset with a dtype", () => {
  it("ignores the dtype saved in config.json, as KerasHub: a bfloat16 preset loads as float32", async () => {
    const model = await AlbertBackbone.fromPreset(kerasFixture("tiny_bf16").dir);
    expect(model.dtypePolicy.name).toBe("float32");
    expect(model.getConfig().dtype).toEqual({ module: "keras", class_name: "DTypePolicy", config: { name: "float32" }, registered_name: null });
    model.dispose();
  });

  it("rounds float32 weights to nearest even into a pure policy's variables (KerasHub's own copies)", async () => {
    const tiny = await readPreset(kerasFixture("tiny").dir);
    for (const [policy, copy] of [["bfloat16", "tiny_bf16"], ["float16", "tiny_f16"]] as const) {
      const model = await AlbertBackbone.fromPreset(kerasFixture("tiny").dir, { dtype: policy });
      const keras = await readPreset(kerasFixture(copy).dir);
      for (const [name, tensor] of model.getWeightMap()) {
        expect(tensor.data, name).toEqual(roundToHalf(tiny.weights.get(name)!.data, policy));
        expect(tensor.data, name).toEqual(keras.weights.get(name)!.data);
      }
      model.dispose();
    }
    const mixed = await AlbertBackbone.fromPreset(kerasFixture("tiny").dir, { dtype: "mixed_bfloat16" });
    expect(mixed.getWeightMap().get("token_embedding/embeddings")!.data).toEqual(tiny.weights.get("token_embedding/embeddings")!.data);
    mixed.dispose();
  });

  it("a bfloat16 preset loaded as mixed_bfloat16 computes pure bfloat16's outputs bit for bit", async () => {
    process.env["ALBERT_GRAPH"] = "exact";
    const fixture = kerasFixture("tiny_bf16");
    const expected = readJson<KerasFixtureExpected>(testdataPath("dtype", "tiny", "expected_bfloat16.json"));
    const model = await AlbertBackbone.fromPreset(fixture.dir, { dtype: "mixed_bfloat16" });
    const out = model.predict(fixture.inputs);
    expect(Array.from(out.sequenceOutput.dataSync())).toEqual(flatten(expected.sequence_output));
    expect(Array.from(out.pooledOutput.dataSync())).toEqual(flatten(expected.pooled_output));
    tf.dispose([out.sequenceOutput, out.pooledOutput]);
    model.dispose();
  });

  it("refuses a bad dtype before resolving anything", async () => {
    const error = await expectNoLeaks(() => caught(() => AlbertBackbone.fromPreset("hf://albert/albert-base-v2", { dtype: "float8" })));
    expect(error).toBeInstanceOf(AlbertConfigError);
    expect(error).toMatchObject({ code: "unsupported_dtype", argument: "dtype" });
  });
});

describe.each(["float32", "bfloat16", "float16", "mixed_bfloat16", "mixed_float16"] as const)("saveToPreset under %s", (policy) => {
  it("writes KerasHub's config dtype and h5 dtype, and reloads with the same dtype bit for bit", async () => {
    const fixture = kerasFixture("tiny");
    const model = await AlbertBackbone.fromPreset(fixture.dir, { dtype: policy });
    const dir = path.join(root, policy);
    await model.saveToPreset(dir);
    expect(JSON.parse(readFileSync(path.join(dir, "config.json"), "utf8")).config.dtype).toEqual(behaviour[policy].config_json_dtype);
    const saved = await readPreset(dir);
    expect(saved.storedDtypes).toEqual(Object.keys(behaviour[policy].h5_dataset_dtypes).map((k) => STORED[k]));

    const reloaded = await AlbertBackbone.fromPreset(dir, { dtype: policy });
    const [a, b] = [model.getWeightMap(), reloaded.getWeightMap()];
    for (const [name, tensor] of a) expect(b.get(name)!.data, name).toEqual(tensor.data);
    const [x, y] = [model.predict(fixture.inputs), reloaded.predict(fixture.inputs)];
    expect(Buffer.from(y.sequenceOutput.dataSync().buffer)).toEqual(Buffer.from(x.sequenceOutput.dataSync().buffer));
    expect(Buffer.from(y.pooledOutput.dataSync().buffer)).toEqual(Buffer.from(x.pooledOutput.dataSync().buffer));

    // Without a dtype it loads as float32, KerasHub's default.
    const plain = await AlbertBackbone.fromPreset(dir);
    expect(plain.dtypePolicy.name).toBe("float32");
    tf.dispose([x.sequenceOutput, x.pooledOutput, y.sequenceOutput, y.pooledOutput]);
    for (const m of [model, reloaded, plain]) m.dispose();
  });
});

describe("setWeightMap under a pure 16-bit policy", () => {
  it("rounds the assigned values, as assigning to a bfloat16 variable does", async () => {
    const tiny = await readPreset(kerasFixture("tiny").dir);
    const model = AlbertBackbone.fromConfig({ ...tiny.config, dtype: "bfloat16" });
    model.setWeightMap(tiny.weights);
    const embeddings = model.getWeightMap().get("token_embedding/embeddings")!.data;
    expect(embeddings).toEqual(roundToHalf(tiny.weights.get("token_embedding/embeddings")!.data, "bfloat16"));
    model.dispose();
  });
});
