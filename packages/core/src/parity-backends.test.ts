/**
 * The KerasHub parity check on the other backends this machine has: WebAssembly (SIMD) for
 * every float32 fixture, as parity.test.ts does on native TensorFlow and parity-cpu.test.ts on
 * plain JS. A file of its own: vitest gives each file a worker, so the backend chosen here
 * stays here. It ends by checking what `"auto"` picks on this machine.
 */
import { describe, expect, it } from "vitest";
import { KERAS_FIXTURES, PARITY_TOLERANCE, maxAbsDiff, shapeOf } from "@albert/test-utils";
import { currentBackend } from "@albert/backends";
import { AlbertBackbone, initBackend, tf } from "./index.js";
import { expectNoLeaks, kerasFixture } from "./test-utils/index.js";

describe("wasm backend", () => {
  it("initializes from the installed package, with SIMD", async () => {
    const info = await initBackend("wasm");
    console.log(`wasm backend: ${info.version}, ${info.threads} thread (${info.threadsNote})`);
    expect(info).toMatchObject({ name: "wasm", simd: true, threads: 1 });
    expect(tf.getBackend()).toBe("wasm");
  });

  describe.each(KERAS_FIXTURES.map((name) => ({ name })))("KerasHub fixture $name", ({ name }) => {
    it(`matches expected.json within ${PARITY_TOLERANCE} on wasm`, async () => {
      const fixture = kerasFixture(name);
      await expectNoLeaks(async () => {
        const model = await AlbertBackbone.fromPreset(fixture.dir);
        const out = model.predict(fixture.inputs);
        expect(tf.getBackend()).toBe("wasm");
        expect(currentBackend()?.name).toBe("wasm");
        expect(out.sequenceOutput.shape).toEqual(shapeOf(fixture.expected.sequence_output));
        expect(out.pooledOutput.shape).toEqual(shapeOf(fixture.expected.pooled_output));
        const sequence = maxAbsDiff(
          out.sequenceOutput.dataSync(),
          fixture.expected.sequence_output,
        );
        const pooled = maxAbsDiff(out.pooledOutput.dataSync(), fixture.expected.pooled_output);
        console.log(
          `[wasm] ${name}: max |diff| sequence ${sequence.toExponential(2)}, pooled ${pooled.toExponential(2)}`,
        );
        expect(sequence).toBeLessThanOrEqual(PARITY_TOLERANCE);
        expect(pooled).toBeLessThanOrEqual(PARITY_TOLERANCE);
        expect(model.countParams()).toBe(fixture.params);
        tf.dispose([out.sequenceOutput, out.pooledOutput]);
        model.dispose();
      });
    });
  });
});

describe('"auto" on this machine', () => {
  it("picks native TensorFlow, with nothing to excuse", async () => {
    const info = await initBackend("auto");
    expect(info.name).toBe("tensorflow");
    expect(info.fallbackReason).toBeUndefined();
    expect(tf.getBackend()).toBe("tensorflow");
  });
});
