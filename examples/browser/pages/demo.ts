// The demo page: type sentences and see their similarity, fill in a [MASK], pick the backend,
// see the timings. Offline it runs the tiny model shipped beside the page; online it can load
// albert_base_en_uncased from the Hugging Face hub (fetched once, then from the Cache API).
import { initBackend, type BackendName } from "@albert/backends";
import { tf } from "@albert/core";
import { pipeline, type FeatureExtractionPipeline, type FillMaskPipeline } from "@albert/pipelines";
import type { DownloadProgress } from "@albert/presets";

// === Elements ===

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const modelSelect = $<HTMLSelectElement>("model");
const backendSelect = $<HTMLSelectElement>("backend");
const loadButton = $<HTMLButtonElement>("load");
const compareButton = $<HTMLButtonElement>("compare");
const fillButton = $<HTMLButtonElement>("fill");
const progress = $<HTMLProgressElement>("progress");
const status = $("status");

const WASM_PATH = new URL("wasm/", location.href).href;
const PRESETS: Record<string, string> = { tiny: new URL("models/tiny/", location.href).href };

let fill: FillMaskPipeline | undefined;
let features: FeatureExtractionPipeline | undefined;

function setBusy(busy: boolean): void {
  for (const button of [loadButton, compareButton, fillButton]) button.disabled = busy;
}

function ms(start: number): string {
  return `${(performance.now() - start).toFixed(1)} ms`;
}

// === Loading ===

function showProgress(p: DownloadProgress): void {
  progress.hidden = false;
  progress.max = p.total ?? 1;
  progress.value = p.total === undefined ? 0 : p.loaded;
  status.textContent = `Fetching ${p.file}: ${(p.loaded / 1e6).toFixed(1)}${p.total === undefined ? "" : ` of ${(p.total / 1e6).toFixed(1)}`} MB`;
}

async function load(): Promise<void> {
  setBusy(true);
  fill?.dispose();
  fill = features = undefined;
  try {
    const started = performance.now();
    const info = await initBackend(backendSelect.value as BackendName, { wasmPath: WASM_PATH });
    $("backend-info").textContent =
      `${info.name} · ${info.version} · ${info.device ?? ""}${info.threads === undefined ? "" : ` · ${info.threads} thread(s)`}` +
      (info.fallbackReason === undefined ? "" : ` · auto passed over: ${info.fallbackReason}`);
    const preset = PRESETS[modelSelect.value] ?? modelSelect.value;
    fill = await pipeline("fill-mask", preset, { onProgress: showProgress });
    features = await pipeline("feature-extraction", fill.model.backbone, { tokenizer: fill.tokenizer });
    progress.hidden = true;
    status.textContent = `Loaded ${modelSelect.value} on ${tf.getBackend()} in ${ms(started)}.`;
    document.body.dataset["backend"] = tf.getBackend();
    await compare();
    await fillBlank();
    document.body.dataset["ready"] = "true";
  } catch (error) {
    status.textContent = `Could not load: ${(error as Error).message}`;
    document.body.dataset["error"] = (error as Error).message;
  } finally {
    setBusy(false);
  }
}

// === Similarity ===

async function compare(): Promise<void> {
  if (features === undefined) return;
  const sentences = $<HTMLTextAreaElement>("sentences").value.split("\n").map((s) => s.trim()).filter((s) => s !== "");
  const started = performance.now();
  const vectors = (await features(sentences, { pooling: "mean", normalize: true })) as number[][];
  const time = ms(started);
  const table = $<HTMLTableElement>("similarity");
  table.replaceChildren();
  const head = table.insertRow();
  head.appendChild(document.createElement("th"));
  sentences.forEach((_, j) => (head.appendChild(document.createElement("th")).textContent = `#${j + 1}`));
  sentences.forEach((sentence, i) => {
    const row = table.insertRow();
    const label = row.appendChild(document.createElement("th"));
    label.textContent = `#${i + 1} ${sentence}`;
    label.title = sentence;
    vectors.forEach((other, j) => {
      const cosine = vectors[i]!.reduce((sum, v, k) => sum + v * other[k]!, 0);
      const cell = row.insertCell();
      cell.textContent = cosine.toFixed(3);
      cell.style.background = `rgba(47, 95, 208, ${Math.max(0, cosine).toFixed(3)})`;
      cell.style.color = cosine > 0.55 ? "#fff" : "#1d2433";
      cell.dataset["i"] = String(i);
      cell.dataset["j"] = String(j);
    });
  });
  $("similarity-time").textContent = `${sentences.length} sentences embedded in ${time} (${tf.getBackend()})`;
}

// === Fill-mask ===

async function fillBlank(): Promise<void> {
  if (fill === undefined) return;
  const started = performance.now();
  const results = await fill($<HTMLInputElement>("masked").value, { topK: 5 });
  const time = ms(started);
  const candidates = (Array.isArray(results[0]) ? results[0] : results) as { score: number; token_str: string }[];
  $("candidates").replaceChildren(
    ...candidates.map((c) => {
      const item = document.createElement("li");
      const bar = item.appendChild(document.createElement("span"));
      bar.className = "bar";
      bar.style.width = `${Math.max(2, c.score * 200).toFixed(0)}px`;
      item.append(`${c.token_str} (${c.score.toFixed(3)})`);
      return item;
    }),
  );
  $("fill-time").textContent = `top 5 in ${time} (${tf.getBackend()})`;
}

// === Wiring ===

async function run(action: () => Promise<void>): Promise<void> {
  setBusy(true);
  try {
    await action();
  } catch (error) {
    status.textContent = (error as Error).message;
  } finally {
    setBusy(false);
  }
}

loadButton.addEventListener("click", () => void load());
compareButton.addEventListener("click", () => void run(compare));
fillButton.addEventListener("click", () => void run(fillBlank));
const asked = new URLSearchParams(location.search);
if (asked.has("backend")) backendSelect.value = asked.get("backend")!;
if (asked.has("model")) modelSelect.value = asked.get("model")!;
void load();
