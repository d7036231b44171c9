// HfTokenizer against what HF's own code gave (scripts/hf_tokenizer_reference.py): transformers 5
// AutoTokenizer on tokenizer directories and the `tokenizers` library on tokenizer.json files,
// for random texts, pairs, truncation with stride and overflow, padding, batches and decoding.
// The committed golden file holds a few hundred cases; scripts/compare-hf-tokenizer.mjs runs
// this same file on a large fresh run by setting HF_TOKENIZER_CASES.
import { readFileSync } from "node:fs";
import { readJson, testdataPath } from "@albert/test-utils";
import { describe, expect, it } from "vitest";
import { TokenizerError } from "../errors.js";
import { packageTestdataPath } from "../test-utils/fixtures.js";
import { HfTokenizer, type HfEncodeOptions, type HfEncoding } from "./hf-tokenizer.js";
import { serdeJsonFloat } from "./unigram.js";

/** One chunk of an encoding: every field but `overflowing`. */
type Chunk = Omit<HfEncoding, "overflowing">;

type Case =
  | {
      setup: string;
      kind: "encode";
      text: string;
      textPair?: string;
      options: HfEncodeOptions;
      expected?: Chunk[];
      error?: string;
    }
  | {
      setup: string;
      kind: "batch";
      inputs: Array<string | [string, string]>;
      options: HfEncodeOptions;
      expected?: Chunk[][];
      error?: string;
    }
  | {
      setup: string;
      kind: "decode";
      ids: number[];
      skipSpecialTokens: boolean;
      expected: string;
      tokens: string[];
      tokensString: string;
    };

interface SetupDef {
  tokenizerJson?: string;
  tokenizerJsonText?: string;
  base?: string;
  tokenizerJsonPatch?: Record<string, unknown>;
  tokenizerConfig?: string | Record<string, unknown>;
  rustScores?: number[];
}

interface Reference {
  transformers: string;
  tokenizers: string;
  setups: Record<string, SetupDef>;
  cases: Case[];
}

const file = process.env.HF_TOKENIZER_CASES ?? packageTestdataPath("hf-tokenizer-cases.json");
const reference = readJson<Reference>(file);

function repoJson(relative: string): Record<string, unknown> {
  return readJson<Record<string, unknown>>(testdataPath(relative.replace(/^testdata\//, "")));
}

/** A variant's tokenizer.json: its patch, with the vocabulary and charsmap of its base. */
function patched(def: SetupDef): Record<string, unknown> {
  const base = tokenizerJsonOf(reference.setups[def.base!]!);
  type Normalizer = {
    type?: string;
    precompiled_charsmap?: string | null;
    normalizers?: Normalizer[];
  };
  const out = structuredClone(def.tokenizerJsonPatch!) as {
    model: { vocab: unknown };
    normalizer: Normalizer | null;
  };
  out.model.vocab = (base.model as { vocab: unknown }).vocab;
  const charsmap = JSON.stringify(base.normalizer).match(/"precompiled_charsmap":"([^"]*)"/)?.[1];
  const fill = (n: Normalizer | null | undefined): void => {
    if (n === null || n === undefined) return;
    if (n.type === "Precompiled" && n.precompiled_charsmap === null)
      n.precompiled_charsmap = charsmap;
    for (const m of n.normalizers ?? []) fill(m);
  };
  fill(out.normalizer);
  return out;
}

function tokenizerJsonOf(def: SetupDef): Record<string, unknown> {
  if (def.tokenizerJson !== undefined) return repoJson(def.tokenizerJson);
  if (def.tokenizerJsonText !== undefined) return JSON.parse(def.tokenizerJsonText);
  return patched(def);
}

const tokenizers = new Map<string, HfTokenizer>();
function tokenizerOf(name: string): HfTokenizer {
  let tokenizer = tokenizers.get(name);
  if (tokenizer === undefined) {
    const def = reference.setups[name]!;
    const config = def.tokenizerConfig;
    tokenizer = HfTokenizer.fromJson(
      tokenizerJsonOf(def),
      config === undefined
        ? {}
        : { tokenizerConfig: typeof config === "string" ? repoJson(config) : config },
    );
    tokenizers.set(name, tokenizer);
  }
  return tokenizer;
}

function chunks(encoding: HfEncoding): Chunk[] {
  return [encoding, ...encoding.overflowing].map((e) => ({
    ids: e.ids,
    tokens: e.tokens,
    offsets: e.offsets,
    typeIds: e.typeIds,
    attentionMask: e.attentionMask,
    specialTokensMask: e.specialTokensMask,
    sequenceIds: e.sequenceIds,
    wordIds: e.wordIds,
  }));
}

/** What our tokenizer gives for a case, or the error it throws. */
function run(c: Case): unknown {
  const tokenizer = tokenizerOf(c.setup);
  try {
    if (c.kind === "encode") {
      return chunks(
        tokenizer.encode(
          c.text,
          c.textPair === undefined ? c.options : { ...c.options, textPair: c.textPair },
        ),
      );
    }
    if (c.kind === "batch") return tokenizer.encodeBatch(c.inputs, c.options).map(chunks);
    return {
      decoded: tokenizer.decode(c.ids, { skipSpecialTokens: c.skipSpecialTokens }),
      tokens: tokenizer.convertIdsToTokens(c.ids),
      tokensString: tokenizer.convertTokensToString(c.tokens),
    };
  } catch (error) {
    if (error instanceof TokenizerError) return { error: error.code };
    throw error;
  }
}

function expectedOf(c: Case): unknown {
  if (c.kind === "decode")
    return { decoded: c.expected, tokens: c.tokens, tokensString: c.tokensString };
  return c.error !== undefined ? { error: "invalid_argument" } : c.expected;
}

describe(`HfTokenizer vs HF (transformers ${reference.transformers}, tokenizers ${reference.tokenizers}; ${file.split("/").slice(-2).join("/")})`, () => {
  const setups = [...new Set(reference.cases.map((c) => c.setup))];
  for (const setup of setups) {
    it(`${setup}: every case as HF gives it`, () => {
      const cases = reference.cases.filter((c) => c.setup === setup);
      expect(cases.length).toBeGreaterThan(0);
      const mismatches: unknown[] = [];
      for (const c of cases) {
        const ours = run(c);
        const expected = expectedOf(c);
        if (JSON.stringify(ours) !== JSON.stringify(expected)) {
          mismatches.push({ case: c, ours });
        }
      }
      if (mismatches.length > 0) {
        console.error(`${setup}: ${mismatches.length} of ${cases.length} cases differ`);
      }
      expect(mismatches.slice(0, 3)).toEqual([]);
    });
  }

  it("reads scores as the tokenizers library's JSON parser does", () => {
    for (const def of Object.values(reference.setups)) {
      if (def.rustScores === undefined) continue;
      const vocab = (tokenizerJsonOf(def).model as { vocab: Array<[string, number]> }).vocab;
      const ours = vocab.map(([, score]) => serdeJsonFloat(score));
      expect(ours).toEqual(def.rustScores);
      // And the parser does differ from an exact reading for some of them.
      expect(vocab.some(([, score], i) => score !== def.rustScores![i])).toBe(true);
    }
  });

  it("the golden file was made by HF, not by this package", () => {
    const text = readFileSync(file, "utf8");
    expect(text).toContain("hf_tokenizer_reference.py");
  });
});
