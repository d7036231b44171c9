/** Softmax over `logits[from, from + n)` in float64 (numpy's shifted form). */
export function softmax(logits: ArrayLike<number>, from = 0, n = logits.length - from): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, logits[from + i]!);
  const out = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    out[i] = Math.exp(logits[from + i]! - max);
    sum += out[i]!;
  }
  for (let i = 0; i < n; i++) out[i] = out[i]! / sum;
  return out;
}

/** The logistic function of each value. */
export function sigmoid(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values, (v) => 1 / (1 + Math.exp(-v)));
}

/** Index of the largest value (the first of ties, as numpy's argmax). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/**
 * Indexes of the `k` largest values, largest first; ties keep index order (as `torch.topk` and
 * a stable sort give for the distinct probabilities of a model).
 */
export function topK(values: ArrayLike<number>, k: number): number[] {
  const indices = Array.from({ length: values.length }, (_, i) => i);
  indices.sort((a, b) => values[b]! - values[a]! || a - b);
  return indices.slice(0, k);
}
