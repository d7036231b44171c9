// What HF transformers (v5) makes of a tokenizer directory, beyond tokenizer.json itself:
// tokenizer_config.json's special tokens, lengths and sides, and, for ALBERT, the tokenizer that
// `AlbertTokenizer.__init__` rebuilds from the file's vocabulary and its own settings.
import { TokenizerError, describeValue } from "../errors.js";
import type { Side } from "./encoding.js";
import { isJsonObject, type JsonObject } from "./json.js";

/** The special-token roles transformers knows (`SPECIAL_TOKENS_ATTRIBUTES`). */
export const SPECIAL_TOKEN_ROLES = ["bos", "eos", "unk", "sep", "pad", "cls", "mask"] as const;
export type SpecialTokenRole = (typeof SPECIAL_TOKEN_ROLES)[number];

/** An entry of tokenizer.json's `added_tokens` (the JSON form). */
export interface AddedTokenJson {
  id?: number;
  content: string;
  single_word?: boolean;
  lstrip?: boolean;
  rstrip?: boolean;
  normalized?: boolean;
  special?: boolean;
}

/** The files of a tokenizer directory that transformers reads besides tokenizer.json. */
export interface TokenizerDirectoryFiles {
  /** tokenizer_config.json */
  tokenizerConfig?: JsonObject;
  /** special_tokens_map.json (read by transformers only when tokenizer_config.json has no
   * `added_tokens_decoder`) */
  specialTokensMap?: JsonObject;
  /** config.json of the model (its `model_type` names the tokenizer class when
   * tokenizer_config.json does not) */
  modelConfig?: JsonObject;
}

/** What a tokenizer directory configures on top of tokenizer.json. */
export interface TransformersSettings {
  /** tokenizer.json as transformers' tokenizer class ends up with it. */
  tokenizerJson: JsonObject;
  /** Whether the model's scores come from Python (exact) rather than from the Rust JSON parser
   * (true when transformers' tokenizer class rebuilds the model from the vocabulary). */
  exactScores: boolean;
  /** Tokens transformers adds after loading (special tokens named in the config), in order. */
  extraAddedTokens: AddedTokenJson[];
  specialTokens: Partial<Record<SpecialTokenRole, string>>;
  modelMaxLength: number | undefined;
  paddingSide: Side;
  truncationSide: Side;
  cleanUpTokenizationSpaces: boolean;
  splitSpecialTokens: boolean;
}

/** transformers' stand-in for "no limit" (`VERY_LARGE_INTEGER`); treated as no limit here. */
const VERY_LARGE = 1e29;

/** AlbertTokenizer's defaults (transformers' `AlbertTokenizer.__init__`). */
const ALBERT_SPECIAL_TOKENS: Record<SpecialTokenRole, string> = {
  bos: "[CLS]",
  eos: "[SEP]",
  unk: "<unk>",
  sep: "[SEP]",
  pad: "<pad>",
  cls: "[CLS]",
  mask: "[MASK]",
};

/** A special token value of a config: a string or an AddedToken dict. */
function tokenValue(value: unknown, where: string): AddedTokenJson | string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === "string") return value;
  if (isJsonObject(value) && typeof value.content === "string") {
    return addedToken(value, where);
  }
  throw new TokenizerError(
    "invalid_preset",
    `${where} must be a string or an AddedToken object with a content, got ${describeValue(value)}`,
  );
}

function addedToken(value: JsonObject, where: string): AddedTokenJson {
  if (typeof value.content !== "string") {
    throw new TokenizerError(
      "invalid_preset",
      `${where}.content must be a string, got ${describeValue(value.content)}`,
    );
  }
  const out: AddedTokenJson = { content: value.content };
  for (const key of ["single_word", "lstrip", "rstrip", "normalized", "special"] as const) {
    const flag = value[key];
    if (flag === undefined || flag === null) continue;
    if (typeof flag !== "boolean") {
      throw new TokenizerError(
        "invalid_preset",
        `${where}.${key} must be a boolean, got ${describeValue(flag)}`,
      );
    }
    out[key] = flag;
  }
  return out;
}

/** A token as tokenizers' `AddedToken(content, special)` builds it: normalized unless special. */
function withDefaults(token: AddedTokenJson): Required<Omit<AddedTokenJson, "id">> {
  const special = token.special ?? false;
  return {
    content: token.content,
    single_word: token.single_word ?? false,
    lstrip: token.lstrip ?? false,
    rstrip: token.rstrip ?? false,
    normalized: token.normalized ?? !special,
    special,
  };
}

function contentOf(token: AddedTokenJson | string): string {
  return typeof token === "string" ? token : token.content;
}

function isAlbertDirectory(files: TokenizerDirectoryFiles): boolean {
  const tokenizerClass = files.tokenizerConfig?.tokenizer_class;
  if (typeof tokenizerClass === "string") {
    return tokenizerClass === "AlbertTokenizer" || tokenizerClass === "AlbertTokenizerFast";
  }
  return files.modelConfig?.model_type === "albert";
}

