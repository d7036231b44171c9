#!/usr/bin/env node
// Tokenization throughput of @albert/tokenizer next to python `sentencepiece` (the C++
// library), measured in the same run on the same ~1 MB of text. Not a test.
//
//   pnpm --filter @albert/tokenizer bench            (builds first)
//   node bench/tokenizer-bench.mjs [--model file.spm] [--mb 1] [--python python3]
//
// Default model: ../shared/fixtures/tokenizer-30k/vocabulary.spm (a real 30k ALBERT-style
// vocabulary) when present, else the committed 1000-piece fixture. Python is single-threaded
// (num_threads=1) so both sides use one core. Times are CPU time of the process (best of
// --repeats runs), which is steadier than wall time on a shared machine.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { AlbertTokenizer } from "../dist/index.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../../..");
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const big = path.join(repoRoot, "../shared/fixtures/tokenizer-30k/vocabulary.spm");
const model = option(
  "--model",
  existsSync(big) ? big : path.join(repoRoot, "testdata/tokenizer/assets/tokenizer/vocabulary.spm"),
);
const megabytes = Number(option("--mb", "1"));
const python = option("--python", process.env.PYTHON ?? "python3");
const repeats = Number(option("--repeats", "7"));

/** Deterministic English-like text with some numbers, punctuation and non-ASCII. */
function makeText(bytes) {
  const words = (
    "the of and to in a is that for it as was with be by on not he this are or his from at " +
    "which but have an they you were her she there been one all we their has would when if so " +
    "no will more can out other into only time some could them these two may first then do " +
    "any like my now over such our man me even most made after also did many before must " +
    "through back years where much your way well down should because each just those people " +
    "license software program general public copyright distribute modify warranty version " +
    "function argument return value module object string number list dictionary iterator " +
    "Albert Einstein Paris London Tokyo University Wikipedia January December"
  ).split(" ");
  const extras = [
    "café",
    "naïve",
    "résumé",
    "Straße",
    "東京",
    "😀",
    "1,000",
    "3.14",
    "2024-01-15",
    "(see below)",
    "“quoted”",
  ];
  let seed = 12345;
  const rand = (n) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const lines = [];
  let size = 0;
  while (size < bytes) {
    const n = 6 + rand(20);
    const sentence = [];
    for (let i = 0; i < n; i++) {
      const w = rand(40) === 0 ? extras[rand(extras.length)] : words[rand(words.length)];
      sentence.push(i === 0 ? w[0].toUpperCase() + w.slice(1) : w);
    }
    const line = sentence.join(" ") + (rand(5) === 0 ? "?" : ".");
    lines.push(line);
    size += Buffer.byteLength(line) + 1;
  }
  return lines;
}

const lines = makeText(megabytes * 1024 * 1024);
const text = lines.join("\n");
const textBytes = Buffer.byteLength(text);
const mb = textBytes / (1024 * 1024);

function best(fn) {
  let min = Infinity;
  let result;
  for (let r = 0; r < repeats; r++) {
    const start = process.cpuUsage();
    result = fn();
    const used = process.cpuUsage(start);
    min = Math.min(min, (used.user + used.system) / 1000);
  }
  return { ms: min, result };
}

const loadStart = performance.now();
const tokenizer = AlbertTokenizer.fromProto(readFileSync(model));
const loadMs = performance.now() - loadStart;
tokenizer.tokenize(text.slice(0, 100000)); // warm up the JIT
const whole = best(() => tokenizer.tokenize(text));
const perLine = best(() => {
  let n = 0;
  for (const line of lines) n += tokenizer.tokenize(line).length;
  return n;
});
const lowercase = AlbertTokenizer.fromProto(readFileSync(model), { lowercase: true });
lowercase.tokenize(text.slice(0, 100000));
const uncasedLines = best(() => {
  let n = 0;
  for (const line of lines) n += lowercase.tokenize(line).length;
  return n;
});

const ours = {
  loadMs,
  wholeMBs: mb / (whole.ms / 1000),
  linesMBs: mb / (perLine.ms / 1000),
  uncasedLinesMBs: mb / (uncasedLines.ms / 1000),
  tokens: whole.result.length,
};

// The C++ library through python, on the same text.
const dir = mkdtempSync(path.join(tmpdir(), "albert-bench-"));
const textFile = path.join(dir, "text.txt");
writeFileSync(textFile, text);
const pythonScript = `
import json, sys, time
try:
    import sentencepiece as spm
except ImportError as e:
    print(json.dumps({"error": str(e)})); sys.exit(0)
model, path, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
text = open(path, encoding="utf-8").read()
lines = text.split("\\n")
t = time.perf_counter(); sp = spm.SentencePieceProcessor(model_file=model, num_threads=1); load = time.perf_counter() - t
sp.encode(text[:100000])
def best(fn):
    m = float("inf"); r = None
    for _ in range(repeats):
        t = time.process_time(); r = fn(); m = min(m, time.process_time() - t)
    return m, r
whole, ids = best(lambda: sp.encode(text))
per_line, _ = best(lambda: sum(len(sp.encode(line)) for line in lines))
batch, _ = best(lambda: sp.encode(lines, num_threads=1))
print(json.dumps({"version": spm.__version__, "load": load, "whole": whole, "lines": per_line, "batch": batch, "tokens": len(ids), "ids": ids}))
`;
const run = spawnSync(python, ["-c", pythonScript, model, textFile, String(repeats)], {
  encoding: "utf8",
  maxBuffer: 1 << 30,
});
rmSync(dir, { recursive: true, force: true });
let cpp;
if (run.error || run.status !== 0) {
  cpp = { error: run.error?.message ?? run.stderr.trim().split("\n").pop() };
} else {
  cpp = JSON.parse(run.stdout.trim().split("\n").pop());
}

const fmt = (x) => x.toFixed(2);
console.log(`model: ${path.relative(process.cwd(), model)} (${tokenizer.vocabularySize()} pieces)`);
console.log(`text: ${lines.length} lines, ${fmt(mb)} MB UTF-8, ${ours.tokens} tokens`);
console.log(`@albert/tokenizer (Node ${process.versions.node}): load ${ours.loadMs.toFixed(0)} ms`);
console.log(`  one 1 MB string:   ${fmt(ours.wholeMBs)} MB/s`);
console.log(`  line by line:      ${fmt(ours.linesMBs)} MB/s`);
console.log(`  line by line, lowercase: true: ${fmt(ours.uncasedLinesMBs)} MB/s`);
if (cpp.error) {
  console.log(`python sentencepiece: unavailable (${cpp.error})`);
} else {
  const same = JSON.stringify(cpp.ids) === JSON.stringify(whole.result);
  const cppWhole = mb / cpp.whole;
  const cppLines = mb / cpp.lines;
  const cppBatch = mb / cpp.batch;
  console.log(
    `python sentencepiece ${cpp.version} (C++, 1 thread): load ${(cpp.load * 1000).toFixed(0)} ms`,
  );
  console.log(`  one 1 MB string:   ${fmt(cppWhole)} MB/s`);
  console.log(`  line by line:      ${fmt(cppLines)} MB/s (a python call per line)`);
  console.log(`  batch of lines:    ${fmt(cppBatch)} MB/s (one call, C++ loop)`);
  console.log(
    `ratio ours / C++: one string ${fmt(ours.wholeMBs / cppWhole)}x, ` +
      `line by line ${fmt(ours.linesMBs / cppLines)}x, lines vs C++ batch ${fmt(ours.linesMBs / cppBatch)}x`,
  );
  console.log(`ids identical to the C++ library on the whole text: ${same}`);
}
