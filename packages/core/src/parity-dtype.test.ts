/**
 * Parity with KerasHub under its reduced-precision dtype policies (testdata/dtype): each
 * fixture preset loaded with `fromPreset(dir, { dtype })` must reproduce KerasHub's
 * bfloat16/float16 outputs within the policy's tolerance (atol + rtol·|expected|), on every
 * path native TensorFlow offers: the fused 16-bit graph (the default), the graph that rounds
 * exactly where KerasHub's eager call rounds (`ALBERT_GRAPH=exact`), and the op-by-op path
 * (`ALBERT_GRAPH=0`), which rounds float32 results at the same points. For bfloat16 the last
 * two must match bit for bit: that shows every rounding point is KerasHub's.
 */
import { afterEach, describe, expect, it } from "vitest";
import { flatten, readJson, testdataPath, type KerasFixtureExpected } from "@albert/test-utils";
import { roundToHalf } from "@albert/presets";
import { POLICY_TOLERANCE, toleranceRatio } from "./dtype/policy-support.js";
import { AlbertBackbone, tf, type DTypePolicyName } from "./index.js";
import { expectNoLeaks, kerasFixture } from "./test-utils/index.js";

const POLICIES = ["bfloat16", "mixed_bfloat16", "float16", "mixed_float16"] as const satisfies readonly DTypePolicyName[];
const FIXTURES = ["tiny", "grouped"] as const;

const engines = [
  { engine: "fused graph", graph: "1", expected: /^graph \(fused, bfloat16, cached weights\)$|^graph \(float16, exact rounding\)$/ },
  { engine: "exact graph", graph: "exact", expected: /^graph \((bfloat16|float16), exact rounding\)$/ },
  { engine: "eager", graph: "0", expected: /^eager \((bfloat16|float16), rounded in float32\)$/ },
];

const cases = FIXTURES.flatMap((name) => POLICIES.flatMap((policy) => engines.map((e) => ({ name, policy, ...e }))));

afterEach(() => {
  delete process.env["ALBERT_GRAPH"];
});

describe.each(cases)("$name under $policy ($engine)", ({ name, policy, graph, expected, engine }) => {
  it("matches KerasHub within the policy's tolerance, computed in 16 bits", async () => {
    const fixture = kerasFixture(name);
    const reference = readJson<KerasFixtureExpected>(testdataPath("dtype", name, `expected_${policy}.json`));
    process.env["ALBERT_GRAPH"] = graph;
    await expectNoLeaks(async () => {
      const model = await AlbertBackbone.fromPreset(fixture.dir, { dtype: policy });
      const compute = model.dtypePolicy.computeDtype as "bfloat16" | "float16";
      const out = model.predict(fixture.inputs);
      expect(model.inferenceEngine).toMatch(expected);
      expect(model.inferenceEngine).toContain(compute);
      const sequence = out.sequenceOutput.dataSync() as Float32Array;
      const pooled = out.pooledOutput.dataSync() as Float32Array;
      const ratios = [
        toleranceRatio(sequence, flatten(reference.sequence_output), compute),
        toleranceRatio(pooled, flatten(reference.pooled_output), compute),
      ];
      const { atol, rtol } = POLICY_TOLERANCE[compute];
      console.log(
        `[${model.inferenceEngine}] ${name} ${policy}: worst |diff|/(${atol} + ${rtol}·|expected|) ` +
          `sequence ${ratios[0]!.toFixed(3)}, pooled ${ratios[1]!.toFixed(3)}`,
      );
      expect(Math.max(...ratios)).toBeLessThanOrEqual(1);
      // Reduced precision really ran: every output is a 16-bit value widened to float32.
      expect(roundToHalf(sequence, compute)).toEqual(sequence);
      expect(roundToHalf(pooled, compute)).toEqual(pooled);
      if (compute === "bfloat16" && engine !== "fused graph") {
        // KerasHub's rounding points exactly: its outputs bit for bit.
        expect(Array.from(sequence)).toEqual(flatten(reference.sequence_output));
        expect(Array.from(pooled)).toEqual(flatten(reference.pooled_output));
      }
      tf.dispose([out.sequenceOutput, out.pooledOutput]);
      model.dispose();
    });
  });
});

describe("the 16-bit outputs are not float32 outputs passing a loose tolerance", () => {
  it("differs from the float32 model on every fixture and policy, as KerasHub's do", async () => {
    for (const name of FIXTURES) {
      const fixture = kerasFixture(name);
      for (const policy of POLICIES) {
        const model = await AlbertBackbone.fromPreset(fixture.dir, { dtype: policy });
        const out = model.predict(fixture.inputs);
        const sequence = Array.from(out.sequenceOutput.dataSync());
        const float32 = flatten(fixture.expected.sequence_output);
        // KerasHub: every element differs from float32 (fixture notes); ours likewise.
        const same = sequence.filter((v, i) => v === float32[i]).length;
        expect(same, `${name} ${policy}`).toBeLessThan(sequence.length / 50);
        tf.dispose([out.sequenceOutput, out.pooledOutput]);
        model.dispose();
      }
    }
  });
});

describe("a bfloat16 graph whose kernels keep their own copy of the weights", () => {
  it("computes with new weights after setWeightMap, as a model built with them does", async () => {
    const fixture = kerasFixture("tiny");
    await expectNoLeaks(async () => {
      const model = await AlbertBackbone.fromPreset(fixture.dir, { dtype: "bfloat16" });
      const first = model.predict(fixture.inputs);
      const halved = new Map([...model.getWeightMap()].map(([name, t]) => [name, { shape: t.shape, data: t.data.map((v) => v * 0.5) }]));
      model.setWeightMap(halved);
      const after = model.predict(fixture.inputs);
      const fresh = AlbertBackbone.fromConfig({ ...model.getConfig() }, { weights: halved });
      const expected = fresh.predict(fixture.inputs);
      expect(model.inferenceEngine).toBe("graph (fused, bfloat16, cached weights)");
      expect(Array.from(after.sequenceOutput.dataSync())).toEqual(Array.from(expected.sequenceOutput.dataSync()));
      expect(Array.from(after.sequenceOutput.dataSync())).not.toEqual(Array.from(first.sequenceOutput.dataSync()));
      tf.dispose([first.sequenceOutput, first.pooledOutput, after.sequenceOutput, after.pooledOutput, expected.sequenceOutput, expected.pooledOutput]);
      model.dispose();
      fresh.dispose();
    });
  });
});
