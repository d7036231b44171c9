import { tf } from "../tf.js";

/** The seed of the step being run, and how many dropout masks it has drawn. */
let seeded: { seed: string; drawn: number } | undefined;

/**
 * `tf.dropout`, with a mask drawn from the current step's seed while `withDropoutSeed` runs
 * (each call its own: `<seed>/<n>`), so a seeded `fit` repeats its masks.
 */
export function dropout(x: tf.Tensor, rate: number): tf.Tensor {
  return tf.dropout(x, rate, undefined, seeded === undefined ? undefined : `${seeded.seed}/${seeded.drawn++}`);
}

/** Runs `fn` with every `dropout` mask drawn from `seed` (`undefined`: unseeded). */
export function withDropoutSeed<T>(seed: string | undefined, fn: () => T): T {
  const previous = seeded;
  seeded = seed === undefined ? undefined : { seed, drawn: 0 };
  try {
    return fn();
  } finally {
    seeded = previous;
  }
}
