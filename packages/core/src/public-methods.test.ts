import { afterAll, describe, expect, it } from "vitest";
import { AlbertBackbone, AlbertConfigError, AlbertInputError, tf } from "./index.js";
import { caught, expectNoLeaks } from "./test-utils/index.js";

// Every public method checks its arguments and throws our typed errors, never a TensorFlow
// status from inside a reshape or gather (which is what these calls gave before).
const model = new AlbertBackbone({
  vocabularySize: 50, numLayers: 2, numHeads: 2, embeddingDim: 8,
  hiddenDim: 16, intermediateDim: 32, maxSequenceLength: 8,
});
const inputs = { tokenIds: [[2, 7, 3, 0]], segmentIds: [[0, 0, 0, 0]], paddingMask: [[1, 1, 1, 0]] };
afterAll(() => model.dispose());

/** The AlbertInputError `fn` throws, checking that the failing call leaked no tensor. */
async function inputError(fn: () => unknown): Promise<AlbertInputError> {
  return expectNoLeaks(() => caught(fn, AlbertInputError));
}

describe("layer methods validate their tensors", () => {
  it("tokenEmbedding.reverse on hidden states names the embedding size (the issue's example)", async () => {
    const { sequenceOutput, pooledOutput } = model.predict(inputs);
    const error = await inputError(() => model.tokenEmbedding.reverse(sequenceOutput));
    expect(error.code).toBe("invalid_shape");
    expect(error.argument).toBe("x");
    expect(error.message).toMatch(/token_embedding\.reverse/);
    expect(error.message).toMatch(/\[1, 4, 16\]/);
    expect(error.message).toMatch(/embeddingDim\) = 8/);
    tf.dispose([sequenceOutput, pooledOutput]);
  });

  it("tokenEmbedding.reverse works on embedding-space vectors, and refuses non-tensors", async () => {
    await expectNoLeaks(() => {
      const vectors = tf.ones([2, 3, 8]);
      const logits = model.tokenEmbedding.reverse(vectors);
      expect(logits.shape).toEqual([2, 3, 50]);
      tf.dispose([vectors, logits]);
    });
    const error = await inputError(() => model.tokenEmbedding.reverse([[1, 2]] as unknown as tf.Tensor));
    expect(error.code).toBe("invalid_type");
    expect(error.message).toMatch(/pass a tf\.Tensor/);
  });

  it("embedding lookups refuse float ids and ids outside the table", async () => {
    const floats = tf.tensor2d([[1.5]]);
    expect((await inputError(() => model.tokenEmbedding.call(floats))).message).toMatch(/int32/);
    const outside = tf.tensor2d([[3, 50]], undefined, "int32");
    const error = await inputError(() => model.tokenEmbedding.call(outside));
    expect(error.code).toBe("out_of_range");
    expect(error.message).toMatch(/\[0, 50\)/);
    const negative = tf.tensor2d([[-1]], undefined, "int32");
    expect((await inputError(() => model.segmentEmbedding.call(negative))).message).toMatch(/\[0, 2\)/);
    tf.dispose([floats, outside, negative]);
  });

  it("dense and layer-norm layers name the size they need", async () => {
    const x = tf.ones([2, 5]);
    const dense = await inputError(() => model.embeddingProjection.call(x));
    expect(dense.message).toMatch(/embedding_projection\.call: x must be a float32 tensor \[\.\.\., 8\]/);
    const norm = await inputError(() => model.embeddingsLayerNorm.call(x));
    expect(norm.message).toMatch(/embeddings_layer_norm\.call/);
    const disposed = tf.ones([2, 8]);
    disposed.dispose();
    expect((await inputError(() => model.embeddingProjection.call(disposed))).message).toMatch(/disposed/);
    tf.dispose(x);
  });

  it("the position embedding takes a length in [1, maxSequenceLength]", async () => {
    for (const length of [0, 9, 2.5]) {
      const error = await inputError(() => model.positionEmbedding.call(length));
      expect(error.argument).toBe("length");
      expect(error.message).toMatch(/\[1, 8\]/);
    }
  });

  it("encoder layers and their attention check x and the mask bias", async () => {
    const layer = model.transformerLayers[0]![0]!;
    const x = tf.ones([2, 4, 16]) as tf.Tensor3D;
    const wrongWidth = tf.ones([2, 4, 12]) as tf.Tensor3D;
    const goodMask = tf.zeros([2, 1, 1, 4]);
    const wrongMask = tf.zeros([2, 1, 1, 5]);
    expect((await inputError(() => layer.call(wrongWidth, goodMask, false))).message).toMatch(/hiddenDim = 16/);
    const mask = await inputError(() => layer.selfAttention.call(x, wrongMask, false, false));
    expect(mask.code).toBe("shape_mismatch");
    expect(mask.argument).toBe("maskBias");
    await expectNoLeaks(() => tf.dispose(layer.call(x, goodMask, false).output));
    tf.dispose([x, wrongWidth, goodMask, wrongMask]);
  });
});

describe("backbone methods validate their arguments", () => {
  it("refuses unknown or non-boolean options instead of ignoring them", async () => {
    const typo = await inputError(() =>
      model.predict(inputs, { returnAttentionScore: true } as unknown as { returnAttentionScores: boolean }),
    );
    expect(typo.message).toMatch(/unknown option "returnAttentionScore"; allowed: returnAttentionScores, returnHiddenStates/);
    const notBoolean = await inputError(() =>
      model.call(inputs, { training: "yes" } as unknown as { training: boolean }),
    );
    expect(notBoolean.argument).toBe("options.training");
  });

  it("refuses a weight map that is not a Map, and an empty saveToPreset path", async () => {
    const error = await caught(() => model.setWeightMap({} as never), AlbertConfigError);
    expect(error.message).toMatch(/weights must be a Map/);
    expect((await caught(() => model.saveToPreset(""), AlbertInputError)).argument).toBe("dir");
  });

  it("a disposed model says so with a typed error", async () => {
    const gone = new AlbertBackbone({
      vocabularySize: 10, numLayers: 1, numHeads: 1, embeddingDim: 4,
      hiddenDim: 4, intermediateDim: 8, maxSequenceLength: 4,
    });
    gone.dispose();
    const error = await caught(() => gone.predict({ tokenIds: [[1]], segmentIds: [[0]], paddingMask: [[1]] }), AlbertConfigError);
    expect(error.code).toBe("model_disposed");
    expect((await caught(() => gone.getWeightMap(), AlbertConfigError)).code).toBe("model_disposed");
  });
});