function side(value: unknown, key: string): Side {
  if (value === undefined || value === null) return "right";
  if (value === "right" || value === "left") return value;
  throw new TokenizerError(
    "invalid_preset",
    `tokenizer_config.json ${key} must be "right" or "left", got ${describeValue(value)}`,
  );
}

function flag(config: JsonObject, key: string, fallback: boolean): boolean {
  const value = config[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "boolean") {
    throw new TokenizerError(
      "invalid_preset",
      `tokenizer_config.json ${key} must be a boolean, got ${describeValue(value)}`,
    );
  }
  return value;
}

/** The first Precompiled charsmap among tokenizer.json's normalizers (as transformers finds it). */
export function precompiledCharsmap(normalizer: unknown): string | undefined {
  if (!isJsonObject(normalizer) && !Array.isArray(normalizer)) return undefined;
  const list: unknown[] = Array.isArray(normalizer)
    ? normalizer
    : normalizer.type === "Sequence" && Array.isArray(normalizer.normalizers)
      ? normalizer.normalizers
      : [normalizer];
  for (const item of list) {
    if (
      isJsonObject(item) &&
      item.type === "Precompiled" &&
      typeof item.precompiled_charsmap === "string"
    ) {
      return item.precompiled_charsmap;
    }
  }
  return undefined;
}

/**
 * ALBERT's tokenizer as transformers 5's `AlbertTokenizer.__init__` builds it from a
 * tokenizer.json: the file's vocabulary (unk_id 1, no byte fallback), charsmap and
 * post-processor, but normalizer, pre-tokenizer and decoder from `do_lower_case`,
 * `keep_accents` and `add_prefix_space`, and no added tokens (they come back from the config).
 */
function rebuildAlbert(json: JsonObject, config: JsonObject): JsonObject {
  const model = isJsonObject(json.model) ? json.model : {};
  const keepAccents = flag(config, "keep_accents", false);
  const lowercase = flag(config, "do_lower_case", true);
  const prependScheme = flag(config, "add_prefix_space", true) ? "always" : "never";
  const charsmap = precompiledCharsmap(json.normalizer);
  const normalizers: JsonObject[] = [
    { type: "Replace", pattern: { String: "``" }, content: '"' },
    { type: "Replace", pattern: { String: "''" }, content: '"' },
  ];
  if (!keepAccents) normalizers.push({ type: "NFKD" }, { type: "StripAccents" });
  if (lowercase) normalizers.push({ type: "Lowercase" });
  if (charsmap !== undefined)
    normalizers.push({ type: "Precompiled", precompiled_charsmap: charsmap });
  const metaspace = {
    type: "Metaspace",
    replacement: "\u2581",
    prepend_scheme: prependScheme,
    split: true,
  };
  return {
    ...json,
    added_tokens: [],
    normalizer: { type: "Sequence", normalizers },
    pre_tokenizer: { type: "Sequence", pretokenizers: [{ type: "WhitespaceSplit" }, metaspace] },
    decoder: metaspace,
    model: { type: "Unigram", unk_id: 1, vocab: model.vocab, byte_fallback: false },
  };
}

/** The template `AlbertTokenizer.__init__` sets, for a tokenizer.json without a post-processor. */
function albertTemplate(vocab: unknown, cls: string, sep: string): JsonObject {
  // The last entry wins, as in the Unigram model's piece -> id map.
  const idOf = (token: string): number => {
    if (!Array.isArray(vocab)) return -1;
    for (let id = vocab.length - 1; id >= 0; id--) {
      const entry: unknown = vocab[id];
      if (Array.isArray(entry) && entry[0] === token) return id;
    }
    return -1;
  };
  const clsId = idOf(cls);
  const sepId = idOf(sep);
  if (clsId < 0 || sepId < 0) {
    throw new TokenizerError(
      "missing_special_token",
      `tokenizer.json has no post_processor and its vocabulary lacks ${clsId < 0 ? cls : sep}, ` +
        "which ALBERT's template needs",
    );
  }
  const ids = [clsId, sepId];
  const special = (id: string, typeId: number) => ({ SpecialToken: { id, type_id: typeId } });
  const sequence = (id: string, typeId: number) => ({ Sequence: { id, type_id: typeId } });
  return {
    type: "TemplateProcessing",
    single: [special("[CLS]", 0), sequence("A", 0), special("[SEP]", 0)],
    pair: [
      special("[CLS]", 0),
      sequence("A", 0),
      special("[SEP]", 0),
      sequence("B", 1),
      special("[SEP]", 1),
    ],
    special_tokens: {
      "[CLS]": { id: "[CLS]", ids: [ids[0]], tokens: ["[CLS]"] },
      "[SEP]": { id: "[SEP]", ids: [ids[1]], tokens: ["[SEP]"] },
    },
  };
}

