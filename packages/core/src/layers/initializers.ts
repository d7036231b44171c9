import { tf } from "../tf.js";

export type Initializer = (shape: number[]) => tf.Tensor;

/** xoshiro128** (Blackman and Vigna): a small, fast, statistically sound 32-bit generator,
 * returning floats uniform in (-1, 1). Seeded through splitmix32. */
function xoshiro128(seed: number): () => number {
  let z = seed >>> 0;
  const splitmix = () => {
    z = (z + 0x9e3779b9) >>> 0;
    let t = z ^ (z >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    return (t ^ (t >>> 15)) >>> 0;
  };
  let a = splitmix(), b = splitmix(), c = splitmix(), d = splitmix();
  return () => {
    const result = Math.imul(((Math.imul(b, 5) << 7) | (Math.imul(b, 5) >>> 25)), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = (d << 11) | (d >>> 21);
    return (result + 0.5) / 2147483648 - 1;
  };
}

/**
 * Fills `out` with normal samples (mean 0, `stddev`), redrawing any beyond two standard
 * deviations: Keras' `TruncatedNormal`. TF.js' own `truncatedNormal` draws in a slow generic
 * loop (15 s for albert_xxlarge's 222M weights); this uses xoshiro128** and the polar method.
 */
export function fillTruncatedNormal(out: Float32Array, stddev: number, seed = Math.random() * 2 ** 32): Float32Array {
  const uniform = xoshiro128(seed);
  let i = 0;
  while (i < out.length) {
    let u: number;
    let v: number;
    let r: number;
    do {
      u = uniform();
      v = uniform();
      r = u * u + v * v;
    } while (r >= 1 || r === 0);
    const scale = Math.sqrt((-2 * Math.log(r)) / r);
    const a = u * scale;
    const b = v * scale;
    if (a > -2 && a < 2) out[i++] = a * stddev;
    if (i < out.length && b > -2 && b < 2) out[i++] = b * stddev;
  }
  return out;
}

/** KerasHub's `albert_kernel_initializer`: a truncated normal with standard deviation 0.02. */
export const albertKernelInitializer: Initializer = (shape) =>
  tf.tensor(fillTruncatedNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)), 0.02), shape);
export const zerosInitializer: Initializer = (shape) => tf.zeros(shape);
export const onesInitializer: Initializer = (shape) => tf.ones(shape);
