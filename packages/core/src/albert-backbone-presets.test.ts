import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { AlbertBackbone, AlbertConfigError, PresetError } from "./index.js";
import { caught, expectNoLeaks, kerasFixture } from "./test-utils/index.js";

const root = mkdtempSync(path.join(tmpdir(), "albert-core-presets-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A copy of the tiny fixture preset in which `files` replace (or, when null, remove) files. */
function brokenPreset(name: string, files: Record<string, string | Buffer | null>): string {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  const source = kerasFixture("tiny").dir;
  for (const file of ["config.json", "model.weights.h5", "metadata.json"]) {
    const replacement = files[file];
    if (replacement === undefined) copyFileSync(path.join(source, file), path.join(dir, file));
    else if (replacement !== null) writeFileSync(path.join(dir, file), replacement);
  }
  return dir;
}

const tinyConfig = () => JSON.parse(readFileSync(path.join(kerasFixture("tiny").dir, "config.json"), "utf8"));
const tinyWeights = () => readFileSync(path.join(kerasFixture("tiny").dir, "model.weights.h5"));

describe("fromPreset with broken presets", () => {
  const cases: [string, () => string, RegExp, string][] = [
    ["a directory without config.json", () => brokenPreset("no-config", { "config.json": null }), /has no config\.json/, "missing_file"],
    ["invalid JSON", () => brokenPreset("bad-json", { "config.json": "{ not json" }), /not valid JSON/, "invalid_json"],
    [
      "an absurd vocabulary",
      () => brokenPreset("absurd", { "config.json": JSON.stringify({ ...tinyConfig(), config: { ...tinyConfig().config, vocabulary_size: 1e12 } }) }),
      /vocabulary_size=1000000000000/,
      "invalid_config",
    ],
    ["truncated weights", () => brokenPreset("truncated", { "model.weights.h5": tinyWeights().subarray(0, 40_000) }), /truncated file/, "corrupt_weights"],
    ["garbage weights", () => brokenPreset("garbage", { "model.weights.h5": Buffer.alloc(5000, 7) }), /not a readable HDF5 weights file/, "corrupt_weights"],
    ["no weights file", () => brokenPreset("no-weights", { "model.weights.h5": null }), /no model\.weights\.h5/, "missing_file"],
    [
      "weights of another shape",
      () => brokenPreset("other-shape", { "config.json": JSON.stringify({ ...tinyConfig(), config: { ...tinyConfig().config, intermediate_dim: 64 } }) }),
      /feedforward_intermediate_dense\/kernel has shape \[16,32\], config\.json implies \[16,64\]/,
      "weights_mismatch",
    ],
    ["a missing directory", () => path.join(root, "does-not-exist"), /does not exist/, "not_found"],
  ];

  it.each(cases)("refuses %s with a PresetError naming the file", async (_, make, message, code) => {
    const dir = make();
    const error = await expectNoLeaks(() => caught(() => AlbertBackbone.fromPreset(dir)));
    expect(error).toBeInstanceOf(PresetError);
    expect(error).toMatchObject({ code });
    expect(error.message).toMatch(message);
  });

  it("refuses an unknown preset name, listing the built-in ones", async () => {
    const error = await caught(() => AlbertBackbone.fromPreset("albert_tiny_en"));
    expect(error).toMatchObject({ code: "unknown_preset" });
    expect(error.message).toMatch(/albert_base_en_uncased/);
  });

  it("refuses weights that do not fit the model it builds", async () => {
    const model = await AlbertBackbone.fromPreset(kerasFixture("tiny").dir, { loadWeights: false });
    const weights = (await AlbertBackbone.fromPreset(kerasFixture("wide").dir)).getWeightMap();
    const error = await expectNoLeaks(() => caught(() => model.setWeightMap(weights)));
    expect(error).toBeInstanceOf(AlbertConfigError);
    expect(error.message).toMatch(/token_embedding\/embeddings has shape \[211,16\], the config implies \[97,8\]/);
    model.dispose();
  });

  it("builds the architecture of a local preset without reading its weights", async () => {
    const dir = brokenPreset("config-only", { "model.weights.h5": null });
    const model = await AlbertBackbone.fromPreset(dir, { loadWeights: false });
    expect(model.countParams()).toBe(3576);
    model.dispose();
  });
});

describe("saveToPreset", () => {
  it("writes a KerasHub preset that reloads bit-exactly", async () => {
    const fixture = kerasFixture("grouped");
    const original = await AlbertBackbone.fromPreset(fixture.dir);
    const dir = path.join(root, "saved-grouped");
    await original.saveToPreset(dir);
    const config = JSON.parse(readFileSync(path.join(dir, "config.json"), "utf8"));
    expect(config).toEqual(JSON.parse(readFileSync(path.join(fixture.dir, "config.json"), "utf8")));
    expect(JSON.parse(readFileSync(path.join(dir, "metadata.json"), "utf8"))).toMatchObject({
      parameter_count: fixture.params,
    });
    const reloaded = await AlbertBackbone.fromPreset(dir);
    const [a, b] = [original.getWeightMap(), reloaded.getWeightMap()];
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [name, tensor] of a) expect(b.get(name)!.data, name).toEqual(tensor.data);
    const [x, y] = [original.predict(fixture.inputs), reloaded.predict(fixture.inputs)];
    expect(Buffer.from(y.sequenceOutput.dataSync().buffer)).toEqual(Buffer.from(x.sequenceOutput.dataSync().buffer));
    for (const t of [x.sequenceOutput, x.pooledOutput, y.sequenceOutput, y.pooledOutput]) t.dispose();
    original.dispose();
    reloaded.dispose();
  });

  it("warns that Python KerasHub would ignore a non-KerasHub activation, and keeps it here", async () => {
    const model = await AlbertBackbone.fromPreset(path.join(kerasFixture("tiny").dir, "..", "..", "hf", "tiny_gelu_exact"));
    const warnings: string[] = [];
    const dir = path.join(root, "saved-gelu");
    await model.saveToPreset(dir, { onWarning: (m) => warnings.push(m) });
    expect(warnings.join("\n")).toMatch(/activation/);
    const reloaded = await AlbertBackbone.fromPreset(dir, { loadWeights: false });
    expect(reloaded.getConfig()).toMatchObject({ activation: "gelu", layer_norm_epsilon: 1e-5 });
    expect(JSON.parse(readFileSync(path.join(dir, "config.json"), "utf8")).config).not.toHaveProperty("activation");
    model.dispose();
    reloaded.dispose();
  });
});
