// Presets in Chromium: hf:// handles and built-in names through fetch from a local stand-in of
// the Hugging Face hub (CORS, LFS redirects), kept in the Cache API so that a reload asks the
// network nothing; files the user picks; and what a page cannot use (kaggle://).
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startHubServer, testdataPath, type HubServer } from "@albert/test-utils";
import type { HarnessApi } from "./harness-api.js";
import { describeInChromium, harnessPage, startSession, type BrowserSession, type OpenedPage } from "./test-support.js";

const files = (dir: string, names: string[]) =>
  Object.fromEntries(names.map((name) => [name, new Uint8Array(readFileSync(testdataPath(dir, name)))]));

/** Loads a preset in the page and returns what the tests check: its pooled output's distance
 * to the fixture's reference, the progress events and the tensors left. */
function loadInPage(opened: OpenedPage, handle: string, fixture: string, endpoint: string) {
  return opened.page.evaluate(
    async ({ handle, fixture, endpoint }) => {
      const { core, presets } = (window as unknown as { albert: HarnessApi }).albert;
      presets.setPresetEnvironment({ HF_ENDPOINT: endpoint });
      const progress: { file: string; loaded: number; total?: number }[] = [];
      const before = core.tf.memory().numTensors;
      const model = await core.AlbertBackbone.fromPreset(handle, { onProgress: (p) => progress.push(p) });
      const reference = `/testdata/${fixture}/`;
      const inputs = await (await fetch(`${reference}inputs.json`)).json();
      const expected = await (await fetch(`${reference}expected.json`)).json();
      const { sequenceOutput, pooledOutput } = model.predict({
        tokenIds: inputs.input_ids ?? inputs.token_ids,
        segmentIds: inputs.token_type_ids ?? inputs.segment_ids,
        paddingMask: inputs.attention_mask ?? inputs.padding_mask,
      });
      const pooled = Array.from(await pooledOutput.data());
      const reference2 = (expected.pooler_output ?? expected.pooled_output).flat(2) as number[];
      const diff = pooled.reduce((m, v, i) => Math.max(m, Math.abs(v - reference2[i]!)), 0);
      sequenceOutput.dispose();
      pooledOutput.dispose();
      model.dispose();
      return { diff, progress, leaked: core.tf.memory().numTensors - before };
    },
    { handle, fixture, endpoint },
  );
}

describeInChromium("presets in Chromium", () => {
  let session: BrowserSession;
  let hub: HubServer;
  let opened: OpenedPage;
  beforeAll(async () => {
    hub = await startHubServer({
      hf: {
        // What the built-in name albert_base_en_uncased fetches in a browser (its hub copy),
        // here with the tiny fixture's files.
        "albert/albert-base-v2": { files: files("hf/tiny", ["config.json", "model.safetensors"]) },
        "org/tiny-keras": { files: files("keras/tiny", ["config.json", "model.weights.h5", "metadata.json"]) },
      },
    });
    session = await startSession();
    opened = await harnessPage(session);
    await opened.page.evaluate(async () => (window as unknown as { albert: HarnessApi }).albert.presets.clearPresetCache());
    await opened.page.evaluate(() => (window as unknown as { albert: HarnessApi }).albert.backends.initBackend("wasm", { wasmPath: "/wasm/" }));
  });
  afterAll(async () => {
    expect(opened?.errors()).toEqual([]);
    await session?.close();
    await hub?.close();
  });

  it("hf:// is fetched once, with progress; a reload loads it from the Cache API with no request", async () => {
    const first = await loadInPage(opened, "hf://org/tiny-keras", "keras/tiny", hub.url);
    expect(first.diff).toBeLessThan(1e-4);
    expect(first.leaked).toBe(0);
    const weights = first.progress.filter((p) => p.file === "model.weights.h5");
    const size = statSync(testdataPath("keras/tiny/model.weights.h5")).size;
    expect(weights.at(-1)).toMatchObject({ loaded: size, total: size });
    const fetched = hub.requests.map((r) => r.url);
    expect(fetched).toContain("/org/tiny-keras/resolve/main/config.json");
    expect(fetched.some((url) => url.startsWith("/cdn/"))).toBe(true); // the LFS redirect was followed

    // The same page again: its in-memory copy, not even the cache.
    const again = await loadInPage(opened, "hf://org/tiny-keras", "keras/tiny", hub.url);
    expect(again.diff).toBe(first.diff);

    // A reload: a new page with an empty memory, the same browser cache.
    const requests = hub.requests.length;
    await opened.page.reload();
    await opened.page.waitForFunction(() => document.body.dataset["ready"] === "true");
    await opened.page.evaluate(() => (window as unknown as { albert: HarnessApi }).albert.backends.initBackend("wasm", { wasmPath: "/wasm/" }));
    const reloaded = await loadInPage(opened, "hf://org/tiny-keras", "keras/tiny", hub.url);
    expect(reloaded.diff).toBe(first.diff);
    expect(hub.requests.slice(requests)).toEqual([]);
  });

  it("a built-in name comes from its Hugging Face copy; without weights it needs no request at all", async () => {
    const loaded = await loadInPage(opened, "albert_base_en_uncased", "hf/tiny", hub.url);
    expect(loaded.diff).toBeLessThan(1e-4);
    expect(hub.requests.map((r) => r.url)).toContain("/albert/albert-base-v2/resolve/main/model.safetensors");

    const requests = hub.requests.length;
    const params = await opened.page.evaluate(async () => {
      const { core } = (window as unknown as { albert: HarnessApi }).albert;
      const model = await core.AlbertBackbone.fromPreset("albert_base_en_uncased", { loadWeights: false });
      const count = model.countParams();
      model.dispose();
      return count;
    });
    expect(params).toBe(11683584);
    expect(hub.requests.slice(requests)).toEqual([]);
  });

  it("files the user picks are a preset", async () => {
    const dir = testdataPath("hf/tiny");
    await opened.page.setInputFiles("#files", ["config.json", "model.safetensors"].map((f) => path.join(dir, f)));
    const result = await opened.page.evaluate(async () => {
      const { presets } = (window as unknown as { albert: HarnessApi }).albert;
      const input = document.getElementById("files") as HTMLInputElement;
      return presets.presetFromFiles(input.files);
    });
    expect(result).toMatch(/^\/albert\/files\/\d+$/);
    const loaded = await loadInPage(opened, result, "hf/tiny", hub.url);
    expect(loaded.diff).toBeLessThan(1e-4);
  });

  it("kaggle:// and folders the server lacks fail with a PresetError that says what a page can use", async () => {
    const errors = await opened.page.evaluate(async () => {
      const { presets } = (window as unknown as { albert: HarnessApi }).albert;
      const codes: { code: string; message: string }[] = [];
      for (const handle of ["kaggle://keras/albert/keras/albert_base_en_uncased", "./my_preset"]) {
        try {
          await presets.resolvePreset(handle);
        } catch (error) {
          codes.push({ code: (error as { code: string }).code, message: (error as Error).message });
        }
      }
      return codes;
    });
    expect(errors[0]).toMatchObject({ code: "unsupported_handle", message: expect.stringContaining("hf://albert/albert-base-v2") });
    // A path is a URL on the page's server, which has no such folder.
    expect(errors[1]).toMatchObject({ code: "missing_file", message: expect.stringContaining("has no config.json") });
  });
});
