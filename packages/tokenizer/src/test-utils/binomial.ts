// Exact binomial moments for the masking tests' bounds (test-only).

/** P(X = k) for X ~ Binomial(n, p), k = 0..n. */
export function binomialPmf(n: number, p: number): number[] {
  const pmf: number[] = [];
  let coefficient = 1;
  for (let k = 0; k <= n; k++) {
    pmf.push(coefficient * p ** k * (1 - p) ** (n - k));
    coefficient = (coefficient * (n - k)) / (k + 1);
  }
  return pmf;
}

/** Mean and variance of min(X, cap) for X ~ Binomial(n, p): the selections kept in one row. */
export function cappedBinomialMoments(n: number, p: number, cap: number) {
  let mean = 0;
  let square = 0;
  let atCap = 0;
  binomialPmf(n, p).forEach((probability, k) => {
    const kept = Math.min(k, cap);
    mean += probability * kept;
    square += probability * kept * kept;
    if (k >= cap) atCap += probability;
  });
  return { mean, variance: square - mean * mean, atCap };
}

/**
 * The bounds of these tests: |observed - expected| <= Z standard errors. A normal deviate beyond
 * 5 has probability 5.7e-7, so a correct masker fails a bound about once in two million seeds;
 * a masker off by a few percent fails it at these sample sizes (standard errors of 0.1-0.3%).
 */
export const Z = 5;

/** Standard error of a count of successes in `trials` Bernoulli(p) draws. */
export function countStandardError(trials: number, p: number): number {
  return Math.sqrt(trials * p * (1 - p));
}
