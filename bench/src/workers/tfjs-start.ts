/** The start both TF.js workers share: import `@albert/core`, then start the asked backend. */
import { emit, errorMessage } from "./protocol.js";

/**
 * Imports `@albert/core` and initializes `backend`, timing both. When the backend cannot
 * start, emits the worker's `unavailable` result and returns undefined.
 */
export async function startTfjs(backend: string) {
  const importStart = performance.now();
  const core = await import("@albert/core");
  const importMs = performance.now() - importStart;
  const initStart = performance.now();
  try {
    const info = await core.initBackend(backend as Parameters<typeof core.initBackend>[0]);
    return { ...core, info, importMs, backendInitMs: performance.now() - initStart };
  } catch (error) {
    emit({ unavailable: errorMessage(error) });
    return undefined;
  }
}
