import { AlbertInputError, tf, type AlbertTokenClassifier } from "@albert/core";
import { chunked, padBatch } from "../batching.js";
import { argmax, softmax } from "../numeric.js";
import { checkOptionNames, choiceOption, integerOption, textList } from "../options.js";
import { makePipeline, type PipelineBase, type PipelineSettings } from "../pipeline-base.js";
import type { PipelineEncoding, PipelineTokenizer } from "../tokenizers/pipeline-tokenizer.js";

/** How tokens are merged: transformers' `aggregation_strategy`. */
export type AggregationStrategy = "none" | "simple" | "first" | "average" | "max";

/** One token (`aggregationStrategy: "none"`), with transformers' keys. */
export interface TokenEntity {
  entity: string;
  score: number;
  /** The token's position in the encoded input (`[CLS]` is 0). */
  index: number;
  /** The token as the vocabulary writes it (`▁the`). */
  word: string;
  start: number;
  end: number;
}

/** A group of adjacent tokens or words with one entity type, with transformers' keys. */
export interface EntityGroup {
  /** The entity without its `B-`/`I-` prefix. */
  entity_group: string;
  /** The mean score of its members. */
  score: number;
  /** Its tokens joined back into text. */
  word: string;
  start: number;
  end: number;
}

export type TokenClassificationResult = TokenEntity | EntityGroup;

export interface TokenClassificationOptions {
  /** Default `"none"`: one result per token. */
  aggregationStrategy?: AggregationStrategy;
  /** Entities (or groups) left out (default `["O"]`; `[]` keeps every label). */
  ignoreLabels?: readonly string[];
  /** Cover texts longer than the model in chunks overlapping by `stride` tokens (not with
   * `aggregationStrategy: "none"`), as transformers' `stride`. The chunks cover the whole
   * text, as with tokenizers 0.22 (tokenizers 0.23.1 and later stop at the first chunks,
   * huggingface/tokenizers#2091). */
  stride?: number;
  batchSize?: number;
}

export interface TokenClassificationPipeline extends PipelineBase<"token-classification", AlbertTokenClassifier> {
  (inputs: string, options?: TokenClassificationOptions): Promise<TokenClassificationResult[]>;
  (inputs: readonly string[], options?: TokenClassificationOptions): Promise<TokenClassificationResult[][]>;
}

const OPTIONS = ["aggregationStrategy", "ignoreLabels", "stride", "batchSize"];
const STRATEGIES: readonly AggregationStrategy[] = ["none", "simple", "first", "average", "max"];

/** A token with its scores, before aggregation (transformers' pre-entity). */
interface PreEntity {
  word: string;
  scores: Float64Array;
  start: number;
  end: number;
  index: number;
  isSubword: boolean;
}

/** A token or a word with one label. */
interface Scored {
  entity: string;
  score: number;
  index?: number;
  word: string;
  start: number;
  end: number;
}

/**
 * transformers' `token-classification` (`ner`) pipeline: a label per token, or merged into
 * words and entity groups by `aggregationStrategy`, with character offsets into the text.
 * Which pieces continue a word follows transformers' rule for tokenizers without a
 * continuing-subword prefix (ALBERT's): a piece continues a word when the character before it is
 * not a space.
 */
