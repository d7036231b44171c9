import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { diagnoseBackends, formatDiagnosis } from "@albert/backends";
import { albertHome } from "@albert/presets";
import { writeText, type Io } from "../io/streams.js";

/** Cache root and which presets it holds (hub folders as the presets package lays them out). */
function cacheReport(): { dir: string; exists: boolean; entries: string[] } {
  const dir = albertHome();
  if (!existsSync(dir)) return { dir, exists: false, entries: [] };
  const entries: string[] = [];
  const hf = path.join(dir, "hf");
  if (existsSync(hf)) {
    for (const repo of readdirSync(hf).filter((n) => n.startsWith("models--"))) {
      entries.push(`hf://${repo.slice("models--".length).split("--").join("/")}`);
    }
  }
  const kaggle = path.join(dir, "kaggle");
  if (existsSync(kaggle)) {
    const walk = (rel: string[], depth: number): void => {
      const here = path.join(kaggle, ...rel);
      for (const name of readdirSync(here)) {
        if (depth === 4) {
          if (/^\d+$/.test(name)) entries.push(`kaggle://${[...rel, name].join("/")}`);
        } else if (!name.endsWith(".lock")) {
          walk([...rel, name], depth + 1);
        }
      }
    };
    walk([], 0);
  }
  return { dir, exists: true, entries };
}

/** The environment variables that change what the libraries do, as set now. */
const SETTINGS = [
  "ALBERT_HOME",
  "ALBERT_OFFLINE",
  "HF_HUB_OFFLINE",
  "HF_ENDPOINT",
  "KAGGLE_API_ENDPOINT",
  "TF_NUM_INTRAOP_THREADS",
  "TF_NUM_INTEROP_THREADS",
  "TF_CPP_MIN_LOG_LEVEL",
  "ALBERT_SKIP_PROVISION",
];

export async function runDoctor(options: { json: boolean }, io: Io): Promise<void> {
  const diagnosis = diagnoseBackends();
  const cache = cacheReport();
  const settings = Object.fromEntries(SETTINGS.flatMap((k) => (io.env[k] ? [[k, io.env[k]]] : [])));
  if (options.json) {
    await writeText(io.stdout, `${JSON.stringify({ ...diagnosis, cache, settings }, null, 2)}\n`);
    return;
  }
  const native = diagnosis.backends.find((b) => b.name === "tensorflow");
  const lines = [
    formatDiagnosis(diagnosis),
    "",
    `Preset cache: ${cache.dir}${cache.exists ? "" : " (not created yet)"}`,
    ...(cache.entries.length > 0
      ? cache.entries.map((e) => `  ${e}`)
      : ["  (no presets downloaded)"]),
    "",
    "Settings:",
    ...(Object.keys(settings).length > 0
      ? Object.entries(settings).map(([k, v]) => `  ${k}=${v}`)
      : ["  (none of ALBERT_HOME, ALBERT_OFFLINE, HF_ENDPOINT, TF_NUM_INTRAOP_THREADS, ... set)"]),
  ];
  if (native !== undefined && !native.available) {
    lines.push(
      "",
      "Native TensorFlow is not available: run `npx albert-provision` (see its README) for the fast backend.",
    );
  }
  await writeText(io.stdout, `${lines.join("\n")}\n`);
}
