import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AlbertBackbone, tf } from "@albert/core";
import { AlbertPreprocessor } from "@albert/tokenizer";
import { testdataPath } from "@albert/test-utils";
import { DTYPE_CHOICES } from "./commands/encode.js";
import { expectOneLineError, jsonLines, runCli, tempDir } from "./test-utils/run-cli.js";

/** A KerasHub preset with a tokenizer (1000 pieces, sequence length 16), committed. */
const PRESET = testdataPath("tokenizer");

interface Line {
  index: number;
  id?: string | number;
  text?: string;
  text_a?: string;
  text_b?: string;
  tokens: number;
  truncated?: true;
  embedding: number[];
  tokenIds?: number[];
  sequenceOutput?: number[][];
}

const TEXTS = ["the quick brown fox", "a lite bert for language", "hello world"];
const PAIR = { a: "what is albert", b: "a lite bert" };

let backbone: AlbertBackbone;
let preprocessor: AlbertPreprocessor;
const tmp = tempDir("encode");

beforeAll(async () => {
  backbone = await AlbertBackbone.fromPreset(PRESET);
  preprocessor = await AlbertPreprocessor.fromPreset(PRESET);
});
afterAll(() => {
  backbone.dispose();
  tmp.cleanup();
});

/** What the library gives for the rows of a packed batch, cut to the width the CLI uses. */
function libraryOutputs(packed: {
  tokenIds: number[][];
  segmentIds: number[][];
  paddingMask: number[][];
}) {
  const width = Math.max(...packed.paddingMask.map((row) => row.lastIndexOf(1) + 1));
  const cut = (rows: number[][]) => rows.map((r) => r.slice(0, width));
  const out = backbone.predict({
    tokenIds: cut(packed.tokenIds),
    segmentIds: cut(packed.segmentIds),
    paddingMask: cut(packed.paddingMask),
  });
  const full = backbone.predict(packed);
  const result = {
    width,
    pooled: out.pooledOutput.arraySync(),
    sequence: out.sequenceOutput.arraySync(),
    pooledFullLength: full.pooledOutput.arraySync(),
  };
  tf.dispose([out.pooledOutput, out.sequenceOutput, full.pooledOutput, full.sequenceOutput]);
  return result;
}

const f32 = (values: number[]) => values.map((v) => Math.fround(v));

