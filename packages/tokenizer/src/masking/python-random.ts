import { TokenizerError, describeValue } from "../errors.js";

// === Mersenne Twister (MT19937), as CPython's `_random` module ===

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/**
 * The random numbers of Python's `random` module, draw for draw: `new PythonRandom(1234)` then
 * `random()`, `shuffle()` and `randint()` give what `random.seed(1234)` then `random.random()`,
 * `random.shuffle()` and `random.randint()` give in CPython (3.2 and later). KerasHub's eager
 * masking (`MaskedLMMaskGenerator._call_python`) draws from Python's global `random`, so a
 * preprocessor seeded like this reproduces its masks exactly.
 *
 * ```ts
 * const rng = new PythonRandom(1234);
 * rng.random();        // 0.9664535356921388, as random.seed(1234); random.random()
 * rng.randint(0, 999); // an integer in [0, 999], both ends included
 * ```
 */
export class PythonRandom {
  private readonly state = new Uint32Array(N);
  private index = N + 1;

  /**
   * `seed`: a safe integer, used as `random.seed(seed)` uses an int (its absolute value, as
   * little-endian 32-bit words). Without a seed, 128 bits from `crypto.getRandomValues`, as
   * Python seeds itself from the operating system.
   */
  constructor(seed?: number) {
    if (seed === undefined) {
      this.initByArray(Array.from(crypto.getRandomValues(new Uint32Array(4))));
      return;
    }
    if (typeof seed !== "number" || !Number.isSafeInteger(seed)) {
      throw new TokenizerError(
        "invalid_argument",
        `seed must be a safe integer (as Python's random.seed(int)), got ${describeValue(seed)}`,
      );
    }
    const n = Math.abs(seed);
    const low = n % 2 ** 32;
    const high = Math.floor(n / 2 ** 32);
    this.initByArray(high > 0 ? [low, high] : [low]);
  }

  /** A float in [0, 1) with 53 random bits (`random.random()`). */
  random(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** An integer in [low, high], both included (`random.randint(low, high)`). */
  randint(low: number, high: number): number {
    return low + this.randbelow(high - low + 1);
  }

  /** Shuffles `items` in place, exactly as `random.shuffle(items)`. */
  shuffle<T>(items: T[]): void {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.randbelow(i + 1);
      const swap = items[i]!;
      items[i] = items[j]!;
      items[j] = swap;
    }
  }

  /** An integer in [0, n) by rejection sampling on `n.bit_length()` bits (`_randbelow`). */
  private randbelow(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 0xffffffff) {
      throw new TokenizerError(
        "invalid_argument",
        `a random integer below ${n} was asked for; allowed: 1 to 2**32 - 1`,
      );
    }
    const bits = 32 - Math.clz32(n);
    let r = this.getrandbits(bits);
    while (r >= n) r = this.getrandbits(bits);
    return r;
  }

  /** `random.getrandbits(k)` for 1 <= k <= 32: the top k bits of one 32-bit draw. */
  private getrandbits(k: number): number {
    return this.nextUint32() >>> (32 - k);
  }

  private nextUint32(): number {
    const mt = this.state;
    if (this.index >= N) {
      let kk = 0;
      for (; kk < N - M; kk++) {
        const y = (mt[kk]! & UPPER_MASK) | (mt[kk + 1]! & LOWER_MASK);
        mt[kk] = mt[kk + M]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      }
      for (; kk < N - 1; kk++) {
        const y = (mt[kk]! & UPPER_MASK) | (mt[kk + 1]! & LOWER_MASK);
        mt[kk] = mt[kk + (M - N)]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      }
      const y = (mt[N - 1]! & UPPER_MASK) | (mt[0]! & LOWER_MASK);
      mt[N - 1] = mt[M - 1]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      this.index = 0;
    }
    let y = mt[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  // === Seeding (init_genrand / init_by_array of the reference MT19937 code) ===

  private initGenrand(seed: number): void {
    const mt = this.state;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1]!;
      mt[i] = Math.imul(1812433253, prev ^ (prev >>> 30)) + i;
    }
    this.index = N;
  }

  private initByArray(key: readonly number[]): void {
    const mt = this.state;
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = mt[i - 1]!;
      mt[i] = (mt[i]! ^ Math.imul(prev ^ (prev >>> 30), 1664525)) + key[j]! + j;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1]!;
      mt[i] = (mt[i]! ^ Math.imul(prev ^ (prev >>> 30), 1566083941)) - i;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
    }
    mt[0] = 0x80000000;
  }
}
