// The test harness page: the packages' browser builds on `window.albert`, for the Chromium
// tests (src/*.test.ts) to drive with page.evaluate.
import * as backends from "@albert/backends";
import * as core from "@albert/core";
import { pipeline } from "@albert/pipelines";
import * as presets from "@albert/presets";
import * as tokenizer from "@albert/tokenizer";

const albert = { backends, core, pipeline, presets, tokenizer };

declare global {
  interface Window {
    albert: typeof albert;
  }
}

window.albert = albert;
document.body.dataset["ready"] = "true";
