// SentencePiece C++ parity beyond ALBERT's fixtures: BPE, byte fallback, WORD and CHAR models,
// whitespace options and several user-defined symbols (testdata/models, made by
// scripts/make_extra_models.py with python sentencepiece), piece offsets, and a long input
// whose path score needs the library's re-basing.
import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { TokenizerError } from "../errors.js";
import {
  kerasFixtureModel,
  packageTestdataPath,
  readBytes,
  readJson,
  testdataPath,
  type ReferenceCases,
} from "../test-utils/fixtures.js";
import { SentencePieceProcessor } from "./processor.js";

const models = readdirSync(packageTestdataPath("models"))
  .filter((f) => f.endsWith(".model"))
  .map((f) => f.replace(/\.model$/, ""))
  .sort();

describe.each(models)("SentencePiece parity: testdata/models/%s", (name) => {
  const sp = SentencePieceProcessor.fromBytes(
    readBytes(packageTestdataPath("models", `${name}.model`)),
  );
  const { cases, decodes } = readJson<ReferenceCases>(
    packageTestdataPath("models", `${name}.cases.json`),
  );

  it.each(cases.map((c, i) => [i, JSON.stringify(c.text).slice(0, 50), c] as const))(
    "case %i %s",
    (_i, _t, c) => {
      expect(sp.encodeIds(c.text)).toEqual(c.ids);
      const detailed = sp.encodeWithOffsets(c.text);
      expect(detailed.map((p) => p.piece)).toEqual(c.pieces);
      expect(detailed.map((p) => p.id)).toEqual(c.ids);
      expect(detailed.map((p) => [p.start, p.end])).toEqual(c.offsets);
      expect(sp.encodePieces(c.text)).toEqual(c.pieces);
      expect(sp.normalize(c.text)).toBe(c.normalized);
      expect(sp.decodeIds(c.ids)).toBe(c.decoded);
    },
  );

  it("decodes random id lists like the C++ library", () => {
    for (const d of decodes) expect(sp.decodeIds(d.ids)).toBe(d.decoded);
  });
});

describe("piece offsets match the C++ library on the ALBERT fixtures", () => {
  const { models: byFixture } = readJson<{
    models: Record<
      string,
      Array<{ text: string; ids: number[]; offsets: Array<[number, number]> }>
    >;
  }>(packageTestdataPath("fixture-offsets.json"));
  it.each(Object.keys(byFixture))("%s", (fixture) => {
    const sp = SentencePieceProcessor.fromBytes(
      kerasFixtureModel(fixture.replace(/^testdata\//, "")),
    );
    for (const c of byFixture[fixture]!) {
      const detailed = sp.encodeWithOffsets(c.text);
      expect(detailed.map((p) => p.id)).toEqual(c.ids);
      expect(detailed.map((p) => [p.start, p.end])).toEqual(c.offsets);
    }
  });
});

describe("long inputs", () => {
  it("re-bases path scores past 100000 exactly as the C++ library (360 KB)", () => {
    const spec = readJson<{
      model: string;
      repeat: string;
      times: number;
      suffix: string;
      count: number;
      sha256: string;
      tail: number[];
    }>(packageTestdataPath("long-text.json"));
    const sp = SentencePieceProcessor.fromBytes(
      readBytes(testdataPath(spec.model.replace(/^testdata\//, ""))),
    );
    const ids = sp.encodeIds(spec.repeat.repeat(spec.times) + spec.suffix);
    expect(ids.length).toBe(spec.count);
    expect(ids.slice(-spec.tail.length)).toEqual(spec.tail);
    expect(createHash("sha256").update(ids.join(",")).digest("hex")).toBe(spec.sha256);
  });

  const sp = SentencePieceProcessor.fromBytes(kerasFixtureModel("tokenizer"));
  const tenMegabytes = 10 * 1024 * 1024;
  it.each([
    [
      "English text",
      "The quick brown fox jumps over the lazy dog; GNU General Public License, version 3. ",
    ],
    ["one unbroken letter run", "a"],
    ["unknown characters", "東京是日本的首都"],
    ["whitespace", " \t\n"],
  ])("tokenizes 10 MB of %s in linear time without recursion", (_, unit) => {
    const text = unit.repeat(Math.ceil(tenMegabytes / unit.length)).slice(0, tenMegabytes);
    const started = performance.now();
    const ids = sp.encodeIds(text);
    const seconds = (performance.now() - started) / 1000;
    expect(ids.length).toBeGreaterThanOrEqual(unit.trim() === "" ? 0 : 1);
    // Generous: a few MB/s on a slow shared machine; a quadratic algorithm would take hours.
    expect(seconds).toBeLessThan(45);
  });

  it("runs BPE on 1 MB without recursion", () => {
    const bpe = SentencePieceProcessor.fromBytes(
      readBytes(packageTestdataPath("models", "bpe_nfkc.model")),
    );
    const text = "Supercalifragilisticexpialidocious antidisestablishmentarianism ".repeat(16384);
    const ids = bpe.encodeIds(text);
    expect(bpe.decodeIds(ids)).toBe(text.trim());
  });
});

describe("model loading errors", () => {
  const good = kerasFixtureModel("tokenizer");
  it.each([
    ["empty", new Uint8Array(0)],
    ["truncated", good.subarray(0, Math.floor(good.length / 2))],
    ["cut off at 10 bytes", good.subarray(0, 10)],
    ["a JSON file", new TextEncoder().encode('{"pieces": ["a", "b"]}')],
    ["random bytes", Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24)],
  ])("rejects %s bytes with invalid_model", (_, bytes) => {
    expect(() => SentencePieceProcessor.fromBytes(bytes)).toThrow(TokenizerError);
    try {
      SentencePieceProcessor.fromBytes(bytes);
    } catch (error) {
      expect((error as TokenizerError).code).toBe("invalid_model");
      expect((error as TokenizerError).message).toMatch(/SentencePiece|normalizer/);
    }
  });

  it("rejects a proto argument that is not bytes", () => {
    expect(() => SentencePieceProcessor.fromBytes("model.spm" as unknown as Uint8Array)).toThrow(
      /proto must be a Uint8Array or ArrayBuffer.*"model\.spm"/,
    );
  });

  it("accepts an ArrayBuffer", () => {
    const copy = good.slice();
    expect(SentencePieceProcessor.fromBytes(copy.buffer).getPieceSize()).toBe(1000);
  });
});

describe("ids and pieces", () => {
  const sp = SentencePieceProcessor.fromBytes(kerasFixtureModel("tokenizer"));
  it("maps pieces and ids both ways like the C++ library", () => {
    expect(sp.getPieceSize()).toBe(1000);
    expect(sp.idToPiece(2)).toBe("[CLS]");
    expect(sp.pieceToId("[MASK]")).toBe(4);
    expect(sp.pieceToId("not a piece")).toBe(sp.unkId);
    expect(sp.isControl(0)).toBe(true);
    expect(sp.isUnknown(1)).toBe(true);
    expect(sp.isUserDefined(4)).toBe(true);
    expect(sp.modelType).toBe("UNIGRAM");
  });

  it.each([-1, 1000, 1.5, Number.NaN])("rejects id %s", (id) => {
    expect(() => sp.decodeIds([5, id])).toThrow(/ids\[1\] must be an integer in \[0, 999\]/);
  });

  it("rejects non-string text naming the argument", () => {
    expect(() => sp.encodeIds(42 as unknown as string)).toThrow(/text must be a string, got 42/);
  });
});
