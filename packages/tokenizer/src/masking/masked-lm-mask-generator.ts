import { TokenizerError, describeValue } from "../errors.js";
import { PythonRandom } from "./python-random.js";

/** Options of `new MaskedLMMaskGenerator(...)`: KerasHub's arguments in camelCase. */
export interface MaskedLMMaskGeneratorOptions {
  /** Size of the vocabulary; random replacements are drawn uniformly from `[0, vocabularySize)`. */
  vocabularySize: number;
  /** Probability that an eligible token is selected for masking. */
  maskSelectionRate: number;
  /** The id that replaces a selected token with probability `maskTokenRate`. */
  maskTokenId: number;
  /**
   * At most this many tokens are selected per row (a random subset, kept in position order, when
   * more were drawn); the outputs `maskPositions`, `maskIds` and `maskWeights` are padded with 0
   * to this length.
   */
  maskSelectionLength: number;
  /** Ids never selected. Default `[0]` (KerasHub's: padding). */
  unselectableTokenIds?: readonly number[];
  /** Probability that a selected token becomes `maskTokenId`. Default 0.8. */
  maskTokenRate?: number;
  /**
   * Probability that a selected token becomes a uniform random id (special ids included); the
   * rest, `1 - maskTokenRate - randomTokenRate`, stay unchanged. Default 0.1.
   */
  randomTokenRate?: number;
  /**
   * Seeds the random draws. The same seed gives the same masks on every run, and the masks
   * KerasHub's eager path gives after Python's `random.seed(seed)`. Default: a random seed.
   */
  seed?: number;
}

/** The masked rows and where they were masked. */
export interface MaskedLMMaskGeneratorOutput {
  /** The input rows with the selected tokens replaced. */
  tokenIds: number[][];
  /** Positions of the selected tokens, ascending, padded with 0 to `maskSelectionLength`. */
  maskPositions: number[][];
  /** The original ids at `maskPositions` (0 for padding). */
  maskIds: number[][];
  /** 1 for a selected position, 0 for padding. */
  maskWeights: number[][];
}

/**
 * KerasHub's `MaskedLMMaskGenerator` (its eager Python path, `_call_python`): BERT's masking.
 * For each row, every position whose id is not in `unselectableTokenIds` is selected with
 * probability `maskSelectionRate`; if more than `maskSelectionLength` were selected, a random
 * subset of that size is kept. Each selected token becomes `maskTokenId` with probability
 * `maskTokenRate`, a random id with probability `randomTokenRate`, and stays otherwise.
 *
 * The draws are Python's (`PythonRandom`), in KerasHub's order, so with a `seed` the masks equal
 * KerasHub's after `random.seed(seed)`. Each `call` continues the stream: two calls give
 * different masks, and a generator built with the same seed repeats them.
 *
 * ```ts
 * const masker = new MaskedLMMaskGenerator({
 *   vocabularySize: 1000, maskSelectionRate: 0.15, maskTokenId: 4, maskSelectionLength: 6,
 *   unselectableTokenIds: [0, 2, 3, 4], seed: 42,
 * });
 * const { tokenIds, maskPositions, maskIds, maskWeights } = masker.call([[2, 32, 36, 572, 3, 0]]);
 * ```
 */
export class MaskedLMMaskGenerator {
  readonly vocabularySize: number;
  readonly maskSelectionRate: number;
  readonly maskTokenId: number;
  readonly maskSelectionLength: number;
  readonly unselectableTokenIds: readonly number[];
  readonly maskTokenRate: number;
  readonly randomTokenRate: number;
  readonly seed: number | undefined;
  private readonly unselectable: ReadonlySet<number>;
  private readonly rng: PythonRandom;

