import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { AlbertBackbone } from "@albert/core";
import { countBackboneParams, listPresets, readPreset } from "@albert/presets";
import { AlbertTokenizer } from "@albert/tokenizer";
import { testdataPath, withCasingRecord } from "@albert/test-utils";
import { expectOneLineError, runCli, tempDir } from "./test-utils/run-cli.js";

const HF_TINY = testdataPath("hf", "tiny_pretraining");
const tmp = tempDir("convert");
afterAll(() => tmp.cleanup());

/** An HF folder with the committed SentencePiece model as its spiece.model, and do_lower_case. */
function hfWithTokenizer(name: string, doLowerCase: boolean): string {
  const hf = path.join(tmp.dir, name);
  cpSync(HF_TINY, hf, { recursive: true });
  cpSync(
    testdataPath("tokenizer", "assets", "tokenizer", "vocabulary.spm"),
    path.join(hf, "spiece.model"),
  );
  writeFileSync(
    path.join(hf, "tokenizer_config.json"),
    JSON.stringify({ tokenizer_class: "AlbertTokenizer", do_lower_case: doLowerCase }),
  );
  return hf;
}

function bits(data: Float32Array): Uint32Array {
  return new Uint32Array(data.buffer, data.byteOffset, data.length);
}

describe("albert presets", () => {
  it("lists the four published presets offline, none cached in a fresh ALBERT_HOME", async () => {
    const home = path.join(tmp.dir, "empty-home");
    const [table, json] = await Promise.all([
      runCli(["presets"], { env: { ALBERT_HOME: home } }),
      runCli(["presets", "--json"], { env: { ALBERT_HOME: home } }),
    ]);
    expect(table.code).toBe(0);
    expect(table.stderr).toBe("");
    const rows = table.stdout.split("\n");
    expect(rows[0]).toMatch(
      /^name\s+params\s+download\s+layers\s+hidden\s+heads\s+kaggle\s+hf\s+cached$/,
    );
    for (const p of listPresets()) {
      const row = rows.find((r) => r.startsWith(`${p.name} `));
      expect(row).toBeDefined();
      expect(row).toContain(p.kaggleHandle);
      expect(row).toContain(p.hfHandle);
      expect(row).toMatch(/\sno$/);
    }
    expect(rows.find((r) => r.startsWith("albert_base_en_uncased "))).toMatch(
      /\s11\.7M\s+44\.6 MB\s+12\s+768\s+12\s/,
    );
    expect(table.stdout).toContain(`Cache: ${home}`);

    const parsed = JSON.parse(json.stdout) as {
      cache: string;
      presets: { name: string; params: number; layers: number; cached: Record<string, string> }[];
    };
    expect(parsed.cache).toBe(home);
    expect(parsed.presets.map((p) => [p.name, p.params, p.layers])).toEqual(
      listPresets().map((p) => [p.name, p.params, p.config.num_layers]),
    );
    expect(
      parsed.presets.every((p) => p.cached["kaggle"] === "no" && p.cached["hf"] === "no"),
    ).toBe(true);
  });
});