export function tokenClassificationPipeline(
  model: AlbertTokenClassifier,
  tokenizer: PipelineTokenizer,
  settings: PipelineSettings,
): TokenClassificationPipeline {
  const labels = Array.from({ length: model.numClasses }, (_, i) => model.id2label?.[i] ?? `LABEL_${i}`);
  const run = async (inputs: unknown, options?: TokenClassificationOptions) => {
    const o = checkOptionNames("token-classification", options, OPTIONS);
    const strategy = choiceOption(o["aggregationStrategy"], "aggregationStrategy", STRATEGIES, "none");
    const ignore = ignoreLabels(o["ignoreLabels"]);
    const batchSize = integerOption(o["batchSize"], "batchSize", settings.batchSize);
    const stride = o["stride"] === undefined ? undefined : integerOption(o["stride"], "stride", 0, 0);
    if (stride !== undefined && strategy === "none") {
      throw new AlbertInputError("invalid_value", "stride", 'stride covers the whole text in chunks, which needs aggregationStrategy other than "none" (as transformers)');
    }
    const { texts, single } = textList(inputs);
    const offsetUnit = settings.offsetUnit;
    // Every chunk of every text, run in batches.
    const chunks = texts.map((text) =>
      stride === undefined ? [tokenizer.encode(text, { offsetUnit })] : tokenizer.encodeChunks(text, { maxLength: tokenizer.maxLength, stride, offsetUnit }),
    );
    const flat = chunks.flatMap((list, t) => list.map((encoding) => ({ t, encoding })));
    const scores: Float64Array[][] = [];
    for (const batch of chunked(flat, batchSize)) {
      const encodings = batch.map((c) => c.encoding);
      const padded = padBatch(encodings, tokenizer.padTokenId, tokenizer.passesSegmentIds);
      const logits = model.predict(padded, { batchSize: batch.length });
      const values = logits.dataSync();
      tf.dispose(logits);
      encodings.forEach((e, b) => {
        scores.push(e.ids.map((_, i) => softmax(values, (b * padded.length + i) * labels.length, labels.length)));
      });
    }
    let next = 0;
    const results = texts.map((text, t) => {
      const characters = offsetUnit === "utf16" ? undefined : Array.from(text);
      const slice = (start: number, end: number) => (characters ? characters.slice(start, end).join("") : text.slice(start, end));
      const entities = chunks[t]!.flatMap((encoding) => {
        const pre = preEntities(encoding, scores[next++]!, tokenizer, slice);
        return aggregate(pre, strategy, labels, tokenizer).filter((e) => !ignore.includes("entity" in e ? e.entity : e.entity_group));
      });
      return chunks[t]!.length > 1 ? overlapping(entities) : entities;
    });
    return single ? results[0]! : results;
  };
  return makePipeline("token-classification", model, tokenizer, settings, run) as unknown as TokenClassificationPipeline;
}

function ignoreLabels(value: unknown): string[] {
  if (value === undefined) return ["O"];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new AlbertInputError("invalid_type", "ignoreLabels", `ignoreLabels must be an array of label strings, got ${JSON.stringify(value)?.slice(0, 80)}`);
  }
  return value as string[];
}

/** transformers' `gather_pre_entities`: the non-special tokens with their scores and spans. */
function preEntities(
  encoding: PipelineEncoding,
  scores: Float64Array[],
  tokenizer: PipelineTokenizer,
  slice: (start: number, end: number) => string,
): PreEntity[] {
  const out: PreEntity[] = [];
  const tokens = tokenizer.convertIdsToTokens(encoding.ids);
  encoding.ids.forEach((id, index) => {
    if (encoding.specialTokensMask[index] === 1) return;
    const [start, end] = encoding.offsets[index]!;
    let word = tokens[index]!;
    // No continuing-subword prefix in ALBERT's vocabulary: transformers' fallback rule.
    let isSubword = start > 0 && !slice(start - 1, start + 1).includes(" ");
    if (id === tokenizer.unkTokenId) {
      word = slice(start, end);
      isSubword = false;
    }
    out.push({ word, scores: scores[index]!, start, end, index, isSubword });
  });
  return out;
}

function aggregate(pre: PreEntity[], strategy: AggregationStrategy, labels: readonly string[], tokenizer: PipelineTokenizer): TokenClassificationResult[] {
  let entities: Scored[];
  if (strategy === "none" || strategy === "simple") {
    entities = pre.map((p) => {
      const best = argmax(p.scores);
      return { entity: labels[best]!, score: p.scores[best]!, index: p.index, word: p.word, start: p.start, end: p.end };
    });
    if (strategy === "none") return entities as TokenEntity[];
  } else {
    entities = words(pre).map((group) => aggregateWord(group, strategy, labels, tokenizer));
  }
  return groupEntities(entities, tokenizer);
}

