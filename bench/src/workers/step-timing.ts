import { median } from "../cases.js";

/** A fine-tuning case's timing: per-step times from the step ends `fit`'s callbacks saw. */
export interface StepTiming {
  /** The first step, which includes tracing, gradient setup and the optimizer's slots. */
  firstStepMs: number;
  warmups: number;
  runs: number;
  stepTimesMs: number[];
  medianStepMs: number;
  minStepMs: number;
  /** Examples per second at the median step time. */
  samplesPerSecond: number;
}

/**
 * Step `i` lasts from the end of step `i - 1` (the start of training for the first) to its own
 * end; the first `warmups` steps are left out of the statistics. Mirrors `step_timing` in
 * python/keras_hub_fit.py.
 */
export function stepTiming(
  start: number,
  ends: readonly number[],
  warmups: number,
  batch: number,
): StepTiming {
  const times = ends.map((end, i) => end - (i === 0 ? start : ends[i - 1]!));
  const timed = times.slice(warmups);
  const medianStepMs = median(timed);
  return {
    firstStepMs: times[0]!,
    warmups,
    runs: timed.length,
    stepTimesMs: timed,
    medianStepMs,
    minStepMs: Math.min(...timed),
    samplesPerSecond: batch / (medianStepMs / 1000),
  };
}
