import { afterAll, describe, expect, it } from "vitest";
import { AlbertBackbone, AlbertInputError, tf } from "../index.js";
import { caught, expectNoLeaks } from "../test-utils/index.js";
import { l2Normalize, meanPool, poolOutputs } from "./pooling.js";

const model = new AlbertBackbone({
  vocabularySize: 60, numLayers: 2, numHeads: 2, embeddingDim: 8,
  hiddenDim: 16, intermediateDim: 32, maxSequenceLength: 8,
});
afterAll(() => model.dispose());

const padded = {
  tokenIds: [[2, 11, 12, 13, 3, 0], [2, 21, 3, 0, 0, 0]],
  segmentIds: [[0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]],
  paddingMask: [[1, 1, 1, 1, 1, 0], [1, 1, 1, 0, 0, 0]],
};

/** Row `b`'s mean over its real positions, computed with plain loops. */
function loopMean(values: Float32Array, mask: number[][], b: number, length: number, hidden: number): number[] {
  const out = new Array<number>(hidden).fill(0);
  const real = mask[b]!.reduce((n, m) => n + m, 0);
  for (let s = 0; s < length; s++) {
    if (mask[b]![s] !== 1) continue;
    for (let h = 0; h < hidden; h++) out[h]! += values[(b * length + s) * hidden + h]! / real;
  }
  return out;
}

describe("pooling", () => {
  it("meanPool averages the real tokens only, and equals running each text unpadded", async () => {
    await expectNoLeaks(() => {
      const outputs = model.predict(padded);
      const pooled = meanPool(outputs.sequenceOutput, padded.paddingMask);
      const values = outputs.sequenceOutput.dataSync() as Float32Array;
      const got = pooled.arraySync();
      for (let b = 0; b < 2; b++) {
        const want = loopMean(values, padded.paddingMask, b, 6, 16);
        want.forEach((v, h) => expect(got[b]![h]).toBeCloseTo(v, 5));
      }
      // Padding is masked out of attention too, so the second text alone gives the same vector.
      const alone = model.predict({ tokenIds: [[2, 21, 3]], segmentIds: [[0, 0, 0]], paddingMask: [[1, 1, 1]] });
      const aloneMask = tf.tensor2d([[1, 1, 1]], undefined, "int32");
      const aloneMean = meanPool(alone.sequenceOutput, aloneMask);
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(aloneMean, tf.slice(pooled, [1, 0], [1, -1])))).dataSync()[0]!);
      expect(diff).toBeLessThan(1e-5);
      tf.dispose([outputs.sequenceOutput, outputs.pooledOutput, pooled, alone.sequenceOutput, alone.pooledOutput, aloneMask, aloneMean]);
    });
  });

  it("a row without real tokens pools to zeros, not NaN", async () => {
    await expectNoLeaks(() => {
      const x = tf.ones([1, 3, 4]) as tf.Tensor3D;
      const pooled = meanPool(x, [[false, false, false]]);
      expect(Array.from(pooled.dataSync())).toEqual([0, 0, 0, 0]);
      tf.dispose([x, pooled]);
    });
  });

  it("l2Normalize gives unit rows and leaves a zero row at zero", async () => {
    await expectNoLeaks(() => {
      const x = tf.tensor2d([[3, 4], [0, 0]]);
      const unit = l2Normalize(x);
      const [a, b] = unit.arraySync();
      expect(a![0]).toBeCloseTo(0.6, 6);
      expect(a![1]).toBeCloseTo(0.8, 6);
      expect(b).toEqual([0, 0]);
      tf.dispose([x, unit]);
    });
  });

  it("poolOutputs picks mean, the [CLS] state or KerasHub's pooled output, optionally normalized", async () => {
    await expectNoLeaks(() => {
      const outputs = model.predict(padded);
      const cls = poolOutputs(outputs, padded.paddingMask, { pooling: "cls" });
      const first = tf.tidy(() => tf.squeeze(tf.slice(outputs.sequenceOutput, [0, 0, 0], [-1, 1, -1]), [1]));
      expect(Array.from(cls.dataSync())).toEqual(Array.from(first.dataSync()));
      const pooled = poolOutputs(outputs, padded.paddingMask, { pooling: "pooled", normalize: true });
      const norms = tf.tidy(() => tf.norm(pooled, "euclidean", 1).dataSync());
      norms.forEach((n) => expect(n).toBeCloseTo(1, 5));
      const mean = poolOutputs(outputs, padded.paddingMask);
      expect(mean.shape).toEqual([2, 16]);
      tf.dispose([outputs.sequenceOutput, outputs.pooledOutput, cls, first, pooled, mean]);
    });
  });

  it("refuses masks that do not fit, unknown poolings and non-tensors, leaking nothing", async () => {
    const x = tf.ones([2, 3, 4]) as tf.Tensor3D;
    const p = tf.ones([2, 4]) as tf.Tensor2D;
    await expectNoLeaks(async () => {
      const rows = await caught(() => meanPool(x, [[1, 1, 1]]), AlbertInputError);
      expect(rows.code).toBe("shape_mismatch");
      expect(rows.message).toMatch(/2 rows of 3 values/);
      const value = await caught(() => meanPool(x, [[1, 2, 1], [1, 1, 1]]), AlbertInputError);
      expect(value.message).toMatch(/\[0\]\[1\] = 2; allowed: 0 or 1/);
      const mode = await caught(
        () => poolOutputs({ sequenceOutput: x, pooledOutput: p }, [[1, 1, 1], [1, 1, 1]], { pooling: "max" as never }),
        AlbertInputError,
      );
      expect(mode.argument).toBe("pooling");
      const notTensor = await caught(() => meanPool([[[1]]] as never, [[1]]), AlbertInputError);
      expect(notTensor.argument).toBe("sequenceOutput");
    });
    tf.dispose([x, p]);
  });
});
