/**
 * Parity with HF transformers checkpoints (config.json + model.safetensors), loaded through
 * `fromPreset(dir)`: `tiny` and `tiny_pretraining` are what KerasHub converts too; the other
 * folders use settings KerasHub would silently ignore (exact GELU, ReLU, LayerNorm epsilon
 * 1e-5) or HF's group layout, and their expected outputs come from HF transformers itself.
 */
import { describe, expect, it } from "vitest";
import { PARITY_TOLERANCE, maxAbsDiff, readJson, shapeOf, testdataPath, type Nested } from "@albert/test-utils";
import { AlbertBackbone, tf } from "./index.js";
import { expectNoLeaks } from "./test-utils/index.js";

interface HfInputs {
  input_ids: number[][];
  token_type_ids: number[][];
  attention_mask: number[][];
}

const FOLDERS = ["tiny", "tiny_pretraining", "tiny_gelu_exact", "tiny_relu", "grouped"];

describe.each(FOLDERS)("HF checkpoint %s", (name) => {
  it("matches HF transformers' outputs within 1e-4", async () => {
    const dir = testdataPath("hf", name);
    const inputs = readJson<HfInputs>(`${dir}/inputs.json`);
    const expected = readJson<{ last_hidden_state: Nested; pooler_output: Nested }>(`${dir}/expected.json`);
    await expectNoLeaks(async () => {
      const model = await AlbertBackbone.fromPreset(dir);
      const out = model.predict({
        tokenIds: inputs.input_ids,
        segmentIds: inputs.token_type_ids,
        paddingMask: inputs.attention_mask,
      });
      expect(out.sequenceOutput.shape).toEqual(shapeOf(expected.last_hidden_state));
      const sequence = maxAbsDiff(out.sequenceOutput.dataSync(), expected.last_hidden_state);
      const pooled = maxAbsDiff(out.pooledOutput.dataSync(), expected.pooler_output);
      console.log(`hf/${name}: max |diff| sequence ${sequence.toExponential(2)}, pooled ${pooled.toExponential(2)}`);
      expect(sequence).toBeLessThanOrEqual(PARITY_TOLERANCE);
      expect(pooled).toBeLessThanOrEqual(PARITY_TOLERANCE);
      tf.dispose([out.sequenceOutput, out.pooledOutput]);
      model.dispose();
    });
  });
});

it("takes activation and LayerNorm epsilon from the HF config, beyond KerasHub", async () => {
  const model = await AlbertBackbone.fromPreset(testdataPath("hf", "tiny_gelu_exact"), { loadWeights: false });
  expect(model.getConfig()).toMatchObject({ activation: "gelu", layer_norm_epsilon: 1e-5 });
  model.dispose();
});
