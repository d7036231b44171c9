/** Helpers for core's tests (not part of the built package). */
import { expect } from "vitest";
import {
  readJson,
  testdataPath,
  type KerasFixtureExpected,
  type KerasFixtureInputs,
} from "@albert/test-utils";
import type { AlbertInputs } from "../inputs.js";
import { tf } from "../tf.js";

export { caught } from "@albert/test-utils";

export interface KerasFixture {
  dir: string;
  inputs: AlbertInputs;
  expected: KerasFixtureExpected;
  params: number;
}

/** A KerasHub fixture folder (testdata/keras/NAME) with its inputs in our API's names. */
export function kerasFixture(name: string, expectedFile = "expected.json"): KerasFixture {
  const dir = testdataPath("keras", name);
  const raw = readJson<KerasFixtureInputs>(`${dir}/inputs.json`);
  return {
    dir,
    inputs: { tokenIds: raw.token_ids, segmentIds: raw.segment_ids, paddingMask: raw.padding_mask },
    expected: readJson<KerasFixtureExpected>(`${dir}/${expectedFile}`),
    params: Number(readJson<number>(`${dir}/params.txt`)),
  };
}

/** Runs `fn` and checks that it leaves the number of live tensors unchanged. */
export async function expectNoLeaks<T>(fn: () => T | Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  expect(tf.memory().numTensors, "live tensors after the call").toBe(before);
  return result;
}
