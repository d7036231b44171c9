import { TokenizerError, describeValue } from "../errors.js";
import { Encoding, mergeEncodings } from "./encoding.js";
import { field, isJsonObject, jsonObject } from "./json.js";
import { unsupported } from "./normalizers.js";

type Piece =
  | { kind: "sequence"; index: 0 | 1; typeId: number }
  | { kind: "special"; name: string; typeId: number };

interface SpecialTokenIds {
  ids: number[];
  tokens: string[];
}

function parseTemplate(value: unknown, where: string): Piece[] {
  if (!Array.isArray(value)) {
    throw new TokenizerError(
      "invalid_model",
      `${where} must be an array, got ${describeValue(value)}`,
    );
  }
  return value.map((item, i): Piece => {
    const at = `${where}[${i}]`;
    const piece = jsonObject(item, at);
    if (isJsonObject(piece.Sequence)) {
      const id = field(piece.Sequence, "id", "string", `${at}.Sequence`);
      if (id !== "A" && id !== "B") {
        throw new TokenizerError(
          "invalid_model",
          `${at}.Sequence.id must be "A" or "B", got ${describeValue(id)}`,
        );
      }
      return {
        kind: "sequence",
        index: id === "A" ? 0 : 1,
        typeId: field(piece.Sequence, "type_id", "number", `${at}.Sequence`),
      };
    }
    if (isJsonObject(piece.SpecialToken)) {
      return {
        kind: "special",
        name: field(piece.SpecialToken, "id", "string", `${at}.SpecialToken`),
        typeId: field(piece.SpecialToken, "type_id", "number", `${at}.SpecialToken`),
      };
    }
    throw new TokenizerError(
      "invalid_model",
      `${at} must hold a Sequence or a SpecialToken, got ${describeValue(item)}`,
    );
  });
}

/**
 * `TemplateProcessing`: puts the special tokens around one sequence or a pair as its templates
 * say (ALBERT: `[CLS] $A [SEP]` and `[CLS] $A [SEP] $B:1 [SEP]:1`), merging the overflowing
 * pieces with them.
 */
export class TemplateProcessing {
  private readonly single: Piece[];
  private readonly pair: Piece[];
  private readonly specialTokens = new Map<string, SpecialTokenIds>();
  readonly addedSingle: number;
  readonly addedPair: number;

  constructor(json: Record<string, unknown>, where: string) {
    this.single = parseTemplate(json.single, `${where}.single`);
    this.pair = parseTemplate(json.pair, `${where}.pair`);
    const specials = jsonObject(json.special_tokens ?? {}, `${where}.special_tokens`);
    for (const [name, value] of Object.entries(specials)) {
      const at = `${where}.special_tokens.${name}`;
      const entry = jsonObject(value, at);
      const ids = field(entry, "ids", "array", at);
      const tokens = field(entry, "tokens", "array", at);
      if (
        ids.length !== tokens.length ||
        !ids.every((id) => Number.isInteger(id)) ||
        !tokens.every((t) => typeof t === "string")
      ) {
        throw new TokenizerError(
          "invalid_model",
          `${at} must have as many integer ids as string tokens`,
        );
      }
      this.specialTokens.set(field(entry, "id", "string", at), {
        ids: ids as number[],
        tokens: tokens as string[],
      });
    }
    const added = (template: Piece[]) =>
      template.reduce((sum, p) => {
        if (p.kind === "sequence") return sum;
        const special = this.specialTokens.get(p.name);
        if (special === undefined) {
          throw new TokenizerError(
            "invalid_model",
            `${where}: the template uses special token ${JSON.stringify(p.name)}, which special_tokens lacks`,
          );
        }
        return sum + special.ids.length;
      }, 0);
    this.addedSingle = added(this.single);
    this.addedPair = added(this.pair);
  }

  /** The number of tokens the template adds. */
  addedTokens(isPair: boolean): number {
    return isPair ? this.addedPair : this.addedSingle;
  }

  /** `PostProcessor::process` with this template. */
  process(encoding: Encoding, pair: Encoding | undefined, addSpecialTokens: boolean): Encoding {
    const encodings = pair === undefined ? [encoding] : [encoding, pair];
    encodings.forEach((e, i) => {
      e.setSequenceId(i);
      for (const o of e.overflowing) o.setSequenceId(i);
      e.typeIds = new Array<number>(e.length).fill(i);
    });
    const template = pair === undefined ? this.single : this.pair;
    const parts: Encoding[] = [];
    for (const piece of template) {
      if (piece.kind === "sequence") {
        const e = encodings[piece.index];
        if (e === undefined) {
          throw new TokenizerError(
            "invalid_model",
            "the single-sequence template refers to sequence B",
          );
        }
        e.typeIds = new Array<number>(e.length).fill(piece.typeId);
        e.setSequenceId(piece.index);
        parts.push(e.clone());
      } else if (addSpecialTokens) {
        const { ids, tokens } = this.specialTokens.get(piece.name)!;
        const special = new Encoding();
        special.ids = [...ids];
        special.typeIds = ids.map(() => piece.typeId);
        special.tokens = [...tokens];
        special.words = ids.map(() => null);
        special.offsets = ids.map((): [number, number] => [0, 0]);
        special.specialTokensMask = ids.map(() => 1);
        special.attentionMask = ids.map(() => 1);
        parts.push(special);
      }
    }
    return mergeEncodings(parts);
  }
}

/** The post-processor of a tokenizer.json `post_processor` value (`null`: none). */
export function buildPostProcessor(
  value: unknown,
  where = "post_processor",
): TemplateProcessing | undefined {
  if (value === null || value === undefined) return undefined;
  const json = jsonObject(value, where);
  const type = field(json, "type", "string", where);
  if (type !== "TemplateProcessing")
    throw unsupported(`${where}: post-processor type ${JSON.stringify(type)}`);
  return new TemplateProcessing(json, where);
}

/** Without a post-processor (`default_process`): a pair is merged as it is. */
export function defaultProcess(encoding: Encoding, pair: Encoding | undefined): Encoding {
  if (pair === undefined) return encoding;
  const out = new Encoding();
  [encoding, pair].forEach((e, i) => {
    e.setSequenceId(i);
    out.mergeWith(e);
  });
  return out;
}
