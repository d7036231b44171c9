import { initBackend, type BackendInfo } from "@albert/backends";
import type { BackendOptions } from "./backend-options.js";

/**
 * Chooses the backend before any model exists. Without `--backend` the first model call
 * would pick "auto" by itself; choosing here as well lets `--threads` count (it must be set
 * before native TensorFlow loads) and lets `--verbose` say which backend runs and why.
 */
export async function chooseBackend(options: BackendOptions): Promise<BackendInfo> {
  return initBackend(
    options.backend ?? "auto",
    options.threads === undefined ? {} : { threads: options.threads },
  );
}
