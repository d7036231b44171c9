// The smallest useful page: tokenizer + core on WebAssembly, mean-pooled sentence embeddings
// of the demo's tiny model. Its scripts and .wasm file, gzipped, are the bundle size the
// README reports (examples/browser/src/bundle-size.test.ts measures what it loads).
import { initBackend } from "@albert/backends";
import { AlbertMaskedLM, meanPool } from "@albert/core";
import { AlbertPreprocessor, AlbertTokenizer } from "@albert/tokenizer";

const info = await initBackend("wasm", { wasmPath: new URL("wasm/", location.href).href });
const preset = new URL("models/tiny/", location.href).href;
const tokenizer = await AlbertTokenizer.fromPreset(preset);
const { backbone } = await AlbertMaskedLM.fromPreset(preset, { preprocessor: null });
const inputs = new AlbertPreprocessor({ tokenizer, sequenceLength: 16 }).call(["The quick brown fox.", "A fast auburn fox."]);
const { sequenceOutput, pooledOutput } = backbone.predict(inputs);
const embeddings = meanPool(sequenceOutput, inputs.paddingMask);
const rows = (await embeddings.array()) as number[][];
for (const t of [sequenceOutput, pooledOutput, embeddings]) t.dispose();
document.body.textContent = `${info.name}: ${rows.map((row) => row.slice(0, 3).map((v) => v.toFixed(4)).join(" ")).join(" | ")}`;
document.body.dataset["done"] = "true";
