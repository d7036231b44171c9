import { Option, type Command } from "commander";
import { positiveInteger } from "../parse.js";

/** `albert encode`'s options for bulk runs (an `--output` folder). */
export function addBulkOptions(command: Command): Command {
  return command
    .addOption(new Option("--shard-size <n>", "bulk: rows per .npy shard (the window sorted by length)").argParser(positiveInteger).default(10_000))
    .addOption(new Option("--max-batch-tokens <n>", "bulk: padded tokens (rows x longest) per model call").argParser(positiveInteger).default(8192))
    .option("-q, --queue <url>", "bulk: split the work into jobs on this Redis (redis://HOST:PORT[/DB]) for `albert worker`s")
    .option("--queue-name <name>", "bulk: BullMQ queue name (default albert-encode)");
}

export const BULK_DETAILS = `

Bulk encoding (--output DIR: a folder, or any name not ending in .jsonl):
  $ albert encode --preset P --input corpus.txt --output vectors/
  reads corpus.txt (.txt: a text per line; .jsonl: "text" or {"text", "id"}; .csv: a header
  with text and optional id columns; --input-format overrides the extension) as a stream and
  writes vectors/shard-00000.npy (float32 [rows, H], as numpy.save), shard-00000.ids.jsonl
  ({"index", "id"} per row), ... and manifest.json. Texts are sorted by length within each
  shard (--shard-size rows), batched up to --max-batch-tokens padded tokens and --batch-size
  rows. Interrupted? Run the same command again: it skips the shards already written and
  ends with the files an uninterrupted run gives.
  With --queue redis://HOST:PORT the shards become jobs for \`albert worker\`s (on any
  machine that sees DIR at the same path); this command reports their progress and exits
  when every shard is written.`;
