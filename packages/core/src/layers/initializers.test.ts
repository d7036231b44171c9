import { describe, expect, it } from "vitest";
import { fillTruncatedNormal } from "./initializers.js";

describe("fillTruncatedNormal", () => {
  it("draws a normal truncated at two standard deviations, like Keras' TruncatedNormal", () => {
    const values = fillTruncatedNormal(new Float32Array(200_000), 0.02, 1234);
    let sum = 0;
    let squares = 0;
    let max = 0;
    for (const v of values) {
      sum += v;
      squares += v * v;
      max = Math.max(max, Math.abs(v));
    }
    const mean = sum / values.length;
    const std = Math.sqrt(squares / values.length - mean * mean);
    expect(Math.abs(mean)).toBeLessThan(3e-4);
    // A standard normal truncated to [-2, 2] has standard deviation 0.8796.
    expect(std / 0.02).toBeCloseTo(0.8796, 2);
    expect(max).toBeLessThan(0.04);
    expect(max).toBeGreaterThan(0.039);
  });

  it("differs from seed to seed and repeats for one seed", () => {
    const a = fillTruncatedNormal(new Float32Array(8), 1, 1);
    expect(fillTruncatedNormal(new Float32Array(8), 1, 1)).toEqual(a);
    expect(fillTruncatedNormal(new Float32Array(8), 1, 2)).not.toEqual(a);
  });
});
