import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PresetError } from "@albert/presets";
import { startHubServer, type FileData } from "@albert/test-utils";
import { afterAll, describe, expect, it } from "vitest";
import { AlbertTokenizer } from "./albert-tokenizer.js";
import { TokenizerError } from "./errors.js";
import {
  CLASSIFIER_PRESET,
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

  it("never lowercases because of a folder's name", async () => {
    const dir = path.join(temp, "albert_tiny_en_uncased");
    symlinkSync(testdataPath("tokenizer"), dir);
    expect((await AlbertTokenizer.fromPreset(dir)).lowercase).toBe(false);
    expect((await AlbertTokenizer.fromPreset(dir, { lowercase: true })).lowercase).toBe(true);
  });

  it.each([true, false])(
    "saveToPreset records lowercase: %s in tokenizer.json and fromPreset honours it",
    async (lowercase) => {
      const dir = path.join(temp, `saved-${lowercase}`);
      const tokenizer = AlbertTokenizer.fromProto(model, { lowercase });
      expect(await tokenizer.saveToPreset(dir)).toEqual([
        "tokenizer.json",
        "assets/tokenizer/vocabulary.spm",
      ]);
      const json = JSON.parse(readFileSync(path.join(dir, "tokenizer.json"), "utf8")) as Record<
        string,
        unknown
      >;
      expect(json.albert_ts).toEqual({ lowercase });
      expect(json.config).toEqual(tokenizer.getConfig());
      expect(readFileSync(path.join(dir, "assets/tokenizer/vocabulary.spm"))).toEqual(
        readFileSync(testdataPath("tokenizer", "assets/tokenizer/vocabulary.spm")),
      );
      const back = await AlbertTokenizer.fromPreset(dir);
      expect(back.lowercase).toBe(lowercase);
      expect(back.tokenize("The fox")).toEqual(tokenizer.tokenize("The fox"));
      expect(back.tokenize("The")[0]).toBe(lowercase ? 6 : 7); // "▁the", or "▁" then <unk>
      expect((await AlbertTokenizer.fromPreset(dir, { lowercase: !lowercase })).lowercase).toBe(
        !lowercase,
      );
    },
  );

  it("refuses a malformed casing record", async () => {
    const dir = path.join(temp, "bad-record");
    cpSync(CLASSIFIER_PRESET, dir, { recursive: true });
    const json = JSON.parse(readFileSync(path.join(dir, "tokenizer.json"), "utf8")) as object;
    writeFileSync(
      path.join(dir, "tokenizer.json"),
      JSON.stringify({ ...json, albert_ts: { lowercase: "yes" } }),
    );
    await expect(AlbertTokenizer.fromPreset(dir)).rejects.toMatchObject({
      code: "invalid_preset",
      message: expect.stringMatching(/"albert_ts" must be an object with a boolean "lowercase"/),
    });
  });

  it("refuses KerasHub tokenizer options this port does not implement", async () => {
    const dir = path.join(temp, "add-bos");
    cpSync(CLASSIFIER_PRESET, dir, { recursive: true });
    const json = JSON.parse(readFileSync(path.join(dir, "tokenizer.json"), "utf8")) as {
      config: object;
    };
    writeFileSync(
      path.join(dir, "tokenizer.json"),
      JSON.stringify({ ...json, config: { ...json.config, add_bos: true } }),
    );
    await expect(AlbertTokenizer.fromPreset(dir)).rejects.toMatchObject({
      code: "unsupported_model",
      message: expect.stringMatching(/add_bos is true; this port supports only false/),
    });
  });

  it("getConfig() is KerasHub's; fromConfig reads it back with the model bytes", () => {
    const kerasJson = JSON.parse(
      readFileSync(path.join(CLASSIFIER_PRESET, "tokenizer.json"), "utf8"),
    ) as {
      config: object;
    };
    const tokenizer = AlbertTokenizer.fromProto(model);
    expect(tokenizer.getConfig()).toEqual(kerasJson.config);
    expect(tokenizer.serialize()).toEqual(kerasJson);
    expect(tokenizer.specialTokenIds).toEqual([0, 2, 3, 4]);
    const named = AlbertTokenizer.fromProto(model, { name: "my_tokenizer", lowercase: true });
    const back = AlbertTokenizer.fromConfig(named.getConfig(), { proto: model, lowercase: true });
    expect(back.getConfig()).toEqual(named.getConfig());
    expect(back.lowercase).toBe(true);
    expect(() => AlbertTokenizer.fromConfig(kerasJson, undefined as never)).toThrow(
      /needs the SentencePiece model/,
    );
    expect(() =>
      AlbertTokenizer.fromConfig(
        { ...kerasJson, registered_name: "keras_hub>BertTokenizer" },
        {
          proto: model,
        },
      ),
    ).toThrow(/is a serialized keras_hub>BertTokenizer, expected keras_hub>AlbertTokenizer/);
  });

  it("lowercases a built-in *_uncased preset resolved by name (from a local Kaggle server)", async () => {
    // The served preset is KerasHub's own layout, with no casing record.
    const files: Record<string, FileData> = {};
    const root = testdataPath("tokenizer");
    for (const file of [
      "config.json",
      "metadata.json",
      "tokenizer.json",
      "preprocessor.json",
      "model.weights.h5",
      "assets/tokenizer/vocabulary.spm",
    ]) {
      files[file] = readFileSync(path.join(root, file));
    }
    const server = await startHubServer({
      kaggle: { "keras/albert/keras/albert_base_en_uncased": { versions: { 5: { files } } } },
    });
    const names = [
      "ALBERT_HOME",
      "KAGGLE_API_ENDPOINT",
      "HF_ENDPOINT",
      "HOME",
      "KAGGLE_API_TOKEN",
      "KAGGLE_USERNAME",
      "KAGGLE_KEY",
      "KAGGLE_CONFIG_DIR",
      "ALBERT_OFFLINE",
    ];
    const saved = Object.fromEntries(names.map((n) => [n, process.env[n]]));
    try {
      for (const n of names) delete process.env[n];
      process.env["ALBERT_HOME"] = path.join(temp, "hub-home");
      process.env["HOME"] = path.join(temp, "user-home");
      process.env["KAGGLE_API_ENDPOINT"] = server.url;
      process.env["HF_ENDPOINT"] = server.url;
      const byName = await AlbertTokenizer.fromPreset("albert_base_en_uncased", { retries: 0 });
      expect(byName.lowercase).toBe(true);
      expect(byName.tokenize("The")).toEqual([6]);
      const byHandle = await AlbertTokenizer.fromPreset(
        "kaggle://keras/albert/keras/albert_base_en_uncased/5",
      );
      expect(byHandle.lowercase).toBe(true);
      // The same files in a folder of the same name: KerasHub's ids, no lowercasing.
      const copy = path.join(temp, "copy", "albert_base_en_uncased");
      for (const file of Object.keys(files)) cpSync(path.join(root, file), path.join(copy, file));
      expect((await AlbertTokenizer.fromPreset(copy)).lowercase).toBe(false);
    } finally {
      for (const n of names) {
        if (saved[n] === undefined) delete process.env[n];
        else process.env[n] = saved[n];
      }
      await server.close();
    }
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
