/**
 * The 16-bit float encodings Keras stores weights in, converted to and from float32 bit for
 * bit: round-to-nearest-even, as NumPy/ml_dtypes `astype` and TensorFlow's `Cast` do, with
 * float16's subnormals and overflow to infinity. No TensorFlow.js: these run on plain arrays.
 */

/** A 16-bit float dtype: `bfloat16` (float32's upper half) or IEEE `float16`. */
export type HalfDtype = "bfloat16" | "float16";

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

function float32Bits(value: number): number {
  scratch[0] = value;
  return scratchBits[0]!;
}

/** bfloat16 bits of a float32 bit pattern, round-to-nearest-even (NaN stays a quiet NaN). */
function bfloat16FromBits(bits: number): number {
  if ((bits & 0x7fffffff) > 0x7f800000) return ((bits >>> 16) & 0x8000) | 0x7fc0;
  const rounded = bits + 0x7fff + ((bits >>> 16) & 1);
  return (rounded >>> 16) & 0xffff;
}

/** IEEE float16 bits of a float32 bit pattern, round-to-nearest-even, subnormals included. */
function float16FromBits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | (mantissa !== 0 ? 0x7e00 : 0x7c00);
  const unbiased = exponent - 127;
  if (unbiased > 15) return sign | 0x7c00;
  if (unbiased >= -14) {
    // Normal: keep 10 mantissa bits, round the 13 dropped ones (a carry may reach infinity).
    const half = ((unbiased + 15) << 10) | (mantissa >>> 13);
    const dropped = mantissa & 0x1fff;
    const up = dropped > 0x1000 || (dropped === 0x1000 && (half & 1) === 1) ? 1 : 0;
    return sign | (half + up);
  }
  if (unbiased < -25) return sign;
  // Subnormal: the significand (with its implicit 1) shifted to units of 2^-24.
  const significand = mantissa | 0x800000;
  const shift = -unbiased - 1;
  const kept = significand >>> shift;
  const dropped = significand & ((1 << shift) - 1);
  const halfway = 1 << (shift - 1);
  const up = dropped > halfway || (dropped === halfway && (kept & 1) === 1) ? 1 : 0;
  return sign | (kept + up);
}

/** Encodes float32 values as 16-bit floats (round-to-nearest-even). */
export function encodeHalf(values: Float32Array, dtype: HalfDtype): Uint16Array {
  const out = new Uint16Array(values.length);
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const convert = dtype === "bfloat16" ? bfloat16FromBits : float16FromBits;
  for (let i = 0; i < words.length; i++) out[i] = convert(words[i]!);
  return out;
}

const FLOAT16_VALUES = (() => {
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >>> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    table[h] =
      exponent === 0x1f
        ? mantissa === 0
          ? sign * Infinity
          : NaN
        : exponent === 0
          ? sign * mantissa * 2 ** -24
          : sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
  }
  return table;
})();

/** Widens 16-bit floats to float32 (exact). */
export function decodeHalf(bits: Uint16Array, dtype: HalfDtype): Float32Array {
  if (dtype === "bfloat16") {
    const words = new Uint32Array(bits.length);
    for (let i = 0; i < bits.length; i++) words[i] = bits[i]! << 16;
    return new Float32Array(words.buffer);
  }
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = FLOAT16_VALUES[bits[i]!]!;
  return out;
}

/** float32 values rounded to the nearest value of a 16-bit dtype (still float32, exactly). */
export function roundToHalf(values: Float32Array, dtype: HalfDtype): Float32Array {
  return decodeHalf(encodeHalf(values, dtype), dtype);
}

/** One value rounded to a 16-bit dtype (for constants). */
export function roundScalarToHalf(value: number, dtype: HalfDtype): number {
  const bits = float32Bits(value);
  return dtype === "bfloat16"
    ? decodeHalf(Uint16Array.of(bfloat16FromBits(bits)), dtype)[0]!
    : FLOAT16_VALUES[float16FromBits(bits)]!;
}
