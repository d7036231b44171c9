import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PresetError } from "@albert/presets";
import { afterAll, describe, expect, it } from "vitest";
import { AlbertTokenizer } from "./albert-tokenizer.js";
import { TokenizerError } from "./errors.js";
import {
  kerasFixtureModel,
  packageTestdataPath,
  readBytes,
  testdataPath,
} from "./test-utils/fixtures.js";

const model = kerasFixtureModel("tokenizer");

function thrown(fn: () => unknown): TokenizerError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TokenizerError);
    return error as TokenizerError;
  }
  throw new Error("expected a TokenizerError");
}

describe("AlbertTokenizer", () => {
  const tokenizer = AlbertTokenizer.fromProto(model);

  it("exposes KerasHub's special tokens and vocabulary accessors", () => {
    expect(tokenizer.clsTokenId).toBe(2);
    expect(tokenizer.sepTokenId).toBe(3);
    expect(tokenizer.padTokenId).toBe(0);
    expect(tokenizer.maskTokenId).toBe(4);
    expect(tokenizer.unkTokenId).toBe(1);
    expect(tokenizer.startTokenId).toBe(2);
    expect(tokenizer.endTokenId).toBe(3);
    expect(tokenizer.specialTokens.mask).toEqual({ token: "[MASK]", id: 4 });
    expect(tokenizer.vocabularySize()).toBe(1000);
    expect(tokenizer.getVocabulary()).toHaveLength(1000);
    expect(tokenizer.idToToken(6)).toBe("▁the");
    expect(tokenizer.tokenToId("▁the")).toBe(6);
    expect(tokenizer.tokenToId("no such piece")).toBe(1);
    expect(tokenizer.lowercase).toBe(false);
  });

  it("matches [MASK] (user-defined) in text but never [CLS]/[SEP]/<pad> (control)", () => {
    const ids = tokenizer.tokenize("[MASK] [CLS] [SEP] <pad>");
    expect(ids).toContain(4);
    expect(ids).not.toContain(2);
    expect(ids).not.toContain(3);
    expect(ids).not.toContain(0);
  });

  it("detokenizes control ids to nothing and <unk> to ' ⁇ '", () => {
    expect(tokenizer.detokenize([2, 6, 3, 0])).toBe("the");
    expect(tokenizer.detokenize([6, 1, 6])).toBe("the ⁇  the"); // " ⁇ " then " the"
    expect(tokenizer.detokenize([])).toBe("");
    expect(tokenizer.detokenize(Int32Array.from([6]))).toBe("the");
  });

  it("refuses a vocabulary without [MASK], naming the token", () => {
    const error = thrown(() =>
      AlbertTokenizer.fromProto(readBytes(packageTestdataPath("models", "word_no_mask.model"))),
    );
    expect(error.code).toBe("missing_special_token");
    expect(error.message).toMatch(/"\[MASK\]"/);
  });

  it.each([
    ["a number", 42, /text must be a string, got 42/],
    ["null", null, /text must be a string, got null/],
    ["an object", { text: "a" }, /text must be a string, got an object/],
  ])("rejects %s as text", (_, value, message) => {
    const error = thrown(() => tokenizer.tokenize(value as unknown as string));
    expect(error.code).toBe("invalid_argument");
    expect(error.message).toMatch(message);
    expect(() => tokenizer.tokenizeToPieces(value as unknown as string)).toThrow(message);
    expect(() => tokenizer.tokenizeWithOffsets(value as unknown as string)).toThrow(message);
  });

  it("names the bad element of a batch", () => {
    expect(() => tokenizer.tokenize(["ok", 7 as unknown as string])).toThrow(
      /texts\[1\] must be a string, got 7/,
    );
  });

  it("rejects bad ids and a non-boolean lowercase", () => {
    expect(thrown(() => tokenizer.detokenize([1000])).code).toBe("invalid_id");
    expect(thrown(() => tokenizer.idToToken(-1)).code).toBe("invalid_id");
    expect(thrown(() => tokenizer.detokenize("12" as unknown as number[])).code).toBe(
      "invalid_argument",
    );
    const error = thrown(() =>
      AlbertTokenizer.fromProto(model, { lowercase: "yes" as unknown as boolean }),
    );
    expect(error.message).toMatch(/lowercase must be a boolean, got "yes"/);
  });

  it("rejects a corrupt model file", () => {
    expect(thrown(() => AlbertTokenizer.fromProto(model.subarray(0, 100))).code).toBe(
      "invalid_model",
    );
  });
});

