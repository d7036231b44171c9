/**
 * Grouping rows of different lengths into batches that pad little. A batch is padded to its
 * longest row, so its cost is `rows × longest`; a token budget bounds that product.
 */

/** The padded size of a batch whose rows have these lengths. */
export function paddedTokens(lengths: readonly number[]): number {
  return lengths.length === 0 ? 0 : lengths.length * Math.max(...lengths);
}

/**
 * Cuts rows into batches in order of length (shortest first, ties in input order), each at
 * most `maxRows` rows and `maxTokens` padded tokens (a single row longer than the budget is a
 * batch of its own). Returns the rows' indexes per batch. Deterministic: the same lengths give
 * the same batches, so a shard encoded again gives the same numbers.
 */
export function lengthSortedBatches(lengths: readonly number[], maxTokens: number, maxRows: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  const batches: number[][] = [];
  let current: number[] = [];
  for (const index of order) {
    // Sorted ascending: the new row is the batch's longest.
    const fits = current.length < maxRows && (current.length + 1) * lengths[index]! <= maxTokens;
    if (current.length > 0 && !fits) {
      batches.push(current);
      current = [];
    }
    current.push(index);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Picks the next batch among waiting rows: the row that has waited longest, and around it the
 * rows closest to it in length, while the batch stays within `maxRows`, `maxTokens` padded
 * tokens, and `maxPadding` (the share of its padded tokens that may be padding: on a CPU a
 * padded token costs what a real one does). Starting from the oldest keeps every row's wait
 * bounded; growing by nearest length keeps padding low. `lengths` are the waiting rows'
 * lengths, `oldest` an index into them.
 */
export function pickAroundOldest(lengths: readonly number[], oldest: number, maxTokens: number, maxRows: number, maxPadding = 1): number[] {
  const sorted = lengths.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  let lo = sorted.indexOf(oldest);
  let hi = lo;
  let real = lengths[oldest]!;
  const target = real;
  const fits = (count: number, longest: number, sum: number) =>
    count <= maxRows && count * longest <= maxTokens && count * longest - sum <= maxPadding * count * longest;
  while (hi - lo + 1 < maxRows) {
    const count = hi - lo + 2;
    const left = lo > 0 ? sorted[lo - 1]! : undefined;
    const right = hi < sorted.length - 1 ? sorted[hi + 1]! : undefined;
    // A shorter row never raises the batch's width; a longer one does.
    const leftOk = left !== undefined && fits(count, lengths[sorted[hi]!]!, real + lengths[left]!);
    const rightOk = right !== undefined && fits(count, lengths[right]!, real + lengths[right]!);
    if (leftOk && (!rightOk || target - lengths[left]! <= lengths[right!]! - target)) {
      lo--;
      real += lengths[left]!;
    } else if (rightOk) {
      hi++;
      real += lengths[right]!;
    } else break;
  }
  return sorted.slice(lo, hi + 1);
}
