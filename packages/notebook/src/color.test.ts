import { describe, expect, it } from "vitest";
import {
  COLOR_SCHEMES,
  interpolateColor,
  relativeLuminance,
  textColorOn,
  valueToColor,
  type ColorScheme,
} from "./color.js";

describe("colour scales", () => {
  it("hits the scheme's end and middle stops exactly", () => {
    expect(interpolateColor("blues", 0)).toBe("#f7fbff");
    expect(interpolateColor("blues", 1)).toBe("#08306b");
    expect(interpolateColor("blues", 0.5)).toBe("#6baed6");
    expect(interpolateColor("redBlue", 0)).toBe("#053061");
    expect(interpolateColor("redBlue", 0.5)).toBe("#f7f7f7");
    expect(interpolateColor("redBlue", 1)).toBe("#67001f");
    expect(interpolateColor("viridis", 0)).toBe("#440154");
    expect(interpolateColor("viridis", 1)).toBe("#fde725");
  });

  it("interpolates between stops and clamps outside [0, 1]", () => {
    // halfway between #f7fbff and #deebf7 (t = 1/16 with 9 stops)
    expect(interpolateColor("blues", 1 / 16)).toBe("#ebf3fb");
    expect(interpolateColor("blues", -3)).toBe("#f7fbff");
    expect(interpolateColor("blues", 7)).toBe("#08306b");
    expect(interpolateColor("blues", NaN)).toBe("#999999");
  });

  it("gets darker as values grow on the sequential scales", () => {
    for (const scheme of ["blues"] as ColorScheme[]) {
      const lum = Array.from({ length: 21 }, (_, i) =>
        relativeLuminance(interpolateColor(scheme, i / 20)),
      );
      for (let i = 1; i < lum.length; i++) expect(lum[i]).toBeLessThan(lum[i - 1] as number);
    }
    const viridis = Array.from({ length: 21 }, (_, i) =>
      relativeLuminance(interpolateColor("viridis", i / 20)),
    );
    for (let i = 1; i < viridis.length; i++)
      expect(viridis[i]).toBeGreaterThan(viridis[i - 1] as number);
  });

  it("maps values through [min, max]", () => {
    expect(valueToColor(0.5, 0, 1, "blues")).toBe("#6baed6");
    expect(valueToColor(-1, -1, 1, "redBlue")).toBe("#053061");
    expect(valueToColor(0, -1, 1, "redBlue")).toBe("#f7f7f7");
    expect(valueToColor(5, 5, 5, "redBlue")).toBe("#f7f7f7"); // flat data: the middle
  });

  it("picks readable text colours", () => {
    expect(textColorOn("#f7fbff")).toBe("#111111");
    expect(textColorOn("#08306b")).toBe("#ffffff");
    expect(textColorOn("#ffffff")).toBe("#111111");
    expect(textColorOn("#000000")).toBe("#ffffff");
  });

  it("rejects unknown schemes", () => {
    expect(COLOR_SCHEMES).toEqual(["blues", "redBlue", "viridis"]);
    expect(() => interpolateColor("rainbow" as ColorScheme, 0.5)).toThrow(
      /unknown colour scheme "rainbow"/,
    );
  });
});
