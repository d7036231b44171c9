import type { RetryPolicy } from "./download.js";
import type { ProgressOptions } from "./progress.js";

/** What the hub resolvers need from `ResolveOptions`, with defaults applied. */
export interface RemoteOptions extends ProgressOptions {
  /** For hf://: a branch, tag or commit (the handle's `@revision` wins if equal). */
  revision?: string;
  /** Download the weights too (false: config and tokenizer files only). */
  loadWeights: boolean;
  policy: RetryPolicy;
}
