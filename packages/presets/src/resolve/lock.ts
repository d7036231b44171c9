import { mkdirSync } from "node:fs";
import path from "node:path";
import lockfile from "proper-lockfile";
import { PresetError } from "../errors.js";

/** How long a lock may go without its holder refreshing it before others take it over. */
const STALE_MS = 20_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn` while holding a cross-process lock on `target` (a `<target>.lock` folder, made with
 * an atomic `mkdir` by proper-lockfile). Several processes loading the same cold preset thus
 * download it once: the others wait, then find it complete. The holder refreshes the lock while
 * it works; a lock left by a crashed process goes stale after 20 s and is taken over.
 * `waitMs` bounds the wait (default one hour: a slow download of a large preset is legitimate).
 */
export async function withLock<T>(
  target: string,
  fn: () => Promise<T>,
  waitMs = 3_600_000,
): Promise<T> {
  mkdirSync(path.dirname(target), { recursive: true });
  const deadline = Date.now() + waitMs;
  let compromised: Error | undefined;
  let release: (() => Promise<void>) | undefined;
  let delay = 50;
  while (release === undefined) {
    try {
      release = await lockfile.lock(target, {
        realpath: false,
        stale: STALE_MS,
        retries: 0,
        lockfilePath: `${target}.lock`,
        onCompromised: (error) => {
          compromised = error;
        },
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ELOCKED") {
        throw new PresetError(
          "write_failed",
          `Cannot lock ${target}.lock in the cache: ${(error as Error).message}. Check that ALBERT_HOME is writable.`,
          { path: target, cause: error },
        );
      }
      if (Date.now() > deadline) {
        throw new PresetError(
          "download_failed",
          `Another process has been downloading into ${target} for over ${Math.round(waitMs / 1000)} s; ` +
            `if none is running, remove ${target}.lock`,
          { path: target },
        );
      }
      await sleep(delay);
      delay = Math.min(delay * 2, 250);
    }
  }
  try {
    const result = await fn();
    if (compromised !== undefined) {
      throw new PresetError(
        "download_failed",
        `The cache lock ${target}.lock was taken over while downloading (${compromised.message}); try again`,
        { path: target },
      );
    }
    return result;
  } finally {
    await release().catch(() => undefined);
  }
}
