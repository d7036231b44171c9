import { describe, expect, it } from "vitest";
import { formatBytes, formatCompact, formatCount, formatDuration, formatNumber } from "./format.js";

describe("number formatting", () => {
  it("formatCount groups thousands", () => {
    expect(formatCount(11683584)).toBe("11,683,584");
    expect(formatCount(999)).toBe("999");
    expect(formatCount(-1234)).toBe("-1,234");
    expect(formatCount(0)).toBe("0");
  });

  it("formatCompact shortens", () => {
    expect(formatCompact(11683584)).toBe("11.7M");
    expect(formatCompact(109081344)).toBe("109.1M");
    expect(formatCompact(1_500_000)).toBe("1.5M");
    expect(formatCompact(393_216)).toBe("393K");
    expect(formatCompact(1_200)).toBe("1.2K");
    expect(formatCompact(950)).toBe("950");
  });

  it("formatBytes uses binary units", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(46_874_112)).toBe("44.7 MiB");
  });

  it("formatDuration", () => {
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(4_210)).toBe("4.2 s");
    expect(formatDuration(125_000)).toBe("2 min 05 s");
  });

  it("formatNumber", () => {
    expect(formatNumber(0.123456)).toBe("0.1235");
    expect(formatNumber(1.5e-7)).toBe("1.500e-7");
    expect(formatNumber(3)).toBe("3");
    expect(formatNumber(-0)).toBe("0");
    expect(formatNumber(NaN)).toBe("NaN");
    expect(formatNumber(-Infinity)).toBe("-Infinity");
    expect(formatNumber(12.3456, 3)).toBe("12.3");
  });
});
