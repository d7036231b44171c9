import path from "node:path";
import { describe, expect, test } from "vitest";
import { PresetError } from "./errors.js";
import { safeBaseName, safeJoin, unsafeRelativePathReason } from "./safe-paths.js";

describe("safe relative paths", () => {
  test.each([
    "config.json",
    "assets/tokenizer/vocabulary.spm",
    "model-00001-of-00002.safetensors",
    "a..b",
  ])("accepts %s", (name) => {
    expect(unsafeRelativePathReason(name)).toBeUndefined();
    expect(safeJoin("/tmp/preset", name, "test")).toBe(
      path.join("/tmp/preset", ...name.split("/")),
    );
  });

  test.each([
    ["../evil", "'..'"],
    ["a/../../evil", "'..'"],
    ["/etc/passwd", "absolute"],
    ["C:/x", "drive"],
    ["a\\b", "backslash"],
    ["a//b", "empty"],
    ["./a", "'.'"],
    ["", "empty"],
    ["a\u0000b", "control"],
  ])("refuses %j (%s)", (name, why) => {
    expect(unsafeRelativePathReason(name)).toContain(why);
    expect(() => safeJoin("/tmp/preset", name, "index.json")).toThrow(PresetError);
    try {
      safeJoin("/tmp/preset", name, "index.json");
    } catch (error) {
      expect((error as PresetError).code).toBe("unsafe_path");
      expect((error as PresetError).message).toContain("index.json");
    }
  });

  test("safeBaseName refuses folders", () => {
    expect(() =>
      safeBaseName("/tmp/p", "sub/model_00000.weights.h5", "model.weights.json"),
    ).toThrow(/without folders/);
    expect(safeBaseName("/tmp/p", "model_00000.weights.h5", "x")).toBe(
      "/tmp/p/model_00000.weights.h5",
    );
  });
});
