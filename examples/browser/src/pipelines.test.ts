// The tokenizer and @albert/pipelines in Chromium, on the demo's tiny model as the page serves
// it: the same ids as in Node, and transformers' own fill-mask results.
import { afterAll, beforeAll, expect, it } from "vitest";
import { readJson } from "@albert/test-utils";
import { AlbertTokenizer } from "@albert/tokenizer";
import path from "node:path";
import { TINY_MODEL_DIR } from "./bundle/paths.js";
import type { HarnessApi } from "./harness-api.js";
import { describeInChromium, harnessPage, startSession, type BrowserSession, type OpenedPage } from "./test-support.js";

interface FillMaskCase {
  call_args: [string[]];
  call_kwargs: { top_k: number };
  result: { score: number; token: number; token_str: string; sequence: string }[][];
}

const TEXTS = ["The quick brown fox jumps over the lazy dog.", "naïve café, 1,000 résumés… and [MASK]!"];

describeInChromium("tokenizer and pipelines in Chromium", () => {
  let session: BrowserSession;
  let opened: OpenedPage;
  beforeAll(async () => {
    session = await startSession();
    opened = await harnessPage(session);
    await opened.page.evaluate(() => (window as unknown as { albert: HarnessApi }).albert.backends.initBackend("wasm", { wasmPath: "/wasm/" }));
  });
  afterAll(async () => {
    expect(opened?.errors()).toEqual([]);
    await session?.close();
  });

  it("AlbertTokenizer.fromPreset fetches the preset's tokenizer and gives Node's ids", async () => {
    const node = await AlbertTokenizer.fromPreset(TINY_MODEL_DIR);
    const inPage = await opened.page.evaluate(async (texts) => {
      const { tokenizer } = (window as unknown as { albert: HarnessApi }).albert;
      const tok = await tokenizer.AlbertTokenizer.fromPreset("/models/tiny/");
      return texts.map((t) => tok.tokenize(t));
    }, TEXTS);
    expect(inPage).toEqual(TEXTS.map((t) => node.tokenize(t)));
  });

  it("pipeline('fill-mask') gives transformers' results (pipeline_cases.json)", async () => {
    const [fillMask] = readJson<{ cases: FillMaskCase[] }>(path.join(TINY_MODEL_DIR, "pipeline_cases.json")).cases;
    const results = (await opened.page.evaluate(
      async ({ texts, topK }) => {
        const { pipeline } = (window as unknown as { albert: HarnessApi }).albert;
        const fill = await pipeline("fill-mask", "/models/tiny/");
        const out = await fill(texts, { topK });
        fill.dispose();
        return out;
      },
      { texts: fillMask!.call_args[0], topK: fillMask!.call_kwargs.top_k },
    )) as FillMaskCase["result"];
    const flat = (r: unknown): { score: number; token: number; sequence: string }[] => (r as unknown[]).flat(2) as never;
    const ours = flat(results);
    const theirs = flat(fillMask!.result);
    expect(ours.map((r) => [r.token, r.sequence])).toEqual(theirs.map((r) => [r.token, r.sequence]));
    for (const [i, r] of ours.entries()) expect(Math.abs(r.score - theirs[i]!.score)).toBeLessThan(1e-4);
  });
});