describe("tokenizeWithOffsets", () => {
  const tokenizer = AlbertTokenizer.fromProto(model);

  it("gives each piece's span in the original string (UTF-16 indices)", () => {
    const text = "  Hello, wörld 東京 😀 [MASK]!";
    const pieces = tokenizer.tokenizeWithOffsets(text);
    expect(pieces.map((p) => p.id)).toEqual(tokenizer.tokenize(text));
    for (const p of pieces) {
      expect(p.start).toBeGreaterThanOrEqual(0);
      expect(p.end).toBeGreaterThanOrEqual(p.start);
      expect(p.end).toBeLessThanOrEqual(text.length);
    }
    const spans = pieces.map((p) => text.slice(p.start, p.end));
    expect(spans).toContain("東京"); // one <unk> piece for the run of unknown characters
    expect(spans).toContain("😀"); // both UTF-16 units of the emoji
    expect(spans).toContain("[MASK]");
    expect(spans).toContain(",");
  });

  it("with lowercase, maps spans back through whitespace collapsing, accents and case", () => {
    const uncased = AlbertTokenizer.fromProto(model, { lowercase: true });
    const text = "  CAFÉ   Naïve ``quoted''";
    const pieces = uncased.tokenizeWithOffsets(text);
    expect(pieces.map((p) => p.id)).toEqual(uncased.tokenize(text));
    expect(pieces.map((p) => p.piece)).toEqual(uncased.tokenizeToPieces(text));
    const covered = pieces.map((p) => text.slice(p.start, p.end)).join("");
    expect(covered.replace(/\s+/g, "")).toBe("CAFÉNaïve``quoted''");
    const quote = pieces.find((p) => p.piece === '▁"' || p.piece === '"')!;
    expect(text.slice(quote.start, quote.end)).toMatch(/``$/);
  });

  it("with lowercase, splits '1,000,' like HF and keeps spans on the digits and commas", () => {
    const uncased = AlbertTokenizer.fromProto(model, { lowercase: true });
    const text = "In 1999, 2,500,000, and 2001,";
    const pieces = uncased.tokenizeWithOffsets(text);
    expect(pieces.map((p) => p.piece)).toEqual(uncased.tokenizeToPieces(text));
    for (const p of pieces.filter((q) => q.piece === ","))
      expect(text.slice(p.start, p.end)).toBe(",");
  });
});

describe("AlbertTokenizer.fromPreset", () => {
  const temp = mkdtempSync(path.join(tmpdir(), "albert-tokenizer-"));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it("reads a KerasHub preset directory (tokenizer.json + assets/tokenizer/vocabulary.spm)", async () => {
    const tokenizer = await AlbertTokenizer.fromPreset(testdataPath("tokenizer"));
    expect(tokenizer.lowercase).toBe(false);
    expect(tokenizer.tokenize("the license")).toEqual(
      AlbertTokenizer.fromProto(model).tokenize("the license"),
    );
  });

  it("defaults to lowercase for a preset named *_uncased, unless told otherwise", async () => {
    const dir = path.join(temp, "albert_tiny_en_uncased");
    symlinkSync(testdataPath("tokenizer"), dir);
    expect((await AlbertTokenizer.fromPreset(dir)).lowercase).toBe(true);
    expect((await AlbertTokenizer.fromPreset(`${dir}/`)).lowercase).toBe(true);
    expect((await AlbertTokenizer.fromPreset(dir, { lowercase: false })).lowercase).toBe(false);
  });

  it("reads an HF transformers directory (spiece.model) and its do_lower_case", async () => {
    const hf = path.join(temp, "hf");
    cpSync(
      testdataPath("tokenizer", "assets/tokenizer/vocabulary.spm"),
      path.join(hf, "spiece.model"),
    );
    writeFileSync(path.join(hf, "config.json"), JSON.stringify({ model_type: "albert" }));
    expect((await AlbertTokenizer.fromPreset(hf)).lowercase).toBe(true); // HF's default
    writeFileSync(path.join(hf, "tokenizer_config.json"), JSON.stringify({ do_lower_case: false }));
    expect((await AlbertTokenizer.fromPreset(hf)).lowercase).toBe(false);
    writeFileSync(path.join(hf, "tokenizer_config.json"), JSON.stringify({ do_lower_case: true }));
    const tokenizer = await AlbertTokenizer.fromPreset(hf);
    expect(tokenizer.lowercase).toBe(true);
    expect(tokenizer.tokenize("The")).toEqual([6]);
  });

  it("explains a directory without a tokenizer", async () => {
    const empty = path.join(temp, "empty");
    cpSync(testdataPath("keras", "tiny", "config.json"), path.join(empty, "config.json"));
    await expect(AlbertTokenizer.fromPreset(empty)).rejects.toMatchObject({
      name: "TokenizerError",
      code: "missing_file",
      message: expect.stringMatching(/tokenizer\.json.*spiece\.model/),
    });
  });

  it("lets @albert/presets report handles it cannot resolve", async () => {
    await expect(
      AlbertTokenizer.fromPreset(path.join(temp, "does-not-exist")),
    ).rejects.toBeInstanceOf(PresetError);
  });
});
