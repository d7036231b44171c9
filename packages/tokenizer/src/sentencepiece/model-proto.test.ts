import { describe, expect, it } from "vitest";
import {
  kerasFixtureModel,
  packageTestdataPath,
  readBytes,
  readJson,
  testdataPath,
} from "../test-utils/fixtures.js";
import { ModelType, PieceType, decodeModelProto } from "./model-proto.js";

interface FixtureSummary {
  model_summary: {
    vocab_size: number;
    first_pieces: Array<{ id: number; piece: string; type: keyof typeof PieceType; score: number }>;
    trainer_spec: {
      vocab_size: number;
      byte_fallback: boolean;
      unk_id: number;
      bos_id: number;
      eos_id: number;
      pad_id: number;
      unk_surface: string;
    };
    normalizer_spec: {
      name: string;
      add_dummy_prefix: boolean;
      remove_extra_whitespaces: boolean;
      escape_whitespaces: boolean;
      precompiled_charsmap_bytes: number;
    };
  };
}

describe("decodeModelProto", () => {
  it.each(["tokenizer", "tokenizer/casefold"])(
    "reads the fields that fixture.json summarizes (%s)",
    (fixture) => {
      const model = decodeModelProto(kerasFixtureModel(fixture));
      const summary = readJson<FixtureSummary>(testdataPath(fixture, "fixture.json")).model_summary;
      expect(model.pieces).toHaveLength(summary.vocab_size);
      for (const p of summary.first_pieces) {
        expect(model.pieces[p.id]).toEqual({
          piece: p.piece,
          type: PieceType[p.type],
          score: p.score,
        });
      }
      expect(model.trainerSpec).toMatchObject({
        modelType: ModelType.UNIGRAM,
        vocabSize: summary.trainer_spec.vocab_size,
        byteFallback: summary.trainer_spec.byte_fallback,
        unkId: summary.trainer_spec.unk_id,
        bosId: summary.trainer_spec.bos_id,
        eosId: summary.trainer_spec.eos_id,
        padId: summary.trainer_spec.pad_id,
        unkSurface: summary.trainer_spec.unk_surface,
      });
      expect(model.normalizerSpec.name).toBe(summary.normalizer_spec.name);
      expect(model.normalizerSpec.addDummyPrefix).toBe(summary.normalizer_spec.add_dummy_prefix);
      expect(model.normalizerSpec.removeExtraWhitespaces).toBe(
        summary.normalizer_spec.remove_extra_whitespaces,
      );
      expect(model.normalizerSpec.escapeWhitespaces).toBe(
        summary.normalizer_spec.escape_whitespaces,
      );
      expect(model.normalizerSpec.precompiledCharsmap.length).toBe(
        summary.normalizer_spec.precompiled_charsmap_bytes,
      );
    },
  );

  it("applies proto2 defaults and reads the options the extra models set", () => {
    const model = decodeModelProto(
      readBytes(packageTestdataPath("models", "unigram_ws_options.model")),
    );
    expect(model.normalizerSpec.addDummyPrefix).toBe(false);
    expect(model.normalizerSpec.removeExtraWhitespaces).toBe(false);
    expect(model.trainerSpec.treatWhitespaceAsSuffix).toBe(true);
    const bpe = decodeModelProto(
      readBytes(packageTestdataPath("models", "bpe_byte_fallback.model")),
    );
    expect(bpe.trainerSpec.modelType).toBe(ModelType.BPE);
    expect(bpe.trainerSpec.byteFallback).toBe(true);
    expect(bpe.pieces.filter((p) => p.type === PieceType.BYTE)).toHaveLength(256);
  });
});
