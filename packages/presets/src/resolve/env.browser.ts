// Settings of browser builds: the same variable names as in Node (HF_ENDPOINT, HF_TOKEN,
// ALBERT_OFFLINE, ...), read when a call needs them from the values given to
// `setPresetEnvironment`, since a page has no process environment.

const values = new Map<string, string>();

/**
 * Sets (or, with `undefined`, removes) preset settings for this page, by their Node
 * environment variable names: `HF_ENDPOINT`, `HF_TOKEN`, `ALBERT_OFFLINE`.
 *
 * @example
 * setPresetEnvironment({ HF_ENDPOINT: "https://hf-mirror.example.org" });
 */
export function setPresetEnvironment(settings: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(settings)) {
    if (value === undefined || value === "") values.delete(name);
    else values.set(name, String(value));
  }
}

function env(name: string): string | undefined {
  return values.get(name);
}

/** The folder fetched presets are placed under in the page's in-memory files. */
export function albertHome(): string {
  return "/albert";
}

/** `ALBERT_OFFLINE` or `HF_HUB_OFFLINE` set to 1/ON/YES/TRUE: only the Cache API is used. */
export function isOffline(): boolean {
  return ["ALBERT_OFFLINE", "HF_HUB_OFFLINE"].some((name) =>
    ["1", "ON", "YES", "TRUE"].includes((env(name) ?? "").toUpperCase()),
  );
}

/** `HF_ENDPOINT` without a trailing slash, default `https://huggingface.co`. */
export function hfEndpoint(): string {
  return (env("HF_ENDPOINT") ?? "https://huggingface.co").replace(/\/+$/, "");
}

/** `HF_TOKEN`, sent only to the hub's own origin. */
export function hfToken(): string | undefined {
  return env("HF_TOKEN")?.trim() || undefined;
}
