/**
 * Parity with KerasHub: the first test to read. Each fixture under testdata/keras is a preset
 * saved by KerasHub's `save_to_preset` with random non-trivial weights, plus inputs and the
 * outputs KerasHub computed for them. Loading the preset with `fromPreset` and running the
 * same inputs must reproduce both outputs to 1e-4 absolute, padded positions included.
 */
import { describe, expect, it } from "vitest";
import {
  KERAS_FIXTURES,
  KERAS_REDUCED_PRECISION_FIXTURES,
  PARITY_TOLERANCE,
  maxAbsDiff,
  shapeOf,
} from "@albert/test-utils";
import { currentBackend } from "@albert/backends";
import { AlbertBackbone, tf } from "./index.js";
import { expectNoLeaks, kerasFixture } from "./test-utils/index.js";

const cases = [
  ...KERAS_FIXTURES.map((name) => ({ name, expectedFile: "expected.json" })),
  // KerasHub ignores a preset's float16/bfloat16 dtype on load: weights are upcast, compute is
  // float32, and expected_float32_compute.json is what plain `from_preset(dir)` gives.
  ...KERAS_REDUCED_PRECISION_FIXTURES.map((name) => ({ name, expectedFile: "expected_float32_compute.json" })),
];

/** On native TensorFlow plain inference runs as one TensorFlow graph; `ALBERT_GRAPH=0` forces
 * the op-by-op path, which must match too. */
const engines = [
  { engine: "graph", graph: "1", expected: /^graph/ },
  { engine: "eager", graph: "0", expected: /^eager/ },
];

describe.each(cases)("KerasHub fixture $name", ({ name, expectedFile }) => {
  it.each(engines)(`matches ${expectedFile} within ${PARITY_TOLERANCE} through fromPreset ($engine)`, async ({ graph, expected }) => {
    const fixture = kerasFixture(name, expectedFile);
    process.env["ALBERT_GRAPH"] = graph;
    await expectNoLeaks(async () => {
      const model = await AlbertBackbone.fromPreset(fixture.dir);
      const out = model.predict(fixture.inputs);
      expect(model.inferenceEngine).toMatch(expected);
      expect(out.sequenceOutput.shape).toEqual(shapeOf(fixture.expected.sequence_output));
      expect(out.pooledOutput.shape).toEqual(shapeOf(fixture.expected.pooled_output));
      const sequence = maxAbsDiff(out.sequenceOutput.dataSync(), fixture.expected.sequence_output);
      const pooled = maxAbsDiff(out.pooledOutput.dataSync(), fixture.expected.pooled_output);
      console.log(
        `[${currentBackend()?.name}, ${model.inferenceEngine}] ${name}: max |diff| sequence ${sequence.toExponential(2)}, pooled ${pooled.toExponential(2)}`,
      );
      expect(sequence).toBeLessThanOrEqual(PARITY_TOLERANCE);
      expect(pooled).toBeLessThanOrEqual(PARITY_TOLERANCE);
      expect(model.countParams()).toBe(fixture.params);
      tf.dispose([out.sequenceOutput, out.pooledOutput]);
      model.dispose();
    });
    delete process.env["ALBERT_GRAPH"];
  });
});