/**
 * What transformers' `AutoTokenizer.from_pretrained(dir)` (v5, tokenizers backend) sets up for
 * a directory with this tokenizer.json and these files.
 */
export function transformersSettings(
  tokenizerJson: JsonObject,
  files: TokenizerDirectoryFiles = {},
): TransformersSettings {
  const config: JsonObject = { ...(files.tokenizerConfig ?? {}) };
  const albert = isAlbertDirectory(files);

  // Special tokens: the config's, else (legacy) special_tokens_map.json's, else the class's.
  const decoderEntries = config.added_tokens_decoder;
  if (!isJsonObject(decoderEntries) && files.specialTokensMap !== undefined) {
    for (const [key, value] of Object.entries(files.specialTokensMap)) {
      if (config[key] === undefined || config[key] === null) config[key] = value;
    }
  }
  const named = new Map<SpecialTokenRole, AddedTokenJson | string>();
  for (const role of SPECIAL_TOKEN_ROLES) {
    const value = tokenValue(config[`${role}_token`], `tokenizer_config.json ${role}_token`);
    const fallback = albert ? ALBERT_SPECIAL_TOKENS[role] : undefined;
    const token = value ?? fallback;
    if (token !== undefined) named.set(role, token);
  }
  const extra: Array<AddedTokenJson | string> = [];
  const extraValue = config.extra_special_tokens ?? config.additional_special_tokens;
  if (Array.isArray(extraValue)) {
    extraValue.forEach((v, i) => {
      const token = tokenValue(v, `tokenizer_config.json extra_special_tokens[${i}]`);
      if (token !== undefined) extra.push(token);
    });
  }

  // The added tokens transformers registers: added_tokens_decoder (the config's, else the
  // file's added_tokens), by id.
  let decoded: AddedTokenJson[];
  if (isJsonObject(decoderEntries)) {
    decoded = Object.entries(decoderEntries)
      .map(([id, value]) => ({
        ...addedToken(value as JsonObject, `added_tokens_decoder.${id}`),
        id: Number(id),
      }))
      .sort((a, b) => a.id - b.id);
  } else {
    const fileTokens = Array.isArray(tokenizerJson.added_tokens) ? tokenizerJson.added_tokens : [];
    decoded = fileTokens.map((t, i) => {
      const token = addedToken(t as JsonObject, `tokenizer.json added_tokens[${i}]`);
      return { ...token, id: (t as JsonObject).id as number };
    });
  }
  // A named special token with the same text as an added token takes that token's flags.
  const byContent = new Map(decoded.map((t) => [t.content, t]));
  for (const [role, token] of named) {
    const same = byContent.get(contentOf(token));
    if (same !== undefined) named.set(role, same);
  }

  let json = tokenizerJson;
  const extraAddedTokens: AddedTokenJson[] = [];
  if (albert) {
    json = rebuildAlbert(tokenizerJson, config);
    if (tokenizerJson.post_processor === null || tokenizerJson.post_processor === undefined) {
      json.post_processor = albertTemplate(
        json.model && (json.model as JsonObject).vocab,
        contentOf(named.get("cls")!),
        contentOf(named.get("sep")!),
      );
    }
    extraAddedTokens.push(...decoded.map(({ id: _id, ...t }) => withDefaults(t)));
  } else if (isJsonObject(decoderEntries)) {
    extraAddedTokens.push(...decoded.map(({ id: _id, ...t }) => withDefaults(t)));
  }
  // Named and extra special tokens that are not added tokens yet join as special tokens.
  const present = new Set<string>([
    ...(albert
      ? []
      : (Array.isArray(json.added_tokens) ? json.added_tokens : []).map((t) =>
          String((t as JsonObject).content),
        )),
    ...extraAddedTokens.map((t) => t.content),
  ]);
  for (const token of [...named.values(), ...extra]) {
    const content = contentOf(token);
    if (present.has(content)) continue;
    present.add(content);
    extraAddedTokens.push(
      withDefaults(
        typeof token === "string" ? { content, special: true } : { ...token, special: true },
      ),
    );
  }

  const specialTokens: Partial<Record<SpecialTokenRole, string>> = {};
  for (const [role, token] of named) specialTokens[role] = contentOf(token);
  const maxLength = config.model_max_length ?? config.max_len;
  return {
    tokenizerJson: json,
    exactScores: albert,
    extraAddedTokens,
    specialTokens,
    modelMaxLength: typeof maxLength === "number" && maxLength < VERY_LARGE ? maxLength : undefined,
    paddingSide: side(config.padding_side, "padding_side"),
    truncationSide: side(config.truncation_side, "truncation_side"),
    cleanUpTokenizationSpaces: flag(config, "clean_up_tokenization_spaces", false),
    splitSpecialTokens: flag(config, "split_special_tokens", false),
  };
}
