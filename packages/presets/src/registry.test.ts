import { describe, expect, it } from "vitest";
import { isBuiltinUncasedHandle, listPresets } from "./registry.js";

describe("isBuiltinUncasedHandle", () => {
  it("knows the built-in *_uncased presets by name and by Kaggle handle at any version", () => {
    for (const p of listPresets()) {
      expect(isBuiltinUncasedHandle(p.name), p.name).toBe(true);
      expect(isBuiltinUncasedHandle(p.kaggleHandle), p.kaggleHandle).toBe(true);
    }
    expect(isBuiltinUncasedHandle("kaggle://keras/albert/keras/albert_base_en_uncased")).toBe(true);
    expect(isBuiltinUncasedHandle("kaggle://keras/albert/keras/albert_base_en_uncased/1")).toBe(
      true,
    );
  });

  it.each([
    "./albert_base_en_uncased",
    "/models/albert_base_en_uncased",
    "hf://someone/albert_base_en_uncased",
    "kaggle://someone/albert/keras/albert_base_en_uncased/1",
    "kaggle://keras/albert/keras/albert_base_en_cased/1",
    "kaggle://not a handle",
    "albert_tiny_en_uncased",
  ])("is false for %s (not a built-in preset: a folder's name never counts)", (handle) => {
    expect(isBuiltinUncasedHandle(handle)).toBe(false);
  });
});
