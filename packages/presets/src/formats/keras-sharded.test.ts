import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { testdataPath } from "@albert/test-utils";
import { readPreset } from "../read-preset.js";
import { copyFixture } from "../test-utils/helpers.js";
import { SHARDED_WEIGHTS_INDEX, readKerasShardIndex } from "./keras-sharded.js";

describe("Keras sharded weights", () => {
  test("reads Keras' index: string and list values, groups without the leading slash", () => {
    const index = readKerasShardIndex(testdataPath("keras", "tiny_sharded", SHARDED_WEIGHTS_INDEX));
    expect(index.files).toEqual([0, 1, 2, 3, 4, 5].map((i) => `model_0000${i}.weights.h5`));
    expect(index.groups.get("layers/reversible_embedding")).toEqual(["model_00000.weights.h5"]);
    // One layer's variables straddle two shards in this fixture.
    expect([...index.groups.values()].some((files) => files.length === 2)).toBe(true);
  });

  test("a shard name that leaves the folder is refused", async () => {
    const dir = copyFixture("keras", "tiny_sharded");
    const file = path.join(dir, SHARDED_WEIGHTS_INDEX);
    const index = JSON.parse(readFileSync(file, "utf8")) as { weight_map: Record<string, unknown> };
    index.weight_map["/layers/dense/vars"] = "../model_00001.weights.h5";
    writeFileSync(file, JSON.stringify(index));
    await expect(readPreset(dir)).rejects.toMatchObject({ code: "unsafe_path" });
    index.weight_map["/layers/dense/vars"] = "/etc/model_00001.weights.h5";
    writeFileSync(file, JSON.stringify(index));
    await expect(readPreset(dir)).rejects.toMatchObject({ code: "unsafe_path" });
  });

  test("a missing shard says which file and which index", async () => {
    const dir = copyFixture("keras", "tiny_sharded");
    rmSync(path.join(dir, "model_00003.weights.h5"));
    await expect(readPreset(dir)).rejects.toMatchObject({
      code: "missing_file",
      message: expect.stringMatching(
        /model_00003.weights.h5 is missing: .*model.weights.json lists it/,
      ),
    });
  });

  test("a malformed index", async () => {
    const dir = copyFixture("keras", "tiny_sharded");
    const file = path.join(dir, SHARDED_WEIGHTS_INDEX);
    writeFileSync(file, JSON.stringify({ weight_map: { "/layers/dense/vars": 3 } }));
    await expect(readPreset(dir)).rejects.toMatchObject({ code: "corrupt_weights" });
    writeFileSync(
      file,
      JSON.stringify({ weight_map: { "layers/dense": "model_00000.weights.h5" } }),
    );
    await expect(readPreset(dir)).rejects.toMatchObject({ code: "corrupt_weights" });
    writeFileSync(file, "nope");
    await expect(readPreset(dir)).rejects.toMatchObject({ code: "invalid_json" });
  });

  test("a shard of another preset does not pass for the right one", async () => {
    const dir = copyFixture("keras", "tiny_sharded");
    writeFileSync(
      path.join(dir, "model_00000.weights.h5"),
      readFileSync(testdataPath("keras", "wide", "model.weights.h5")),
    );
    await expect(readPreset(dir)).rejects.toMatchObject({ code: "weights_mismatch" });
  });
});
