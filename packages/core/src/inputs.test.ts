import { afterAll, describe, expect, it } from "vitest";
import { AlbertBackbone, AlbertInputError, tf, type AlbertInputs } from "./index.js";
import { caught, expectNoLeaks } from "./test-utils/index.js";

const model = new AlbertBackbone({
  vocabularySize: 50, numLayers: 2, numHeads: 2, embeddingDim: 4,
  hiddenDim: 8, intermediateDim: 16, maxSequenceLength: 6, numSegments: 3,
});
afterAll(() => model.dispose());

const good: AlbertInputs = {
  tokenIds: [[2, 10, 49, 3], [2, 7, 3, 0]],
  segmentIds: [[0, 0, 1, 2], [0, 1, 1, 0]],
  paddingMask: [[1, 1, 1, 1], [1, 1, 1, 0]],
};

/** [description, inputs, code, argument, message pattern] */
const bad: [string, unknown, string, string, RegExp][] = [
  ["token id at the vocabulary size", { ...good, tokenIds: [[2, 10, 50, 3], [2, 7, 3, 0]] }, "out_of_range", "tokenIds", /tokenIds\[0\]\[2\] = 50 .*\[0, 50\) \(vocabularySize 50\)/],
  ["negative token id", { ...good, tokenIds: [[2, 10, -1, 3], [2, 7, 3, 0]] }, "out_of_range", "tokenIds", /tokenIds\[0\]\[2\] = -1/],
  ["fractional token id", { ...good, tokenIds: [[2, 10.5, 4, 3], [2, 7, 3, 0]] }, "invalid_value", "tokenIds", /tokenIds\[0\]\[1\] = 10.5/],
  ["NaN token id", { ...good, tokenIds: [[2, NaN, 4, 3], [2, 7, 3, 0]] }, "invalid_value", "tokenIds", /tokenIds\[0\]\[1\] = NaN/],
  ["string token id", { ...good, tokenIds: [[2, "7", 4, 3], [2, 7, 3, 0]] }, "invalid_value", "tokenIds", /tokenIds\[0\]\[1\] = "7"/],
  ["segment id at numSegments", { ...good, segmentIds: [[0, 0, 3, 2], [0, 1, 1, 0]] }, "out_of_range", "segmentIds", /segmentIds\[0\]\[2\] = 3 .*\[0, 3\) \(numSegments 3\)/],
  ["mask value 2", { ...good, paddingMask: [[1, 1, 2, 1], [1, 1, 1, 0]] }, "invalid_value", "paddingMask", /paddingMask\[0\]\[2\] = 2 .*0 or 1/],
  ["sequence longer than maxSequenceLength", {
    tokenIds: [[1, 1, 1, 1, 1, 1, 1]], segmentIds: [[0, 0, 0, 0, 0, 0, 0]], paddingMask: [[1, 1, 1, 1, 1, 1, 1]],
  }, "sequence_too_long", "tokenIds", /length 7 exceeds maxSequenceLength 6/],
  ["empty sequence", { tokenIds: [[]], segmentIds: [[]], paddingMask: [[]] }, "empty_sequence", "tokenIds", /empty/],
  ["empty batch", { tokenIds: [], segmentIds: [], paddingMask: [] }, "empty_sequence", "tokenIds", /empty/],
  ["ragged batch", { ...good, tokenIds: [[2, 10, 4, 3], [2, 7, 3]] }, "ragged_batch", "tokenIds", /row 0 has 4 values, row 1 has 3/],
  ["mismatched shapes", { ...good, segmentIds: [[0, 0, 1], [0, 1, 1]] }, "shape_mismatch", "segmentIds", /\[2, 3\] but tokenIds has \[2, 4\]/],
  ["missing paddingMask", { tokenIds: good.tokenIds, segmentIds: good.segmentIds }, "missing_input", "paddingMask", /Missing input paddingMask/],
  ["a flat array", { ...good, tokenIds: [2, 10, 4, 3] }, "invalid_type", "tokenIds", /array of rows/],
  ["no inputs object", undefined, "missing_input", "inputs", /tokenIds, segmentIds, paddingMask/],
];

describe("input validation", () => {
  it.each(bad)("refuses %s with a typed error and no leaked tensor", async (_, inputs, code, argument, message) => {
    const error = await expectNoLeaks(() => caught(() => model.predict(inputs as AlbertInputs)));
    expect(error).toBeInstanceOf(AlbertInputError);
    expect(error).toMatchObject({ code, argument });
    expect(error.message).toMatch(message);
  });

  it("refuses tensors of the wrong rank or dtype, and disposed tensors", async () => {
    const rank1 = tf.tensor1d([1, 2, 3], "int32");
    const strings = tf.tensor2d([["a"]], [1, 1], "string");
    const disposed = tf.tensor2d([[1]], [1, 1], "int32");
    disposed.dispose();
    const cases: [tf.Tensor, string][] = [[rank1, "invalid_shape"], [strings, "invalid_type"], [disposed, "invalid_type"]];
    for (const [tensor, code] of cases) {
      const error = await expectNoLeaks(() => caught(() => model.predict({ ...good, tokenIds: tensor })));
      expect(error).toMatchObject({ code, argument: "tokenIds" });
    }
    tf.dispose([rank1, strings]);
  });

  it("validates tensor values as strictly as arrays", async () => {
    const ids = tf.tensor2d([[2, 10, 99, 3], [2, 7, 3, 0]], undefined, "int32");
    const error = await expectNoLeaks(() => caught(() => model.predict({ ...good, tokenIds: ids })));
    expect(error).toMatchObject({ code: "out_of_range", argument: "tokenIds" });
    ids.dispose();
  });

  it("accepts typed-array rows and leaves no tensor behind after a successful call", async () => {
    await expectNoLeaks(() => {
      const out = model.predict({
        tokenIds: [Int32Array.from([2, 10, 49, 3])],
        segmentIds: [Int32Array.from([0, 0, 1, 2])],
        paddingMask: [[true, true, true, false]],
      });
      tf.dispose([out.sequenceOutput, out.pooledOutput]);
    });
  });
});
