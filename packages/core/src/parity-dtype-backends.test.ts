/**
 * The dtype policies on the backends without TensorFlow's 16-bit kernels: WebAssembly and the
 * JS cpu backend round every float32 result where KerasHub rounds, and must match its 16-bit
 * outputs within the policy's tolerance (a file of its own: the backend is switched here).
 * Backends whose arithmetic cannot promise that refuse the policy instead.
 */
import { describe, expect, it } from "vitest";
import { flatten, readJson, testdataPath, type KerasFixtureExpected } from "@albert/test-utils";
import { roundToHalf } from "@albert/presets";
import { checkPolicyRunsHere, toleranceRatio } from "./dtype/policy-support.js";
import { AlbertBackbone, AlbertConfigError, DTypePolicy, initBackend, tf } from "./index.js";
import { caught, expectNoLeaks, kerasFixture } from "./test-utils/index.js";

const POLICIES = ["bfloat16", "mixed_bfloat16", "float16", "mixed_float16"] as const;

describe.each(["wasm", "cpu"] as const)("%s backend", (backend) => {
  it.each(POLICIES)(`tiny under %s matches KerasHub within the policy's tolerance, in 16-bit values`, async (policy) => {
    await initBackend(backend);
    const fixture = kerasFixture("tiny");
    const reference = readJson<KerasFixtureExpected>(testdataPath("dtype", "tiny", `expected_${policy}.json`));
    await expectNoLeaks(async () => {
      const model = await AlbertBackbone.fromPreset(fixture.dir, { dtype: policy });
      const compute = model.dtypePolicy.computeDtype as "bfloat16" | "float16";
      const out = model.predict(fixture.inputs);
      expect(tf.getBackend()).toBe(backend);
      expect(model.inferenceEngine).toBe(`eager (${compute}, rounded in float32)`);
      const sequence = out.sequenceOutput.dataSync() as Float32Array;
      const pooled = out.pooledOutput.dataSync() as Float32Array;
      const ratio = Math.max(
        toleranceRatio(sequence, flatten(reference.sequence_output), compute),
        toleranceRatio(pooled, flatten(reference.pooled_output), compute),
      );
      console.log(`[${backend}, ${model.inferenceEngine}] tiny ${policy}: worst ratio to the tolerance ${ratio.toFixed(3)}`);
      expect(ratio).toBeLessThanOrEqual(1);
      expect(roundToHalf(sequence, compute)).toEqual(sequence);
      tf.dispose([out.sequenceOutput, out.pooledOutput]);
      model.dispose();
    });
  });
});

describe("a backend that cannot compute 16-bit policies", () => {
  it("refuses them with an AlbertConfigError naming the backends that can, and runs float32", async () => {
    await initBackend("cpu");
    // A browser backend is not available in Node: the cpu backend stands in under its name.
    tf.registerBackend("webgl", () => tf.findBackend("cpu")!);
    await tf.setBackend("webgl");
    const error = await caught(() => checkPolicyRunsHere(new DTypePolicy("mixed_bfloat16")));
    expect(error).toBeInstanceOf(AlbertConfigError);
    expect(error).toMatchObject({ code: "unsupported_dtype", argument: "dtype" });
    expect(error.message).toMatch(/dtype="mixed_bfloat16" cannot run on the webgl backend.*tensorflow, wasm, cpu/);
    expect(() => checkPolicyRunsHere(new DTypePolicy("float32"))).not.toThrow();
    await tf.setBackend("cpu");
  });
});
