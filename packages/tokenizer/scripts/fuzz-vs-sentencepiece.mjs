#!/usr/bin/env node
// Fuzz check: random unicode-heavy strings through the SentencePiece C++ library (python
// `sentencepiece`, via fuzz_reference.py) and through this package (built dist/), comparing
// ids, pieces, decoded text, decoding of random id lists, and (when transformers imports) the
// uncased HF AlbertTokenizer pieces and ids. Not a test: run it by hand after `pnpm build`:
//
//   node scripts/fuzz-vs-sentencepiece.mjs [--count 3000] [--seed 1] [--python python3] [model.spm ...]
//
// Without model arguments it uses the committed fixture models, the extra models under
// packages/tokenizer/testdata/models, and ../shared/fixtures/tokenizer-30k when present.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { readFileSync } from "node:fs";
import path from "node:path";
import { AlbertTokenizer, SentencePieceProcessor } from "../dist/index.js";
import { here, packageDir, repoRoot, takeOption } from "./script-options.mjs";

const args = process.argv.slice(2);
const option = (name, fallback) => takeOption(args, name, fallback);
const count = Number(option("--count", "3000"));
const seed = Number(option("--seed", "1"));
const python = option("--python", process.env.PYTHON ?? "python3");
const showLimit = Number(option("--show", "5"));

let models = args;
if (models.length === 0) {
  models = [
    path.join(repoRoot, "testdata/tokenizer/assets/tokenizer/vocabulary.spm"),
    path.join(repoRoot, "testdata/tokenizer/casefold/assets/tokenizer/vocabulary.spm"),
  ];
  const extra = path.join(packageDir, "testdata/models");
  if (existsSync(extra)) {
    for (const f of readdirSync(extra).sort())
      if (f.endsWith(".model")) models.push(path.join(extra, f));
  }
  const big = path.join(repoRoot, "../shared/fixtures/tokenizer-30k/vocabulary.spm");
  if (existsSync(big)) models.push(big);
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
let totalMismatches = 0;
let totalChecks = 0;

for (const model of models) {
  const result = spawnSync(
    python,
    [
      path.join(here, "fuzz_reference.py"),
      "--model",
      model,
      "--count",
      String(count),
      "--seed",
      String(seed),
      "--uncased",
    ],
    { encoding: "utf8", maxBuffer: 1 << 30 },
  );
  if (result.status !== 0) {
    console.error(`reference failed for ${model}:\n${result.stderr}`);
    process.exit(2);
  }
  if (result.stderr.trim()) console.error(result.stderr.trim());
  const reference = JSON.parse(result.stdout);
  const bytes = readFileSync(model);
  const sp = SentencePieceProcessor.fromBytes(bytes);
  let albert;
  let albertUncased;
  try {
    albertUncased = AlbertTokenizer.fromProto(bytes, { lowercase: true });
    albert = AlbertTokenizer.fromProto(bytes);
  } catch {
    albert = undefined; // not an ALBERT vocabulary: compare SentencePiece only
  }
  const counts = {
    ids: 0,
    pieces: 0,
    decoded: 0,
    decodeIds: 0,
    uncasedIds: 0,
    uncasedPieces: 0,
    uncasedOffsets: 0,
    offsets: 0,
  };
  const shown = [];
  const note = (kind, detail) => {
    counts[kind]++;
    if (shown.length < showLimit) shown.push({ kind, ...detail });
  };
  for (const c of reference.cases) {
    const ids = sp.encodeIds(c.text);
    if (!same(ids, c.ids)) note("ids", { text: c.text, ours: ids, reference: c.ids });
    const detailed = sp.encodeWithOffsets(c.text);
    const pieces = detailed.map((p) => p.piece);
    if (!same(pieces, c.pieces))
      note("pieces", { text: c.text, ours: pieces, reference: c.pieces });
    const offsets = detailed.map((p) => [p.start, p.end]);
    if (!same(offsets, c.offsets))
      note("offsets", { text: c.text, ours: offsets, reference: c.offsets });
    const decoded = sp.decodeIds(c.ids);
    if (decoded !== c.decoded)
      note("decoded", { text: c.text, ours: decoded, reference: c.decoded });
    if (albert && c.uncased_ids) {
      const uIds = albertUncased.tokenize(c.text);
      const uPieces = albertUncased.tokenizeToPieces(c.text);
      if (!same(uIds, c.uncased_ids))
        note("uncasedIds", { text: c.text, ours: uIds, reference: c.uncased_ids });
      if (!same(uPieces, c.uncased_pieces)) {
        note("uncasedPieces", { text: c.text, ours: uPieces, reference: c.uncased_pieces });
      }
      // No reference for uncased offsets: check they agree with the ids and stay in order.
      const uDetailed = albertUncased.tokenizeWithOffsets(c.text);
      let last = 0;
      const ordered = uDetailed.every((p) => {
        const ok = p.start >= last && p.end >= p.start && p.end <= c.text.length;
        last = Math.max(last, p.start);
        return ok;
      });
      if (
        !ordered ||
        !same(
          uDetailed.map((p) => p.id),
          uIds,
        )
      ) {
        note("uncasedOffsets", { text: c.text, ours: uDetailed });
      }
    }
  }
  for (const d of reference.decodes) {
    const decoded = sp.decodeIds(d.ids);
    if (decoded !== d.decoded)
      note("decodeIds", { ids: d.ids, ours: decoded, reference: d.decoded });
  }
  const mismatches = Object.values(counts).reduce((a, b) => a + b, 0);
  totalMismatches += mismatches;
  totalChecks += reference.cases.length;
  console.log(
    `${path.relative(repoRoot, model)}: ${reference.cases.length} strings, ${reference.decodes.length} id lists ` +
      `(sentencepiece ${reference.sentencepiece}, Python Unicode ${reference.unicode}, ` +
      `uncased reference: ${reference.cases[0]?.uncased_ids ? "HF transformers" : "none"}); mismatches ${JSON.stringify(counts)}`,
  );
  for (const s of shown) console.log("  ", JSON.stringify(s));
}
console.log(`total: ${totalChecks} strings, ${totalMismatches} mismatches`);
process.exit(totalMismatches === 0 ? 0 : 1);