/** Tokens grouped into words: a token that is not a subword starts a new word. */
function words(pre: PreEntity[]): PreEntity[][] {
  const out: PreEntity[][] = [];
  for (const p of pre) {
    if (out.length === 0 || !p.isSubword) out.push([p]);
    else out[out.length - 1]!.push(p);
  }
  return out;
}

/** transformers' `aggregate_word`: one label for a word, by `first`, `max` or `average`. */
function aggregateWord(group: PreEntity[], strategy: AggregationStrategy, labels: readonly string[], tokenizer: PipelineTokenizer): Scored {
  let scores: Float64Array;
  if (strategy === "first") scores = group[0]!.scores;
  else if (strategy === "max") {
    let best = group[0]!;
    // Python's max keeps the first of equal maxima.
    for (const p of group) if (Math.max(...p.scores) > Math.max(...best.scores)) best = p;
    scores = best.scores;
  } else {
    scores = new Float64Array(labels.length);
    for (const p of group) p.scores.forEach((s, i) => (scores[i] = scores[i]! + s / group.length));
  }
  const best = argmax(scores);
  return {
    entity: labels[best]!,
    score: scores[best]!,
    word: tokenizer.convertTokensToString(group.map((p) => p.word)),
    start: group[0]!.start,
    end: group[group.length - 1]!.end,
  };
}

/** `B-PER` → ["B", "PER"]; an entity without a prefix counts as `I-`. */
function tag(entity: string): [string, string] {
  if (entity.startsWith("B-")) return ["B", entity.slice(2)];
  if (entity.startsWith("I-")) return ["I", entity.slice(2)];
  return ["I", entity];
}

/** transformers' `group_entities`: adjacent tokens (or words) of one type, a `B-` starting anew. */
function groupEntities(entities: Scored[], tokenizer: PipelineTokenizer): EntityGroup[] {
  const groups: EntityGroup[] = [];
  let current: Scored[] = [];
  const close = () => {
    if (current.length === 0) return;
    const first = current[0]!;
    groups.push({
      // Python's `entity.split("-", 1)[-1]`.
      entity_group: first.entity.includes("-") ? first.entity.slice(first.entity.indexOf("-") + 1) : first.entity,
      score: current.reduce((sum, e) => sum + e.score, 0) / current.length,
      word: tokenizer.convertTokensToString(current.map((e) => e.word)),
      start: first.start,
      end: current[current.length - 1]!.end,
    });
  };
  for (const entity of entities) {
    if (current.length > 0) {
      const [bi, type] = tag(entity.entity);
      const [, lastType] = tag(current[current.length - 1]!.entity);
      if (type !== lastType || bi === "B") {
        close();
        current = [];
      }
    }
    current.push(entity);
  }
  close();
  return groups;
}

/** transformers' `aggregate_overlapping_entities`: of entities that overlap (chunks share
 * `stride` tokens), the longest, then the higher score. */
function overlapping(entities: TokenClassificationResult[]): TokenClassificationResult[] {
  if (entities.length === 0) return entities;
  const sorted = [...entities].sort((a, b) => a.start - b.start);
  const out: TokenClassificationResult[] = [];
  let previous = sorted[0]!;
  for (const entity of sorted) {
    if (previous.start <= entity.start && entity.start < previous.end) {
      const length = entity.end - entity.start;
      const previousLength = previous.end - previous.start;
      if (length > previousLength || (length === previousLength && entity.score > previous.score)) previous = entity;
    } else {
      out.push(previous);
      previous = entity;
    }
  }
  out.push(previous);
  return out;
}
