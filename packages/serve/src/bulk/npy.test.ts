import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { testdataPath } from "@albert/test-utils";
import { npyBytes, readNpyShape } from "./npy.js";

describe(".npy files", () => {
  it("are byte for byte what NumPy's np.save writes (testdata/serve)", () => {
    const reference = readFileSync(testdataPath("serve", "np_save_f32_3x16.npy"));
    const data = new Float32Array(48).map((_, i) => Math.fround(i) / 7);
    expect(npyBytes(data, [3, 16]).equals(reference)).toBe(true);
    expect(readNpyShape(reference)).toEqual([3, 16]);
  });

  it("pad the header so the data starts at a multiple of 64 bytes", () => {
    for (const shape of [[0, 768], [1, 16], [123456, 4096]]) {
      const header = npyBytes(new Float32Array(0), [0, shape[1]!]).length;
      expect(header % 64).toBe(0);
    }
    expect(() => npyBytes(new Float32Array(3), [2, 2])).toThrow(/holds 4 values, data has 3/);
  });
});
