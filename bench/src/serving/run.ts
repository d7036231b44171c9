import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { PACKAGE_ROOT } from "../child-process.js";
import { albertBasePreset, sharedVocabulary, tinyPreset } from "./base-preset.js";
import { bulkBenchmark, type BulkRow } from "./bulk-bench.js";
import { debianCorpus } from "./corpus.js";
import { scaleOutBenchmark, type ScaleRow } from "./scale-bench.js";
import { servingBenchmark, type ServingResult } from "./serve-bench.js";

/**
 * `pnpm bench -- --serving`: `albert serve` under concurrency against one request at a time,
 * bulk encoding of a real English corpus (length-sorted vs padded to 128 vs HF transformers),
 * and scale-out across queue workers. Options: `--serving-seconds N` (15), `--connections N`
 * (32), `--bulk-sentences N` (256), `--bulk-rounds N` (2), `--scale-sentences N` (40000), `--parts serve,bulk,scale`,
 * `--python PATH`.
 */
export const SERVING_USAGE = `pnpm bench -- --serving [--parts serve,bulk,scale] [--serving-seconds 15] [--connections 32]
    [--bulk-sentences 256] [--bulk-rounds 2] [--scale-sentences 40000] [--python PATH]`;

interface Load {
  loadAverage: number[];
  cpus: number;
}

const load = (): Load => ({ loadAverage: loadavg().map((v) => Math.round(v * 100) / 100), cpus: cpus().length });

function option(argv: string[], name: string, fallback: string): string {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
}

/** The short sentences' bound, in words (about 16 tokens with [CLS] and [SEP]). */
const SHORT_WORDS = 10;

