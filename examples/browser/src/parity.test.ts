// The packages' browser builds in headless Chromium, on each TF.js backend: the tiny KerasHub
// and HF fixtures give their reference outputs (written by KerasHub and HF transformers), built
// both by `fromPreset` and by `AlbertBackbone.fromConfig(config, { weights })` from
// `readPreset`'s output, with no tensor left behind.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { PARITY_TOLERANCE } from "@albert/test-utils";
import type { HarnessApi } from "./harness-api.js";
import { describeInChromium, harnessPage, startSession, type BrowserSession, type OpenedPage } from "./test-support.js";

/** Shader backends compute in float32 too, but in another order (the 1e-3). */
const TOLERANCE: Record<string, number> = { wasm: PARITY_TOLERANCE, cpu: PARITY_TOLERANCE, webgl: 1e-3, webgpu: 1e-3 };
const FIXTURES = ["keras/tiny", "hf/tiny"] as const;
const MODES = ["fromPreset", "fromConfig"] as const;

interface ParityResult {
  backend: string;
  sequenceDiff: number;
  pooledDiff: number;
  shapes: number[][];
  tensorsBefore: number;
  tensorsAfter: number;
}

/** Runs one fixture in the page; everything inside runs in Chromium. */
function runFixture(page: Page, fixture: string, mode: string): Promise<ParityResult> {
  return page.evaluate(
    async ({ fixture, mode }) => {
      const { core, presets } = (window as unknown as { albert: HarnessApi }).albert;
      const url = new URL(`/testdata/${fixture}/`, location.href).href;
      const before = core.tf.memory().numTensors;
      let model;
      if (mode === "fromPreset") {
        model = await core.AlbertBackbone.fromPreset(url);
      } else {
        const { config, weights } = await presets.readPreset(await presets.resolvePreset(url));
        model = core.AlbertBackbone.fromConfig(config, { weights });
      }
      const json = async (file: string) => (await fetch(new URL(file, url))).json();
      const inputs = await json("inputs.json");
      const expected = await json("expected.json");
      const hf = "input_ids" in inputs;
      const { sequenceOutput, pooledOutput } = model.predict({
        tokenIds: hf ? inputs.input_ids : inputs.token_ids,
        segmentIds: hf ? inputs.token_type_ids : inputs.segment_ids,
        paddingMask: hf ? inputs.attention_mask : inputs.padding_mask,
      });
      const diff = (actual: number[], reference: number[]) =>
        actual.length !== reference.length
          ? Infinity
          : actual.reduce((m, v, i) => Math.max(m, Math.abs(v - reference[i]!)), 0);
      const sequence = Array.from(await sequenceOutput.data());
      const pooled = Array.from(await pooledOutput.data());
      const result = {
        backend: core.tf.getBackend(),
        sequenceDiff: diff(sequence, (hf ? expected.last_hidden_state : expected.sequence_output).flat(3)),
        pooledDiff: diff(pooled, (hf ? expected.pooler_output : expected.pooled_output).flat(2)),
        shapes: [sequenceOutput.shape, pooledOutput.shape],
        tensorsBefore: before,
        tensorsAfter: 0,
      };
      sequenceOutput.dispose();
      pooledOutput.dispose();
      model.dispose();
      result.tensorsAfter = core.tf.memory().numTensors;
      return result;
    },
    { fixture, mode },
  );
}

describeInChromium("parity in Chromium", () => {
  let session: BrowserSession;
  beforeAll(async () => {
    session = await startSession();
  });
  afterAll(async () => {
    await session?.close();
  });

  for (const backend of ["wasm", "cpu", "webgl", "webgpu"] as const) {
    describeInChromium(backend, () => {
      let opened: OpenedPage;
      let available: string | undefined;
      beforeAll(async () => {
        opened = await harnessPage(session);
        available = await opened.page.evaluate(async (backend) => {
          const { backends } = (window as unknown as { albert: HarnessApi }).albert;
          try {
            await backends.initBackend(backend, { wasmPath: "/wasm/" });
            return undefined;
          } catch (error) {
            return (error as Error).message;
          }
        }, backend);
        // WebGPU exists only where Chromium's --enable-unsafe-webgpu finds an adapter.
        if (backend !== "webgpu") expect(available).toBeUndefined();
      });
      afterAll(async () => {
        expect(opened.errors()).toEqual([]);
        await opened.page.close();
      });

      for (const fixture of FIXTURES) {
        for (const mode of MODES) {
          it(`${fixture} by ${mode} within ${TOLERANCE[backend]}`, async (context) => {
            if (available !== undefined) {
              context.skip(`${backend} is unavailable in this Chromium: ${available}`);
            }
            const result = await runFixture(opened.page, fixture, mode);
            expect(result.backend).toBe(backend);
            expect(result.shapes[0]![0]).toBe(3);
            expect(result.sequenceDiff).toBeLessThan(TOLERANCE[backend]!);
            expect(result.pooledDiff).toBeLessThan(TOLERANCE[backend]!);
            expect(result.tensorsAfter).toBe(result.tensorsBefore);
          });
        }
      }
    });
  }
});
