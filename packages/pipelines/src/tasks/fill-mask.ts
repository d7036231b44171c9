import { AlbertInputError, tf, type AlbertMaskedLM } from "@albert/core";
import { chunked, padBatch } from "../batching.js";
import { softmax, topK as topIndices } from "../numeric.js";
import { checkOptionNames, integerOption, textList } from "../options.js";
import { makePipeline, type PipelineBase, type PipelineSettings } from "../pipeline-base.js";
import type { PipelineEncoding, PipelineTokenizer } from "../tokenizers/pipeline-tokenizer.js";

/** One candidate for a `[MASK]`, with transformers' keys. */
export interface FillMaskResult {
  /** Its probability (softmax over the vocabulary at the mask). */
  score: number;
  /** Its token id. */
  token: number;
  /** The token, decoded. */
  token_str: string;
  /** The input with the mask replaced by it, decoded (special tokens kept when the input has
   * several masks, as transformers does). */
  sequence: string;
}

/** A text's candidates: one list, or one list per mask when it has several. */
export type FillMaskOutput = FillMaskResult[] | FillMaskResult[][];

export interface FillMaskOptions {
  /** Candidates per mask (default 5). */
  topK?: number;
  /** Score only these tokens (vocabulary entries; other strings: their first token). */
  targets?: string | readonly string[];
  batchSize?: number;
}

export interface FillMaskPipeline extends PipelineBase<"fill-mask", AlbertMaskedLM> {
  /** The candidates for the mask(s) of a text. */
  (inputs: string, options?: FillMaskOptions): Promise<FillMaskOutput>;
  /** One output per text (a list of one text gives that text's output, as transformers). */
  (inputs: readonly string[], options?: FillMaskOptions): Promise<FillMaskOutput | FillMaskOutput[]>;
}

const OPTIONS = ["topK", "targets", "batchSize"];

/** Target token ids, deduplicated (transformers' `get_target_ids`). */
function targetIds(targets: unknown, tokenizer: PipelineTokenizer): number[] | undefined {
  if (targets === undefined) return undefined;
  const list = typeof targets === "string" ? [targets] : targets;
  if (!Array.isArray(list) || list.length === 0 || list.some((t) => typeof t !== "string")) {
    throw new AlbertInputError("invalid_value", "targets", `targets must be a string or a non-empty array of strings, got ${JSON.stringify(targets)?.slice(0, 80)}`);
  }
  const ids: number[] = [];
  for (const target of list as string[]) {
    const id = tokenizer.tokenToId(target) ?? tokenizer.encode(target).ids.find((_, i, all) => i > 0 && i < all.length - 1);
    if (id !== undefined && !ids.includes(id)) ids.push(id);
  }
  if (ids.length === 0) {
    throw new AlbertInputError("invalid_value", "targets", `none of the targets ${JSON.stringify(list)} is in the vocabulary or tokenizes to a token`);
  }
  return ids;
}

/**
 * transformers' `fill-mask` pipeline: for each `[MASK]` of a text, the `topK` most likely tokens
 * with their probability, id, text and the completed sequence.
 */
export function fillMaskPipeline(model: AlbertMaskedLM, tokenizer: PipelineTokenizer, settings: PipelineSettings): FillMaskPipeline {
  const maskId = tokenizer.maskTokenId;
  if (maskId === undefined) {
    throw new AlbertInputError("invalid_value", "tokenizer", "fill-mask needs a tokenizer with a mask token ([MASK])");
  }
  const run = async (inputs: unknown, options?: FillMaskOptions) => {
    const o = checkOptionNames("fill-mask", options, OPTIONS);
    const { texts, single } = textList(inputs);
    const batchSize = integerOption(o["batchSize"], "batchSize", settings.batchSize);
    const targets = targetIds(o["targets"], tokenizer);
    const k = Math.min(integerOption(o["topK"], "topK", 5), targets?.length ?? Infinity);
    const encodings = texts.map((text, i) => {
      const e = tokenizer.encode(text);
      if (!e.ids.includes(maskId)) {
        throw new AlbertInputError("invalid_value", `inputs${single ? "" : `[${i}]`}`, `No mask_token (${tokenizer.maskToken}) found on the input: ${JSON.stringify(text).slice(0, 80)}`);
      }
      return e;
    });
    const outputs: FillMaskOutput[] = [];
    for (const batch of chunked(encodings, batchSize)) outputs.push(...fillBatch(model, tokenizer, batch, maskId, k, targets));
    return single || outputs.length === 1 ? outputs[0]! : outputs;
  };
  return makePipeline("fill-mask", model, tokenizer, settings, run) as unknown as FillMaskPipeline;
}

function fillBatch(
  model: AlbertMaskedLM,
  tokenizer: PipelineTokenizer,
  batch: readonly PipelineEncoding[],
  maskId: number,
  k: number,
  targets: number[] | undefined,
): FillMaskOutput[] {
  const padded = padBatch(batch, tokenizer.padTokenId, tokenizer.passesSegmentIds);
  const positions = batch.map((e) => e.ids.flatMap((id, i) => (id === maskId ? [i] : [])));
  const width = Math.max(...positions.map((p) => p.length));
  // Logits only at the masks (padded with position 0, whose logits are not read).
  const maskPositions = positions.map((p) => [...p, ...Array<number>(width - p.length).fill(0)]);
  const logits = model.predict({ ...padded, maskPositions }, { batchSize: batch.length });
  const values = logits.dataSync();
  const vocabulary = logits.shape[2];
  tf.dispose(logits);
  return batch.map((encoding, b) => {
    const singleMask = positions[b]!.length === 1;
    const rows = positions[b]!.map((position, m) => {
      const probs = softmax(values, (b * width + m) * vocabulary, vocabulary);
      const scores = targets === undefined ? probs : Float64Array.from(targets, (t) => probs[t]!);
      return topIndices(scores, k).map((i): FillMaskResult => {
        const token = targets === undefined ? i : targets[i]!;
        const ids = encoding.ids.map((id, j) => (j === position ? token : id)).filter((id) => id !== tokenizer.padTokenId);
        return {
          score: scores[i]!,
          token,
          token_str: tokenizer.decode([token]),
          sequence: tokenizer.decode(ids, { skipSpecialTokens: singleMask }),
        };
      });
    });
    return singleMask ? rows[0]! : rows;
  });
}
