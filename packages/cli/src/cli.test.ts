import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BACKEND_NAMES } from "@albert/backends";
import { testdataPath } from "@albert/test-utils";
import { BACKEND_CHOICES } from "./backend-options.js";
import { expectOneLineError, runCli, tempDir } from "./test-utils/run-cli.js";

const COMMANDS = ["encode", "presets", "inspect", "convert", "doctor", "bench", "train"];
const version = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;
const tmp = tempDir("usage");
afterAll(() => tmp.cleanup());

describe("albert: help and version", () => {
  it("prints the overview with every command, exit 0", async () => {
    const r = await runCli(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    for (const command of COMMANDS) expect(r.stdout).toContain(`  ${command} `);
    expect(r.stdout).toContain("Exit codes: 0 success, 1 failure, 2 usage error");
  });

  it.each(COMMANDS)("`albert %s --help` describes the command, exit 0", async (command) => {
    const r = await runCli([command, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: albert ${command} `));
    expect(r.stderr).toBe("");
  });

  it("`albert help encode` is `albert encode --help`", async () => {
    const [a, b] = await Promise.all([runCli(["help", "encode"]), runCli(["encode", "--help"])]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
  });

  it("--version prints the package version", async () => {
    const r = await runCli(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });

  it("offers the backends @albert/backends knows", () => {
    expect([...BACKEND_CHOICES]).toEqual([...BACKEND_NAMES]);
  });
});

describe("albert: usage errors exit 2 with one line and a hint", () => {
  it("no command: the help on stderr, nothing on stdout", async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("Usage: albert");
  });

  const cases: [string, string[], RegExp][] = [
    ["an unknown command", ["encdoe"], /unknown command 'encdoe'.*Did you mean encode\?/],
    ["an unknown option", ["presets", "--colour"], /unknown option '--colour'/],
    ["a missing --preset", ["encode", "hello"], /required option '-p, --preset <handle>'/],
    [
      "a bad --pooling",
      ["encode", "-p", "x", "--pooling", "max", "a"],
      /Allowed choices are cls, mean/,
    ],
    [
      "a bad --backend",
      ["encode", "-p", "x", "--backend", "gpu", "a"],
      /Allowed choices are auto, /,
    ],
    ["a zero --batch-size", ["encode", "-p", "x", "--batch-size", "0", "a"], /whole number >= 1/],
    [
      "a --sequence-length with no room for [CLS] and [SEP]",
      ["encode", "-p", "x", "--sequence-length", "1", "a"],
      /'--sequence-length <n>' argument '1' is invalid\. expected a whole number >= 2 \(room for \[CLS\] and \[SEP\]\)/,
    ],
    ["a non-numeric --threads", ["encode", "-p", "x", "--threads", "two", "a"], /whole number/],
    ["a missing argument", ["convert", "only-one"], /missing required argument 'dest'/],
    ["an extra argument", ["inspect", "a", "b"], /too many arguments/],
  ];
  it.each(cases)("%s", async (_name, args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const { message: line, hint } = expectOneLineError(r.stderrLines);
    expect(line).toMatch(message);
    expect(hint).toMatch(/^run `albert .*--help` for usage$/);
  });

  it("an unknown preset name, with a hint listing where presets come from", async () => {
    const r = await runCli(["encode", "--preset", "albert_tiny_en", "hello"]);
    expect(r.code).toBe(2);
    const { message, hint } = expectOneLineError(r.stderrLines);
    expect(message).toMatch(/Unknown preset 'albert_tiny_en'.*albert_base_en_uncased/);
    expect(hint).toMatch(/albert presets/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("an unsupported handle scheme", async () => {
    const r = await runCli(["inspect", "s3://bucket/albert"]);
    expect(r.code).toBe(2);
    expect(expectOneLineError(r.stderrLines).message).toMatch(
      /Unsupported preset handle scheme 's3:\/\/'/,
    );
  });

  it("TEXT arguments and --input together", async () => {
    const r = await runCli(["encode", "-p", testdataPath("tokenizer"), "--input", "x.jsonl", "a"]);
    expect(r.code).toBe(2);
    expect(expectOneLineError(r.stderrLines)).toEqual({
      message: "give TEXT arguments or --input, not both",
      hint: "Put the texts in the --input file, or drop --input.",
    });
  });

  it("an --input file that does not exist", async () => {
    const r = await runCli(
      ["encode", "-p", testdataPath("tokenizer"), "--input", "missing.jsonl"],
      {
        cwd: tmp.dir,
      },
    );
    expect(r.code).toBe(2);
    expect(expectOneLineError(r.stderrLines)).toEqual({
      message: "--input missing.jsonl: no such file",
      hint: `Paths are relative to the current folder, ${tmp.dir}; \`--input -\` reads stdin.`,
    });
  });

  it("bench options are checked by the harness's own parser", async () => {
    const r = await runCli(["bench", "--fastest"]);
    expect(r.code).toBe(2);
    expect(expectOneLineError(r.stderrLines).message).toMatch(/Unknown option "--fastest"/);
  });
});

describe("albert: runtime failures exit 1 with one line", () => {
  it("a preset folder that does not exist", async () => {
    const r = await runCli(["inspect", "./no_such_preset"], { cwd: tmp.dir });
    expect(r.code).toBe(1);
    const { message, hint } = expectOneLineError(r.stderrLines);
    expect(message).toBe(`Preset directory ${path.join(tmp.dir, "no_such_preset")} does not exist`);
    expect(hint).toBeDefined();
  });

  it("a malformed JSON line names its line number (before any model loads)", async () => {
    const input = path.join(tmp.dir, "bad.jsonl");
    writeFileSync(input, '"fine"\n\n{"text": 3}\n');
    const r = await runCli(["encode", "-p", "./nowhere", "--input", input]);
    expect(r.code).toBe(1);
    const { message, hint } = expectOneLineError(r.stderrLines);
    expect(message).toBe(`${input} line 3: "text" must be a string, got 3`);
    expect(hint).toMatch(/text_a/);
  });

  it("plain text on stdin without --input-format text", async () => {
    const r = await runCli(["encode", "-p", "./nowhere"], { stdin: "just words\n" });
    expect(r.code).toBe(1);
    expect(expectOneLineError(r.stderrLines).message).toMatch(
      /^stdin line 1: not valid JSON \(just words\).*--input-format text/,
    );
  });

  it("offline, a remote preset not in the cache", async () => {
    const home = tempDir("home");
    try {
      const r = await runCli(["inspect", "hf://albert/albert-base-v2"], {
        env: { ALBERT_HOME: home.dir, ALBERT_OFFLINE: "1" },
      });
      expect(r.code).toBe(1);
      const { message, hint } = expectOneLineError(r.stderrLines);
      expect(message).toMatch(/albert\/albert-base-v2/);
      expect(hint).toMatch(/ALBERT_OFFLINE/);
    } finally {
      home.cleanup();
    }
  });

  it("--verbose and ALBERT_DEBUG=1 add the stack trace", async () => {
    const [verbose, debug] = await Promise.all([
      runCli(["inspect", "./no_such_preset", "--verbose"], { cwd: tmp.dir }),
      runCli(["inspect", "./no_such_preset"], { cwd: tmp.dir, env: { ALBERT_DEBUG: "1" } }),
    ]);
    for (const r of [verbose, debug]) {
      expect(r.code).toBe(1);
      expect(r.stderrLines[0]).toMatch(/^albert: Preset directory/);
      expect(r.stderr).toMatch(/\n\s+at resolvePreset/);
    }
  });
});

describe("albert encode: no input is a usage error (exit 2), before any model loads", () => {
  const hint =
    "Give TEXT arguments, --input FILE, or JSON lines on stdin: " +
    "echo '\"The quick brown fox.\"' | albert encode --preset albert_base_en_uncased";

  it.each([
    ["empty stdin", "", "no input: stdin is empty"],
    ["blank lines on stdin", "\n \n\r\n", "no input: stdin holds only blank lines"],
  ])("%s", async (_name, stdin, message) => {
    const r = await runCli(["encode", "-p", "./nowhere"], { stdin });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(expectOneLineError(r.stderrLines)).toEqual({ message, hint });
  });

  it("an empty --input file", async () => {
    const input = path.join(tmp.dir, "empty.jsonl");
    writeFileSync(input, "");
    const r = await runCli(["encode", "-p", "./nowhere", "--input", input]);
    expect(r.code).toBe(2);
    expect(expectOneLineError(r.stderrLines)).toEqual({
      message: `no input: ${input} is empty`,
      hint,
    });
  });
});

describe("albert encode: input that is not UTF-8 is refused, naming the line", () => {
  // "café" in Latin-1: é is the single byte 0xE9, which UTF-8 never allows before a quote.
  const latin1 = Buffer.concat([
    Buffer.from('"fine"\n\n"caf', "utf8"),
    Buffer.from([0xe9]),
    Buffer.from(' au lait"\n', "utf8"),
  ]);
  const hint = "The input must be UTF-8 text: convert it first, e.g. `iconv -f latin1 -t utf-8`.";

  it("on stdin (exit 1, before any model loads)", async () => {
    const r = await runCli(["encode", "-p", "./nowhere"], { stdin: latin1 });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(expectOneLineError(r.stderrLines)).toEqual({
      message: 'stdin line 3: not valid UTF-8 (\uFFFD below marks the bytes): "caf\uFFFD au lait"',
      hint,
    });
  });

  it("in an --input file, plain text lines too", async () => {
    const input = path.join(tmp.dir, "latin1.txt");
    writeFileSync(input, latin1);
    const r = await runCli([
      "encode",
      "-p",
      "./nowhere",
      "--input",
      input,
      "--input-format",
      "text",
    ]);
    expect(r.code).toBe(1);
    expect(expectOneLineError(r.stderrLines).message).toBe(
      `${input} line 3: not valid UTF-8 (\uFFFD below marks the bytes): "caf\uFFFD au lait"`,
    );
  });

  it("while UTF-8 with a byte order mark, as Windows editors save it, is read", async () => {
    const r = await runCli(["encode", "-p", testdataPath("tokenizer")], {
      stdin: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('"café au lait"\n')]),
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ index: 0, text: "café au lait" });
  });
});

