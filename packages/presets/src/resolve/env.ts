import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";

/**
 * Settings read from the environment. Each is read when a call needs it (never at import),
 * so a program can set `process.env` before calling, and tests can change them per case.
 */

function env(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === "" ? undefined : value;
}

function truthy(name: string): boolean {
  return ["1", "ON", "YES", "TRUE"].includes((env(name) ?? "").toUpperCase());
}

/** The user's cache folder: `$XDG_CACHE_HOME`, else `~/.cache`. */
function userCacheDir(): string {
  return env("XDG_CACHE_HOME") ?? path.join(homedir(), ".cache");
}

/** Cache root: `ALBERT_HOME`, else `<user cache>/albert` (`~/.cache/albert`). */
export function albertHome(): string {
  return path.resolve(env("ALBERT_HOME") ?? path.join(userCacheDir(), "albert"));
}

/** `ALBERT_OFFLINE`, `HF_HUB_OFFLINE` or `TRANSFORMERS_OFFLINE` set to 1/ON/YES/TRUE. */
export function isOffline(): boolean {
  return truthy("ALBERT_OFFLINE") || truthy("HF_HUB_OFFLINE") || truthy("TRANSFORMERS_OFFLINE");
}

/** `HF_ENDPOINT` without a trailing slash, default `https://huggingface.co`. */
export function hfEndpoint(): string {
  return (env("HF_ENDPOINT") ?? "https://huggingface.co").replace(/\/+$/, "");
}

/** huggingface_hub's `HF_HOME`: `$HF_HOME`, else `<user cache>/huggingface`. */
function hfHome(): string {
  return env("HF_HOME") ?? path.join(userCacheDir(), "huggingface");
}

/**
 * The HF token, in huggingface_hub's order: `HF_TOKEN`, `HUGGING_FACE_HUB_TOKEN`, then the
 * file `HF_TOKEN_PATH` (default `$HF_HOME/token`). None when `HF_HUB_DISABLE_IMPLICIT_TOKEN`.
 */
export function hfToken(): string | undefined {
  if (truthy("HF_HUB_DISABLE_IMPLICIT_TOKEN")) return undefined;
  const direct = env("HF_TOKEN") ?? env("HUGGING_FACE_HUB_TOKEN");
  if (direct !== undefined) return direct.trim();
  const file = env("HF_TOKEN_PATH") ?? path.join(hfHome(), "token");
  try {
    const token = existsSync(file) ? readFileSync(file, "utf8").trim() : "";
    return token === "" ? undefined : token;
  } catch {
    return undefined;
  }
}

/** huggingface_hub's cache: `HF_HUB_CACHE`, `HUGGINGFACE_HUB_CACHE`, else `$HF_HOME/hub`. */
export function hfHubCacheDir(): string {
  return env("HF_HUB_CACHE") ?? env("HUGGINGFACE_HUB_CACHE") ?? path.join(hfHome(), "hub");
}

/**
 * The Kaggle API base: `KAGGLE_API_ENDPOINT` (scheme, host and port replacing the real
 * service's; paths stay the real ones), default `https://api.kaggle.com`.
 */
export function kaggleEndpoint(): string {
  return (env("KAGGLE_API_ENDPOINT") ?? "https://api.kaggle.com").replace(/\/+$/, "");
}

/** kagglehub's cache: `KAGGLEHUB_CACHE`, else `<user cache>/kagglehub`. */
export function kagglehubCacheDir(): string {
  return env("KAGGLEHUB_CACHE") ?? path.join(userCacheDir(), "kagglehub");
}

/** How a Kaggle request authenticates: a bearer token, HTTP Basic, or nothing (public). */
export type KaggleCredentials =
  { kind: "token"; token: string } | { kind: "basic"; username: string; key: string } | undefined;

function readTrimmed(file: string): string | undefined {
  try {
    const text = existsSync(file) ? readFileSync(file, "utf8").trim() : "";
    return text === "" ? undefined : text;
  } catch {
    return undefined;
  }
}

/**
 * Kaggle credentials in kagglehub's order: `KAGGLE_API_TOKEN` (the token, or a path to a file
 * holding it), `~/.kaggle/access_token[.txt]`, `KAGGLE_USERNAME` + `KAGGLE_KEY`, then
 * `$KAGGLE_CONFIG_DIR/kaggle.json` (default `~/.kaggle/kaggle.json`). None is needed for
 * public models. A malformed kaggle.json is ignored rather than shown (it holds a secret).
 */
export function kaggleCredentials(): KaggleCredentials {
  const token = env("KAGGLE_API_TOKEN");
  if (token !== undefined) {
    const fromFile =
      !token.includes("\n") && token.length < 4096 && existsSync(token)
        ? readTrimmed(token)
        : undefined;
    return { kind: "token", token: fromFile ?? token.trim() };
  }
  const kaggleDir = path.join(homedir(), ".kaggle");
  for (const name of ["access_token", "access_token.txt"]) {
    const fileToken = readTrimmed(path.join(kaggleDir, name));
    if (fileToken !== undefined) return { kind: "token", token: fileToken };
  }
  const username = env("KAGGLE_USERNAME");
  const key = env("KAGGLE_KEY");
  if (username !== undefined && key !== undefined) return { kind: "basic", username, key };
  const json = readTrimmed(path.join(env("KAGGLE_CONFIG_DIR") ?? kaggleDir, "kaggle.json"));
  if (json !== undefined) {
    try {
      const parsed = JSON.parse(json) as { username?: unknown; key?: unknown };
      if (typeof parsed.username === "string" && typeof parsed.key === "string") {
        return { kind: "basic", username: parsed.username, key: parsed.key };
      }
    } catch {
      // fall through: no usable credentials
    }
  }
  return undefined;
}

/** The `Authorization` header value for Kaggle credentials. */
export function kaggleAuthorization(credentials: KaggleCredentials): string | undefined {
  if (credentials === undefined) return undefined;
  if (credentials.kind === "token") return `Bearer ${credentials.token}`;
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.key}`).toString("base64")}`;
}
