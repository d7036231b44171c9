import { AlbertConfigError } from "../errors.js";
import { tf } from "../tf.js";
import type { DTypePolicy, FloatDtype } from "./dtype-policy.js";

/**
 * TF.js backends that compute a 16-bit policy: native TensorFlow runs it in its own bfloat16
 * and float16 kernels (inside the inference graph) or rounds float32 ops as the others do;
 * WebAssembly and the JS cpu backend round every float32 result where KerasHub's 16-bit
 * arithmetic rounds (`roundTensor`), which needs IEEE float32 arithmetic. WebGL and WebGPU
 * shaders do not promise it (they may even run in float16 textures), so they are refused.
 */
export const REDUCED_PRECISION_BACKENDS = ["tensorflow", "wasm", "cpu"] as const;

/** Refuses to run a 16-bit policy on a backend that cannot compute it (never float32 in its
 * place). */
export function checkPolicyRunsHere(policy: DTypePolicy): void {
  if (!policy.isReducedPrecision) return;
  const backend = tf.getBackend();
  if ((REDUCED_PRECISION_BACKENDS as readonly string[]).includes(backend)) return;
  throw new AlbertConfigError(
    "unsupported_dtype",
    `dtype=${JSON.stringify(policy.name)} cannot run on the ${backend} backend: its shaders do not ` +
      `promise the IEEE float32 arithmetic that ${policy.computeDtype} rounding needs. Backends that run it: ` +
      `${REDUCED_PRECISION_BACKENDS.join(", ")} (initBackend from @albert/backends); or use dtype="float32".`,
    "dtype",
  );
}

/**
 * How far a correct implementation of a policy lands from KerasHub's outputs:
 * `|actual − expected| ≤ atol + rtol·|expected|`. float32: the port's 1e-4; 16 bits: twice the
 * spread measured between KerasHub's TensorFlow eager and graph runs, KerasHub on JAX and an
 * independent emulation (see the dtype fixtures' notes).
 */
export const POLICY_TOLERANCE: Record<FloatDtype, { atol: number; rtol: number }> = {
  float32: { atol: 1e-4, rtol: 0 },
  bfloat16: { atol: 0.1, rtol: 0.02 },
  float16: { atol: 0.015, rtol: 0.01 },
};

/** The largest `|a − b| / (atol + rtol·|b|)` over two outputs (≤ 1: within tolerance). */
export function toleranceRatio(actual: ArrayLike<number>, expected: ArrayLike<number>, compute: FloatDtype): number {
  const { atol, rtol } = POLICY_TOLERANCE[compute];
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const bound = atol + rtol * Math.abs(expected[i]!);
    const ratio = Math.abs(actual[i]! - expected[i]!) / bound;
    worst = Number.isNaN(ratio) ? Infinity : Math.max(worst, ratio);
  }
  return worst;
}