describe("albert: a broken preset gets one line and a hint (exit 1)", () => {
  /** A copy of the committed preset with one file replaced. */
  function brokenPreset(name: string, file: string, content: string | Buffer): string {
    const dir = path.join(tmp.dir, name);
    cpSync(testdataPath("tokenizer"), dir, { recursive: true });
    writeFileSync(path.join(dir, file), content);
    return dir;
  }
  const config = JSON.parse(
    readFileSync(testdataPath("tokenizer", "config.json"), "utf8"),
  ) as Record<string, unknown> & { config: Record<string, unknown> };
  const weights = readFileSync(testdataPath("tokenizer", "model.weights.h5"));

  const cases: [string, string, string | Buffer, RegExp, RegExp][] = [
    [
      "a truncated model.weights.h5",
      "model.weights.h5",
      weights.subarray(0, 3000),
      /model\.weights\.h5 is not a readable HDF5 weights file: truncated file/,
      /^The file is damaged or incomplete .*copy or download the preset again/,
    ],
    [
      "a model.weights.h5 that is not HDF5",
      "model.weights.h5",
      "not an h5 file",
      /model\.weights\.h5 is not a readable HDF5 weights file: file signature not found/,
      /^The file is damaged or incomplete/,
    ],
    [
      "a config.json that is not JSON",
      "config.json",
      "{not json",
      /config\.json is not valid JSON/,
      /^Fix or replace the file: a preset's config\.json is the JSON that KerasHub's save_to_preset/,
    ],
    [
      "a config that cannot be built",
      "config.json",
      JSON.stringify({ ...config, config: { ...config.config, num_heads: 3 } }),
      /config\.json has an invalid ALBERT config: hidden_dim=16 \(allowed: a multiple of num_heads \(3\)\)/,
      /^The config does not describe an ALBERT model that can be built; .*albert inspect albert_base_en_uncased --no-weights/,
    ],
    [
      "a config registered as another KerasHub model",
      "config.json",
      JSON.stringify({ ...config, registered_name: "keras_hub>BertBackbone" }),
      /config\.json has registered_name "keras_hub>BertBackbone", another model; allowed: "keras_hub>AlbertBackbone"/,
      /^albert reads KerasHub AlbertBackbone presets and HF transformers ALBERT checkpoints/,
    ],
  ];
  it.each(cases)("%s: inspect and encode", async (name, file, content, message, hint) => {
    const dir = brokenPreset(name.replace(/\W+/g, "-"), file, content);
    for (const args of [
      ["inspect", dir],
      ["encode", "-p", dir, "hello"],
    ]) {
      const r = await runCli(args);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stdout).toBe("");
      const error = expectOneLineError(r.stderrLines);
      expect(error.message).toMatch(message);
      expect(error.hint).toMatch(hint);
    }
  });
});

describe("albert doctor and bench", () => {
  it("doctor reports the backends, the cache and the settings, exit 0", async () => {
    const home = path.join(tmp.dir, "doctor-home");
    const [text, json] = await Promise.all([
      runCli(["doctor"], { env: { ALBERT_HOME: home } }),
      runCli(["doctor", "--json"], { env: { ALBERT_HOME: home } }),
    ]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Backend\s+Available\s+Version/);
    expect(text.stdout).toContain(`Preset cache: ${home} (not created yet)`);
    expect(text.stdout).toContain(`  ALBERT_HOME=${home}`);
    const report = JSON.parse(json.stdout) as {
      backends: { name: string; available: boolean }[];
      auto: string;
      cache: { dir: string };
    };
    expect(report.backends.find((b) => b.name === "cpu")?.available).toBe(true);
    expect(report.cache.dir).toBe(home);
  });

  it("bench --help shows the harness's options (or says it is not installed)", async () => {
    const r = await runCli(["bench", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: albert bench \[options\]/);
    const harness = existsSync(new URL("../../../bench/dist/index.js", import.meta.url));
    expect(r.stdout).toMatch(harness ? /--quick/ : /not installed/);
  });
});
