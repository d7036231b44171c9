import path from "node:path";
import { fileURLToPath } from "node:url";

/** This package's folder (examples/browser), from src/ or dist/. */
export const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const REPO_DIR = path.resolve(PACKAGE_DIR, "../..");
/** What `pnpm build` writes and the server serves: pages, scripts, .wasm files, the tiny model. */
export const SITE_DIR = path.join(PACKAGE_DIR, "dist/site");
export const TESTDATA_DIR = path.join(REPO_DIR, "testdata");
/** The demo's offline model: the tiny HF AlbertForMaskedLM checkpoint of the test data. */
export const TINY_MODEL_DIR = path.join(TESTDATA_DIR, "tasks/hf/masked_lm");
export const TINY_MODEL_FILES = ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"];
