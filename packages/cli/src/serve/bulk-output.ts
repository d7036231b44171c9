import path from "node:path";

/** The options `albert encode` adds for bulk runs. */
export interface BulkEncodeOptions {
  queue?: string;
  queueName?: string;
  shardSize: number;
  maxBatchTokens: number;
}

/** Whether `--output` asks for the sharded mode: a folder, or a name without `.jsonl`. */
export function isBulkOutput(output: string | undefined): boolean {
  return output !== undefined && path.extname(output).toLowerCase() !== ".jsonl";
}