export async function runServingBenchmark(argv: string[]): Promise<void> {
  const log = (line: string) => void process.stderr.write(`${line}\n`);
  const root = path.resolve(PACKAGE_ROOT, "..");
  const parts = option(argv, "--parts", "serve,bulk,scale").split(",");
  const work = path.join(PACKAGE_ROOT, ".cache", "serving");
  mkdirSync(work, { recursive: true });
  const vocabulary = sharedVocabulary(root);
  const report: string[] = ["## Serving, bulk encoding and scale-out (`pnpm bench -- --serving`)", ""];
  const results: Record<string, unknown> = { started: new Date().toISOString(), cpus: cpus().length };
  const python = argv.includes("--python") ? option(argv, "--python", "") : undefined;

  if ((parts.includes("serve") || parts.includes("bulk")) && vocabulary === undefined) {
    report.push("albert_base parts skipped: the 30k SentencePiece model (../shared/fixtures/tokenizer-30k) is not here.", "");
  }
  const base = vocabulary === undefined ? undefined : await albertBasePreset(path.join(work, "albert_base"), vocabulary);

  if (parts.includes("serve") && base !== undefined) {
    const corpus = debianCorpus(2000);
    // The corpus as it is, then its short sentences alone: on a CPU, batching pays for short
    // rows (a call has a fixed cost whatever its size) and little for long ones.
    const variants = [
      { key: "serving", label: "licence sentences", sentences: corpus.sentences },
      { key: "servingShort", label: `its sentences of at most ${SHORT_WORDS} words`, sentences: corpus.sentences.filter((s) => s.split(" ").length <= SHORT_WORDS) },
    ];
    for (const variant of variants) {
      const before = load();
      const serving: ServingResult = await servingBenchmark({
        root,
        preset: base,
        sentences: variant.sentences,
        connections: Number(option(argv, "--connections", "32")),
        seconds: Number(option(argv, "--serving-seconds", "15")),
        log,
      });
      results[variant.key] = { sentences: variant.sentences.length, ...serving, load: [before, load()] };
      const row = (name: string, r: ServingResult["sequential"]) =>
        `| ${name} | ${r.requestsPerSecond.toFixed(1)} | ${r.p50Ms} | ${r.p99Ms} | ${r.meanBatchSize.toFixed(1)} | ${r.non2xx + r.errors} |`;
      report.push(
        `### albert serve, albert_base (random weights), native TF, one sentence per request (POST /v1/embeddings, autocannon on 127.0.0.1): ${variant.label}`,
        "",
        `${variant.sentences.length} sentences, ${serving.meanTokens.toFixed(1)} tokens on average ([CLS] and [SEP] included, at most 128).`,
        "",
        "| clients | requests/s | p50 ms | p99 ms | rows per model call | non-2xx + errors |",
        "|---|---|---|---|---|---|",
        row("1 (one request at a time)", serving.sequential),
        row(`${serving.concurrent.connections} concurrent`, serving.concurrent),
        "",
        `Throughput under concurrency: **${serving.speedup.toFixed(1)}×** one request at a time.`,
        "",
        "Direct `EmbeddingModel.embed` (tokenized sentences, same model, same process settings):",
        "",
        "| batch | median ms per call | sentences/s |",
        "|---|---|---|",
        ...serving.direct.map((d) => `| ${d.batch} | ${d.medianMs.toFixed(1)} | ${d.sentencesPerSecond.toFixed(1)} |`),
        "",
        `Load average before / after: ${before.loadAverage.join(", ")} / ${load().loadAverage.join(", ")} on ${before.cpus} cores.`,
        "",
      );
    }
  }

  if (parts.includes("bulk") && base !== undefined && vocabulary !== undefined) {
    const corpus = debianCorpus(Number(option(argv, "--bulk-sentences", "256")));
    const rounds = Number(option(argv, "--bulk-rounds", "2"));
    const before = load();
    const rows: BulkRow[] = await bulkBenchmark({ preset: base, vocabulary, sentences: corpus.sentences, rounds, ...(python === undefined ? {} : { python }), log });
    results["bulk"] = { corpus: corpus.description, rows, load: [before, load()] };
    report.push(
      "### Bulk encoding, albert_base (random weights), mean pooling, at most 128 tokens, batches of 32",
      "",
      `Corpus: ${corpus.description}. Best of ${rounds} rounds, the variants taking turns; HF is timed inside its process, without its set-up.`,
      "",
      "| how | sentences/s | padded tokens per real token |",
      "|---|---|---|",
      ...rows.map((r) => `| ${r.name} | ${r.sentencesPerSecond === null ? `unavailable: ${r.note}` : r.sentencesPerSecond.toFixed(1)} | ${r.paddingFactor === undefined ? "" : r.paddingFactor.toFixed(2)} |`),
      "",
      `Load average before / after: ${before.loadAverage.join(", ")} / ${load().loadAverage.join(", ")} on ${before.cpus} cores.`,
      "",
    );
  }

  if (parts.includes("scale")) {
    const wanted = Number(option(argv, "--scale-sentences", "40000"));
    const corpus = debianCorpus(wanted);
    // The corpus has about 8,000 distinct sentences: repeated up to the size asked for.
    const sentences = Array.from({ length: wanted }, (_, i) => corpus.sentences[i % corpus.sentences.length]!);
    corpus.description += sentences.length > corpus.sentences.length ? `, repeated to ${sentences.length} rows` : "";
    const before = load();
    const rows: ScaleRow[] = await scaleOutBenchmark({ root, preset: tinyPreset(root, path.join(tmpdir(), "albert-tiny-preset")), sentences, workers: [1, 2, 4], log });
    results["scale"] = { corpus: corpus.description, rows, load: [before, load()] };
    report.push(
      "### Scale-out: tiny model, `albert worker --threads 1` processes on a real redis-server, shards of 2000",
      "",
      `Corpus: ${corpus.description}.`,
      "",
      "| workers | seconds | sentences/s | speed-up |",
      "|---|---|---|---|",
      ...rows.map((r) => `| ${r.workers} | ${r.seconds.toFixed(1)} | ${r.rowsPerSecond.toFixed(0)} | ${r.speedup.toFixed(2)}× |`),
      "",
      `Load average before / after: ${before.loadAverage.join(", ")} / ${load().loadAverage.join(", ")} on ${before.cpus} cores.`,
      "",
    );
  }
  const out = path.join(PACKAGE_ROOT, "results");
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, "serving.json"), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${report.join("\n")}\n`);
}