  constructor(options: MaskedLMMaskGeneratorOptions) {
    if (options === null || typeof options !== "object") {
      throw new TokenizerError(
        "invalid_argument",
        `MaskedLMMaskGenerator options must be an object, got ${describeValue(options)}`,
      );
    }
    const {
      vocabularySize,
      maskSelectionRate,
      maskTokenId,
      maskSelectionLength,
      unselectableTokenIds = [0],
      maskTokenRate = 0.8,
      randomTokenRate = 0.1,
      seed,
    } = options;
    checkInteger("vocabularySize", vocabularySize, 1);
    checkInteger("maskSelectionLength", maskSelectionLength, 1);
    checkInteger("maskTokenId", maskTokenId, 0);
    if (maskTokenId >= vocabularySize) {
      throw new TokenizerError(
        "invalid_argument",
        `maskTokenId must be in [0, vocabularySize - 1] = [0, ${vocabularySize - 1}], got ${maskTokenId}`,
      );
    }
    checkRate("maskSelectionRate", maskSelectionRate);
    checkRate("maskTokenRate", maskTokenRate);
    checkRate("randomTokenRate", randomTokenRate);
    if (maskTokenRate + randomTokenRate > 1) {
      throw new TokenizerError(
        "invalid_argument",
        `maskTokenRate + randomTokenRate must be at most 1, got ${maskTokenRate} + ${randomTokenRate}`,
      );
    }
    if (
      !Array.isArray(unselectableTokenIds) ||
      !unselectableTokenIds.every((id) => Number.isInteger(id))
    ) {
      throw new TokenizerError(
        "invalid_argument",
        `unselectableTokenIds must be an array of integer ids, got ${describeValue(unselectableTokenIds)}`,
      );
    }
    this.vocabularySize = vocabularySize;
    this.maskSelectionRate = maskSelectionRate;
    this.maskTokenId = maskTokenId;
    this.maskSelectionLength = maskSelectionLength;
    this.unselectableTokenIds = [...unselectableTokenIds];
    this.unselectable = new Set(unselectableTokenIds);
    this.maskTokenRate = maskTokenRate;
    this.randomTokenRate = randomTokenRate;
    this.seed = seed;
    this.rng = new PythonRandom(seed);
  }

  /** Masks a batch of rows of token ids (the rows may differ in length). */
  call(tokenIds: readonly (readonly number[])[]): MaskedLMMaskGeneratorOutput {
    if (!Array.isArray(tokenIds) || !tokenIds.every((row) => Array.isArray(row))) {
      throw new TokenizerError(
        "invalid_argument",
        `tokenIds must be an array of rows (arrays of token ids), got ${describeValue(tokenIds)}`,
      );
    }
    const out: MaskedLMMaskGeneratorOutput = {
      tokenIds: [],
      maskPositions: [],
      maskIds: [],
      maskWeights: [],
    };
    for (const row of tokenIds) {
      const masked = this.maskRow(row);
      out.tokenIds.push(masked.tokenIds);
      out.maskPositions.push(masked.maskPositions);
      out.maskIds.push(masked.maskIds);
      out.maskWeights.push(masked.maskWeights);
    }
    return out;
  }

  // === One row, in the order KerasHub draws ===

  private maskRow(row: readonly number[]) {
    const rng = this.rng;
    let selected: number[] = [];
    row.forEach((id, position) => {
      if (!this.unselectable.has(id) && rng.random() < this.maskSelectionRate) {
        selected.push(position);
      }
    });
    if (selected.length > this.maskSelectionLength) {
      rng.shuffle(selected);
      selected = selected.slice(0, this.maskSelectionLength).sort((a, b) => a - b);
    }
    const tokenIds = [...row];
    const maskPositions: number[] = [];
    const maskIds: number[] = [];
    const maskWeights: number[] = [];
    for (const position of selected) {
      const original = tokenIds[position]!;
      maskPositions.push(position);
      maskIds.push(original);
      maskWeights.push(1);
      const r = rng.random();
      if (r < this.maskTokenRate) tokenIds[position] = this.maskTokenId;
      else if (r < this.maskTokenRate + this.randomTokenRate) {
        tokenIds[position] = rng.randint(0, this.vocabularySize - 1);
      }
    }
    for (let k = selected.length; k < this.maskSelectionLength; k++) {
      maskPositions.push(0);
      maskIds.push(0);
      maskWeights.push(0);
    }
    return { tokenIds, maskPositions, maskIds, maskWeights };
  }
}

function checkInteger(name: string, value: unknown, min: number): asserts value is number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new TokenizerError(
      "invalid_argument",
      `${name} must be an integer >= ${min}, got ${describeValue(value)}`,
    );
  }
}

function checkRate(name: string, value: unknown): asserts value is number {
  if (typeof value !== "number" || !(value >= 0 && value <= 1)) {
    throw new TokenizerError(
      "invalid_argument",
      `${name} must be a number in [0, 1], got ${describeValue(value)}`,
    );
  }
}
