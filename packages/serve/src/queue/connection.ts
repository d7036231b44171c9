import type { EncodeSettings } from "../bulk/encode-settings.js";
import { ServeError } from "../errors.js";

/** BullMQ's connection options for a `redis://` or `rediss://` URL. */
export interface QueueConnection {
  url: string;
  /** BullMQ's workers block on Redis; ioredis must not give up on a command (BullMQ's advice). */
  maxRetriesPerRequest: null;
}

/** Checks a queue URL and gives the connection options for it. */
export function queueConnection(url: string): QueueConnection {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ServeError("invalid_argument", `queue ${JSON.stringify(url)} is not a URL; give redis://HOST:PORT[/DB]`);
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new ServeError("invalid_argument", `queue ${JSON.stringify(url)} is not a redis:// or rediss:// URL; give redis://HOST:PORT[/DB]`);
  }
  return { url, maxRetriesPerRequest: null };
}

/** The queue every producer and worker uses unless told otherwise. */
export const DEFAULT_QUEUE_NAME = "albert-encode";

/** What a job carries: one shard's records and the run's settings. */
export interface ShardJobData {
  run: string;
  shard: number;
  /** The output folder, as the producer sees it (a location every worker shares). */
  output: string;
  settings: EncodeSettings;
  ids: (string | number)[];
  indexes: number[];
  texts: string[];
  bytes: number;
}

/** What a worker reports for a shard. */
export interface ShardJobResult {
  rows: number;
  /** False when another worker had written the shard already (this copy was dropped). */
  written: boolean;
}
