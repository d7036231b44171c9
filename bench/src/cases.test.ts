import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  ALBERT_BASE,
  forwardFlops,
  iterationPlan,
  makeInputs,
  median,
  parseShape,
  timingArgs,
  tokenId,
} from "./cases.js";
import { PACKAGE_ROOT } from "./child-process.js";

describe("cases", () => {
  it("parses BATCHxSEQ and rejects anything else", () => {
    expect(parseShape("8x128")).toEqual({ batch: 8, seq: 128 });
    expect(parseShape(" 1*512 ")).toEqual({ batch: 1, seq: 512 });
    expect(() => parseShape("8x")).toThrow(/Invalid case "8x"/);
    expect(() => parseShape("0x128")).toThrow(/>= 1/);
  });

  it("counts albert_base's matrix-product FLOPs", () => {
    // 8x128: 1024 tokens; per layer 4*2*T*H*H + 2*2*B*S*S*H + 2*2*T*H*I.
    const perLayer = 4 * 2 * 1024 * 768 * 768 + 4 * 8 * 128 * 128 * 768 + 4 * 1024 * 768 * 3072;
    const expected = 2 * 1024 * 128 * 768 + 12 * perLayer + 2 * 8 * 768 * 768;
    expect(forwardFlops(ALBERT_BASE, { batch: 8, seq: 128 })).toBe(expected);
    expect(expected / 1e9).toBeCloseTo(179.0, 0);
  });

  it("plans 3 warm-ups and 15 / 10 / 5 runs, fewer for slow backends and --quick", () => {
    expect(iterationPlan({ batch: 1, seq: 128 }, "tensorflow", false)).toEqual({
      warmups: 3,
      runs: 15,
    });
    expect(iterationPlan({ batch: 8, seq: 128 }, "tensorflow", false)).toEqual({
      warmups: 3,
      runs: 10,
    });
    expect(iterationPlan({ batch: 32, seq: 128 }, "peer", false)).toEqual({ warmups: 3, runs: 5 });
    expect(iterationPlan({ batch: 1, seq: 128 }, "wasm", false)).toEqual({ warmups: 2, runs: 5 });
    expect(iterationPlan({ batch: 8, seq: 128 }, "wasm", false)).toEqual({ warmups: 1, runs: 3 });
    expect(iterationPlan({ batch: 8, seq: 512 }, "wasm", false)).toEqual({ warmups: 1, runs: 2 });
    expect(iterationPlan({ batch: 1, seq: 128 }, "cpu", false)).toEqual({ warmups: 1, runs: 3 });
    expect(iterationPlan({ batch: 8, seq: 128 }, "tensorflow", true)).toEqual({
      warmups: 1,
      runs: 2,
    });
  });

  it("passes a shape and its plan to the Python peers as their flags", () => {
    expect(timingArgs({ batch: 8, seq: 128 }, { warmups: 3, runs: 10 })).toEqual(
      "--batch 8 --seq 128 --warmups 3 --runs 10".split(" "),
    );
  });

  it("takes medians", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it("builds the same input as python/bench_common.py", () => {
    const inputs = makeInputs({ batch: 2, seq: 5 }, 30000);
    expect(inputs.tokenIds[1]).toEqual([0, 1, 2, 3, 4].map((s) => tokenId(1, s)));
    expect(inputs.paddingMask.flat().every((x) => x === 1)).toBe(true);
    expect(inputs.segmentIds.flat().every((x) => x === 0)).toBe(true);
    const python = process.env["PYTHON"] ?? "python3";
    const run = spawnSync(
      python,
      [
        "-c",
        "import json, sys; sys.path.insert(0, sys.argv[1]); import bench_common as b; print(json.dumps(b.token_ids(3, 200)))",
        path.join(PACKAGE_ROOT, "python"),
      ],
      { encoding: "utf8" },
    );
    if (run.status !== 0) return; // no Python here: the TypeScript side is still checked above
    expect(JSON.parse(run.stdout)).toEqual(makeInputs({ batch: 3, seq: 200 }, 30000).tokenIds);
  });
});
