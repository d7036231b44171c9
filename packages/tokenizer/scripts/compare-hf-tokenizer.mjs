#!/usr/bin/env node
// Fuzz check of HfTokenizer against HF itself: runs hf_tokenizer_reference.py (transformers 5 and
// the tokenizers library, plus tokenizers 0.22 when a second Python has it) on a large random
// corpus, then the same test file that checks the committed golden cases
// (src/hf/hf-reference.test.ts) on that run. Not a test: run it by hand.
//
//   node scripts/compare-hf-tokenizer.mjs --python /tmp/venv/bin/python \
//     [--python-0.22 /tmp/venv022/bin/python] [--count 3000] [--seed 1] [--spm vocabulary.spm]
//
// Without --spm it uses ../shared/fixtures/tokenizer-30k/vocabulary.spm when present (a
// tokenizer.json that transformers makes from that SentencePiece model).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { here, packageDir, repoRoot, takeOption } from "./script-options.mjs";

const args = process.argv.slice(2);
const option = (name, fallback) => takeOption(args, name, fallback);
const python = option("--python", process.env.PYTHON ?? "python3");
const python022 = option("--python-0.22", undefined);
const count = option("--count", "3000");
const seed = option("--seed", "1");
const defaultSpm = path.join(repoRoot, "../shared/fixtures/tokenizer-30k/vocabulary.spm");
const spm = option("--spm", existsSync(defaultSpm) ? defaultSpm : undefined);

const work = mkdtempSync(path.join(tmpdir(), "hf-tokenizer-fuzz-"));
const run = (command, commandArgs, env = {}) => {
  const result = spawnSync(command, commandArgs, {
    cwd: packageDir,
    stdio: "inherit",
    env: { ...process.env, ...env },
  });
  if (result.status !== 0) {
    rmSync(work, { recursive: true, force: true });
    process.exit(result.status ?? 2);
  }
};

const reference = path.join(here, "hf_tokenizer_reference.py");
const out = path.join(work, "cases.json");
const extra = [];
if (python022 !== undefined) {
  const older = path.join(work, "cases-0.22.json");
  run(python022, [reference, "--count", count, "--seed", `${Number(seed) + 1}`, "--out", older]);
  extra.push("--include", older);
}
if (spm === undefined) console.error("no --spm and no tokenizer-30k fixture: skipping that setup");
run(python, [
  reference,
  "--count",
  count,
  "--seed",
  seed,
  ...(spm === undefined ? [] : ["--spm", spm]),
  ...extra,
  "--out",
  out,
]);
run("npx", ["vitest", "run", "src/hf/hf-reference.test.ts"], { HF_TOKENIZER_CASES: out });
rmSync(work, { recursive: true, force: true });
