import { describe, expect, test } from "vitest";
import { PresetError } from "../errors.js";
import { kaggleFrameworkEnum, parseHfHandle, parseKaggleHandle } from "./handles.js";

describe("hf:// handles", () => {
  test.each([
    ["hf://albert/albert-base-v2", "albert/albert-base-v2", undefined],
    ["hf://albert/albert-base-v2@main", "albert/albert-base-v2", "main"],
    ["hf://gpt2", "gpt2", undefined],
    ["hf://org_1/name.v2@refs/pr/1", "org_1/name.v2", "refs/pr/1"],
    [
      "hf://a/b@0123456789abcdef0123456789abcdef01234567",
      "a/b",
      "0123456789abcdef0123456789abcdef01234567",
    ],
  ])("%s", (handle, repoId, revision) => {
    expect(parseHfHandle(handle)).toEqual({ repoId, revision });
  });

  test("the revision option applies when the handle has none", () => {
    expect(parseHfHandle("hf://a/b", "v1.0").revision).toBe("v1.0");
    expect(parseHfHandle("hf://a/b@v1.0", "v1.0").revision).toBe("v1.0");
    expect(() => parseHfHandle("hf://a/b@v1.0", "main")).toThrow(
      /differs from the revision option/,
    );
  });

  test.each([
    "hf://../etc",
    "hf://a/../b",
    "hf://a/b/c",
    "hf:///abs",
    "hf://a/b?x=1",
    "hf://a/b#frag",
    "hf://a%2Fb/c",
    "hf://user:pass@host/x",
    "hf://a/b@../../x",
    "hf://a/b@ma in",
    "hf://a/b@/abs",
    "hf://a--b/c",
    "hf://a/b.git",
    "hf://-a/b",
    "hf://a\\b/c",
    "hf://" + "x".repeat(97),
    "hf://",
    "hf://a/b@",
  ])("refuses %j", (handle) => {
    const error = (() => {
      try {
        parseHfHandle(handle);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(PresetError);
    expect((error as PresetError).code).toBe("invalid_handle");
    expect((error as PresetError).message).toContain("allowed:");
  });
});

describe("kaggle:// handles", () => {
  test("versioned and unversioned, as kagglehub parses them", () => {
    expect(parseKaggleHandle("kaggle://keras/albert/keras/albert_base_en_uncased/5")).toEqual({
      owner: "keras",
      model: "albert",
      framework: "keras",
      variation: "albert_base_en_uncased",
      version: 5,
    });
    expect(
      parseKaggleHandle("kaggle://keras/albert/keras/albert_base_en_uncased").version,
    ).toBeUndefined();
    expect(
      parseKaggleHandle("kaggle://keras/albert/keras/albert_base_en_uncased/0").version,
    ).toBeUndefined();
  });

  test.each([
    "kaggle://keras/albert/keras",
    "kaggle://keras/albert/keras/x/5/6",
    "kaggle://keras/albert/keras/x/v5",
    "kaggle://keras/../keras/x/5",
    "kaggle://keras/albert/keras/../5",
    "kaggle://keras/albert/keras/x?y/5",
    "kaggle://keras/albert/keras/x%2F/5",
    "kaggle://keras/albert/keras/.hidden/5",
    "kaggle:///albert/keras/x/5",
  ])("refuses %j", (handle) => {
    expect(() => parseKaggleHandle(handle)).toThrow(
      expect.objectContaining({ code: "invalid_handle" }),
    );
  });

  test.each([
    ["keras", "MODEL_FRAMEWORK_KERAS"],
    ["pyTorch", "MODEL_FRAMEWORK_PY_TORCH"],
    ["pytorch", "MODEL_FRAMEWORK_PY_TORCH"],
    ["tensorFlow2", "MODEL_FRAMEWORK_TENSOR_FLOW_2"],
    ["jax", "MODEL_FRAMEWORK_JAX"],
    ["someNewThing", "MODEL_FRAMEWORK_SOME_NEW_THING"],
  ])("framework %s → %s", (framework, expected) => {
    expect(kaggleFrameworkEnum(framework)).toBe(expected);
  });
});