describe("albert inspect", () => {
  it("an HF transformers checkpoint: format, config, weights with shapes and dtypes, parameters", async () => {
    const r = await runCli(["inspect", HF_TINY, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      format: string;
      config: Parameters<typeof countBackboneParams>[0];
      parameterCount: number;
      storedDtypes: string[];
      weights: { name: string; shape: number[]; dtype: string }[];
      tokenizer: unknown;
    };
    const expected = await readPreset(HF_TINY);
    expect(report.format).toBe("transformers");
    expect(report.config).toEqual(expected.config);
    expect(report.parameterCount).toBe(countBackboneParams(expected.config));
    expect(report.storedDtypes).toEqual(["float32"]);
    expect(report.tokenizer).toBeNull();
    const byName = (a: [string, number[]], b: [string, number[]]) => a[0].localeCompare(b[0]);
    expect(report.weights.map((w): [string, number[]] => [w.name, w.shape]).sort(byName)).toEqual(
      [...expected.weights].map(([name, w]): [string, number[]] => [name, w.shape]).sort(byName),
    );
    expect(report.weights.every((w) => w.dtype === "float32")).toBe(true);
  });

  it("prints a readable report", async () => {
    const r = await runCli(["inspect", testdataPath("tokenizer")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Format:\s+KerasHub preset$/m);
    expect(r.stdout).toMatch(/^Parameters:\s+10,800$/m);
    expect(r.stdout).toMatch(
      /^Tokenizer:\s+SentencePiece, 1000 pieces, lowercase off by default$/m,
    );
    expect(r.stdout).toMatch(/^\s+token_embedding\/embeddings\s+\[1000, 8\]\s+float32$/m);
  });

  it("a built-in name with --no-weights: the bundled config, no network", async () => {
    const r = await runCli(["inspect", "albert_base_en_uncased", "--no-weights", "--json"], {
      env: { ALBERT_OFFLINE: "1", ALBERT_HOME: path.join(tmp.dir, "empty-home") },
    });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      format: string;
      parameterCount: number;
      weights: unknown[];
    };
    expect(report.format).toBe("built-in");
    expect(report.parameterCount).toBe(11683584);
    expect(report.weights).toHaveLength(25);
  });
});

describe("albert convert", () => {
  it("an HF checkpoint to a KerasHub preset that loads to the same weights", async () => {
    const dest = path.join(tmp.dir, "tiny_keras");
    const r = await runCli(["convert", HF_TINY, dest]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `Converted ${HF_TINY} (HF transformers) to a KerasHub preset in ${dest}`,
    );
    expect(r.stdout).toMatch(/read back bit-exact; tokenizer none/);
    // No tokenizer in this checkpoint: said on stderr, not an error.
    expect(r.stderr).toMatch(/^albert: note: .* has no tokenizer/);

    const converted = await readPreset(dest);
    expect(converted.format).toBe("keras");
    const [source, result] = await Promise.all([
      AlbertBackbone.fromPreset(HF_TINY),
      AlbertBackbone.fromPreset(dest),
    ]);
    try {
      expect(result.getConfig()).toEqual(source.getConfig());
      const a = source.getWeightMap();
      const b = result.getWeightMap();
      expect([...b.keys()]).toEqual([...a.keys()]);
      for (const [name, w] of a) {
        expect(b.get(name)!.shape, name).toEqual(w.shape);
        expect(bits(b.get(name)!.data), name).toEqual(bits(w.data));
      }
    } finally {
      source.dispose();
      result.dispose();
    }
    // KerasHub's own conversion of the same checkpoint (testdata/keras/tiny_from_hf) has the same config.
    expect(readFileSync(path.join(dest, "config.json"), "utf8")).toBe(
      readFileSync(testdataPath("keras", "tiny_from_hf", "config.json"), "utf8"),
    );
  });

  it("carries an HF spiece.model across as KerasHub's tokenizer files", async () => {
    const hf = hfWithTokenizer("hf_with_tokenizer", true);
    const dest = path.join(tmp.dir, "with_tokenizer");
    const r = await runCli(["convert", hf, dest, "--json"]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      tokenizer: string;
      lowercase: boolean;
      files: string[];
      verified: boolean;
    };
    expect(report.tokenizer).toBe("converted");
    expect(report.verified).toBe(true);
    expect(report.files).toEqual(
      expect.arrayContaining([
        "config.json",
        "model.weights.h5",
        "tokenizer.json",
        "preprocessor.json",
      ]),
    );
    // What KerasHub writes, byte for byte (the model's 16 positions make the preprocessor's length
    // 16), plus the casing recorded at the end of tokenizer.json.
    for (const file of ["preprocessor.json", "assets/tokenizer/vocabulary.spm"]) {
      expect(readFileSync(path.join(dest, file)), file).toEqual(
        readFileSync(testdataPath("tokenizer", file)),
      );
    }
    expect(readFileSync(path.join(dest, "tokenizer.json"), "utf8")).toBe(
      withCasingRecord(readFileSync(testdataPath("tokenizer", "tokenizer.json"), "utf8"), true),
    );
    expect(r.stderr).toMatch(
      /warning: the tokenizer has 1000 pieces but the model's vocabulary_size is 97/,
    );
    expect(report.lowercase).toBe(true);
    const [a, b] = await Promise.all([
      AlbertTokenizer.fromPreset(hf),
      AlbertTokenizer.fromPreset(dest),
    ]);
    const text = "The Quick brown fox, 1,000 times.";
    expect(b.lowercase).toBe(true);
    expect(b.tokenize(text)).toEqual(a.tokenize(text));
  });

  it("an uncased HF checkpoint gives a preset that tokenizes 'The' as 'the', whatever its folder's name", async () => {
    // The issue: do_lower_case lived only in the HF folder, so the KerasHub preset made "The" <unk>.
    const hf = hfWithTokenizer("hf_uncased", true);
    const dest = path.join(tmp.dir, "my_albert");
    const r = await runCli(["convert", hf, dest]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/tokenizer converted \(lowercase on, recorded in tokenizer\.json\)/);
    const tokenizer = await AlbertTokenizer.fromPreset(dest);
    expect(tokenizer.tokenizeToPieces("The")).toEqual(["▁the"]);
    expect(tokenizer.tokenize("The")).not.toContain(tokenizer.unkTokenId);
    const inspected = await runCli(["inspect", dest]);
    expect(inspected.stdout).toMatch(
      /^Tokenizer:\s+SentencePiece, 1000 pieces, lowercase on by default$/m,
    );
  });

  it("records do_lower_case: false too, and the casing of a KerasHub source it copies", async () => {
    const hf = hfWithTokenizer("hf_cased", false);
    const cased = path.join(tmp.dir, "cased_albert_en_uncased");
    const r = await runCli(["convert", hf, cased, "--json"]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { lowercase: boolean }).lowercase).toBe(false);
    const tokenizer = await AlbertTokenizer.fromPreset(cased);
    expect(tokenizer.lowercase).toBe(false); // the folder's name does not matter
    expect(tokenizer.tokenize("The")).toContain(tokenizer.unkTokenId); // KerasHub's ids

    const copied = path.join(tmp.dir, "copied_keras");
    const c = await runCli(["convert", testdataPath("tokenizer"), copied, "--json"]);
    expect(c.code).toBe(0);
    const report = JSON.parse(c.stdout) as { tokenizer: string; lowercase: boolean };
    expect(report).toMatchObject({ tokenizer: "copied", lowercase: false });
    const json = JSON.parse(readFileSync(path.join(copied, "tokenizer.json"), "utf8")) as {
      albert_ts: unknown;
    };
    expect(json.albert_ts).toEqual({ lowercase: false });
    expect(readFileSync(path.join(copied, "preprocessor.json"))).toEqual(
      readFileSync(testdataPath("tokenizer", "preprocessor.json")),
    );
  });

  it("refuses a non-empty destination unless --force", async () => {
    const dest = path.join(tmp.dir, "occupied");
    mkdirSync(dest);
    writeFileSync(path.join(dest, "notes.txt"), "mine");
    const refused = await runCli(["convert", HF_TINY, dest]);
    expect(refused.code).toBe(2);
    const { message, hint } = expectOneLineError(refused.stderrLines);
    expect(message).toBe(`${dest} already exists and is not empty`);
    expect(hint).toMatch(/--force/);
    const forced = await runCli(["convert", HF_TINY, dest, "--force", "--no-verify"]);
    expect(forced.code).toBe(0);
    expect((await readPreset(dest)).format).toBe("keras");
  });
});