describe("albert encode on a committed preset, against the library", () => {
  it("TEXT arguments: pooled_output equal to AlbertBackbone.predict on the preprocessor's ids", async () => {
    const r = await runCli(["encode", "--preset", PRESET, ...TEXTS]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = jsonLines<Line>(r.stdout);
    expect(lines.map((l) => [l.index, l.text])).toEqual(TEXTS.map((t, i) => [i, t]));

    const packed = preprocessor.call(TEXTS);
    const ours = libraryOutputs(packed);
    lines.forEach((line, b) => {
      const mask = packed.paddingMask[b]!;
      expect(line.tokens).toBe(mask.filter((m) => m === 1).length);
      expect(line.embedding).toHaveLength(backbone.hiddenDim);
      // Printed as the shortest decimals of float32 values: they read back bit for bit.
      expect(f32(line.embedding)).toEqual(ours.pooled[b]);
      // Padding to the full sequence length changes nothing but float rounding.
      line.embedding.forEach((v, i) =>
        expect(Math.abs(v - ours.pooledFullLength[b]![i]!)).toBeLessThan(1e-5),
      );
    });
  });

  it("stdin JSON lines: pairs, ids, mean pooling, --normalize and --sequence-output", async () => {
    const stdin = [
      JSON.stringify({ text_a: PAIR.a, text_b: PAIR.b, id: "pair-1" }),
      "",
      JSON.stringify(TEXTS[0]),
      JSON.stringify({ text: TEXTS[1], id: 42 }),
    ].join("\n");
    const r = await runCli(
      ["encode", "-p", PRESET, "--pooling", "mean", "--normalize", "--sequence-output"],
      {
        stdin,
      },
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const [pair, single, withId] = jsonLines<Line>(r.stdout);
    expect(pair).toMatchObject({ index: 0, id: "pair-1", text_a: PAIR.a, text_b: PAIR.b });
    expect(single).toMatchObject({ index: 1, text: TEXTS[0] });
    expect(single!.id).toBeUndefined();
    expect(withId).toMatchObject({ index: 2, id: 42, text: TEXTS[1] });

    // The pair is packed `[CLS] a [SEP] b [SEP]`, exactly as the preprocessor packs it.
    const packed = preprocessor.call([[PAIR.a], [PAIR.b]]);
    const real = packed.paddingMask[0]!.flatMap((m, t) => (m === 1 ? [t] : []));
    expect(pair!.tokenIds).toEqual(real.map((t) => packed.tokenIds[0]![t]));
    const ours = libraryOutputs(packed);
    const sequence = real.map((t) => ours.sequence[0]![t]!);
    expect(pair!.sequenceOutput!.map(f32)).toEqual(sequence);

    // mean: the average of the real tokens' vectors, then scaled to unit length.
    const mean = sequence[0]!.map(
      (_, i) => sequence.reduce((s, v) => s + v[i]!, 0) / sequence.length,
    );
    const norm = Math.hypot(...mean);
    pair!.embedding.forEach((v, i) => expect(v).toBeCloseTo(mean[i]! / norm, 5));
    for (const line of [pair!, single!, withId!]) {
      expect(Math.hypot(...line.embedding)).toBeCloseTo(1, 5);
      expect(line.sequenceOutput).toHaveLength(line.tokens);
    }
  });

  it("--input and --output files, plain text lines, small batches, truncation", async () => {
    const long = Array.from({ length: 40 }, (_, i) => `word${i}`).join(" ");
    const input = path.join(tmp.dir, "texts.txt");
    writeFileSync(input, [...TEXTS, long].join("\n") + "\n");
    const output = path.join(tmp.dir, "vectors.jsonl");
    const r = await runCli(
      [
        "encode",
        "-p",
        PRESET,
        "--input-format",
        "text",
        "--input",
        "texts.txt",
        "--output",
        "vectors.jsonl",
        "--batch-size",
        "2",
        "--sequence-length",
        "12",
      ],
      { cwd: tmp.dir },
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    // Written under a temporary name and renamed: nothing else is left in the folder.
    expect(readdirSync(tmp.dir).sort()).toEqual(["texts.txt", "vectors.jsonl"]);
    const lines = jsonLines<Line>(readFileSync(output, "utf8"));
    expect(lines.map((l) => l.text)).toEqual([...TEXTS, long]);
    expect(lines[3]).toMatchObject({ tokens: 12, truncated: true });
    const tokenizer = preprocessor.tokenizer;
    expect(lines.map((l) => l.truncated === true)).toEqual(
      [...TEXTS, long].map((t) => tokenizer.tokenize(t).length + 2 > 12),
    );

    const short = new AlbertPreprocessor({ tokenizer: preprocessor.tokenizer, sequenceLength: 12 });
    const packed = short.call([TEXTS[2]!, long]);
    expect(f32(lines[3]!.embedding)).toEqual(libraryOutputs(packed).pooled[1]);
  });

  it("--sequence-length longer than the model's positions is a usage error", async () => {
    const r = await runCli(["encode", "-p", PRESET, "--sequence-length", "17", "hi"]);
    expect(r.code).toBe(2);
    const { message, hint } = expectOneLineError(r.stderrLines);
    expect(message).toBe("--sequence-length 17 is longer than the model's max_sequence_length 16");
    expect(hint).toBe("Use --sequence-length 16 or less.");
  });

  it("a preset without a tokenizer fails with a hint about where tokenizers come from", async () => {
    const r = await runCli(["encode", "-p", testdataPath("keras", "tiny"), "hi"]);
    expect(r.code).toBe(1);
    const { message, hint } = expectOneLineError(r.stderrLines);
    expect(message).toMatch(/has no tokenizer/);
    expect(hint).toMatch(/spiece\.model/);
  });

  it("--dtype bfloat16: the library's bfloat16 outputs, and only KerasHub's policy names", async () => {
    const r = await runCli(["encode", "-p", PRESET, "--dtype", "bfloat16", ...TEXTS]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const model = await AlbertBackbone.fromPreset(PRESET, { dtype: "bfloat16" });
    const packed = preprocessor.call(TEXTS);
    const width = Math.max(...packed.paddingMask.map((row) => row.lastIndexOf(1) + 1));
    const cut = (rows: number[][]) => rows.map((row) => row.slice(0, width));
    const out = model.predict({ tokenIds: cut(packed.tokenIds), segmentIds: cut(packed.segmentIds), paddingMask: cut(packed.paddingMask) });
    const pooled = out.pooledOutput.arraySync();
    jsonLines<Line>(r.stdout).forEach((line, b) => {
      expect(f32(line.embedding)).toEqual(pooled[b]);
      // bfloat16 values: the low 16 bits of each float32 are zero.
      expect(new Uint32Array(Float32Array.from(line.embedding).buffer).every((bits) => (bits & 0xffff) === 0)).toBe(true);
    });
    tf.dispose([out.sequenceOutput, out.pooledOutput]);
    model.dispose();

    const bad = await runCli(["encode", "-p", PRESET, "--dtype", "float8", "hi"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/float8.*float32, bfloat16, float16, mixed_bfloat16, mixed_float16/s);
  });

  it("--dtype offers exactly the library's policies", async () => {
    const { DTYPE_POLICY_NAMES } = await import("@albert/core");
    expect(DTYPE_CHOICES).toEqual([...DTYPE_POLICY_NAMES]);
  });

  it("a failed run leaves no output file behind", async () => {
    const out = path.join(tmp.dir, "never.jsonl");
    const r = await runCli(["encode", "-p", testdataPath("keras", "tiny"), "-o", out, "hi"]);
    expect(r.code).toBe(1);
    expect(existsSync(out)).toBe(false);
  });
});
