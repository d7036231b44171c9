import { mkdirSync, readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach } from "vitest";
import { testdataPath, type FileData, type HubServer } from "@albert/test-utils";
import { tempDir } from "./helpers.js";

/** Every variable that steers the hubs, the cache or credentials. */
const VARIABLES = [
  "ALBERT_HOME",
  "ALBERT_OFFLINE",
  "HF_HUB_OFFLINE",
  "TRANSFORMERS_OFFLINE",
  "HF_ENDPOINT",
  "HF_TOKEN",
  "HUGGING_FACE_HUB_TOKEN",
  "HF_TOKEN_PATH",
  "HF_HOME",
  "HF_HUB_CACHE",
  "HUGGINGFACE_HUB_CACHE",
  "HF_HUB_DISABLE_IMPLICIT_TOKEN",
  "KAGGLE_API_ENDPOINT",
  "KAGGLE_API_TOKEN",
  "KAGGLE_USERNAME",
  "KAGGLE_KEY",
  "KAGGLE_CONFIG_DIR",
  "KAGGLEHUB_CACHE",
  "XDG_CACHE_HOME",
  "HOME",
];

export interface HubEnv {
  /** The cache root of the current test. */
  home: string;
  /** A fake home folder (for ~/.kaggle). */
  userHome: string;
  /** huggingface_hub's cache folder of the current test (empty). */
  hfHubCache: string;
}

/**
 * Points every hub variable at `server()` and gives each test a fresh, empty cache and home,
 * so no test reads the developer's real credentials or caches, or reaches the internet.
 */
export function useHubEnv(server: () => HubServer): HubEnv {
  const env = {} as HubEnv;
  let saved: Record<string, string | undefined> = {};
  beforeEach(() => {
    saved = Object.fromEntries(VARIABLES.map((v) => [v, process.env[v]]));
    for (const v of VARIABLES) delete process.env[v];
    const root = tempDir("albert-hub-");
    env.home = path.join(root, "albert");
    env.userHome = path.join(root, "user");
    env.hfHubCache = path.join(root, "hf-hub");
    mkdirSync(env.userHome, { recursive: true });
    process.env["HOME"] = env.userHome;
    process.env["XDG_CACHE_HOME"] = path.join(root, "xdg");
    process.env["ALBERT_HOME"] = env.home;
    process.env["HF_HUB_CACHE"] = env.hfHubCache;
    process.env["KAGGLEHUB_CACHE"] = path.join(root, "kagglehub");
    process.env["HF_ENDPOINT"] = server().url;
    process.env["KAGGLE_API_ENDPOINT"] = server().url;
    server().requests.length = 0;
    server().faults.length = 0;
  });
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  return env;
}

/** The files of a committed fixture folder (recursively), optionally only some of them. */
export function fixtureFiles(
  dir: string[],
  only?: (file: string) => boolean,
): Record<string, FileData> {
  const root = testdataPath(...dir);
  const files: Record<string, FileData> = {};
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(root, rel))) {
      const file = rel === "" ? name : `${rel}/${name}`;
      if (statSync(path.join(root, file)).isDirectory()) walk(file);
      else if (only === undefined || only(file)) files[file] = readFileSync(path.join(root, file));
    }
  };
  walk("");
  return files;
}

/** Fast retries for fault tests. */
export const FAST = { retryDelayMs: 5, timeoutMs: 2_000, progressBar: false } as const;
