import { describe, expectTypeOf, it } from "vitest";
import type { AlbertBackbone, AlbertBackboneOutputs } from "./albert-backbone.js";
import { tf } from "./tf.js";

// Type-level tests: `pnpm typecheck` (tsc over src, tests included) is what checks them; the
// bodies never run a model. Each assertion failed to compile before outputs were typed by the
// options asked for.
declare const backbone: AlbertBackbone;
declare const inputs: Parameters<AlbertBackbone["predict"]>[0];

describe("AlbertBackbone output types", () => {
  it("lets tf.dispose take predict's result (a type alias, not an interface)", () => {
    const dispose = () => tf.dispose(backbone.predict(inputs));
    expectTypeOf(dispose).returns.toEqualTypeOf<void>();
  });

  it("types the outputs that were asked for as present", () => {
    const plain = () => backbone.predict(inputs);
    expectTypeOf(plain).returns.toHaveProperty("sequenceOutput").toEqualTypeOf<tf.Tensor3D>();
    expectTypeOf(plain).returns.toHaveProperty("attentionScores").toEqualTypeOf<undefined>();

    const scores = () => backbone.predict(inputs, { returnAttentionScores: true });
    expectTypeOf(scores).returns.toHaveProperty("attentionScores").toEqualTypeOf<tf.Tensor4D[]>();
    expectTypeOf(scores).returns.toHaveProperty("hiddenStates").toEqualTypeOf<undefined>();

    const both = () => backbone.call(inputs, { returnAttentionScores: true, returnHiddenStates: true, training: true });
    expectTypeOf(both).returns.toHaveProperty("hiddenStates").toEqualTypeOf<tf.Tensor3D[]>();
    expectTypeOf(both).returns.toHaveProperty("attentionScores").toEqualTypeOf<tf.Tensor4D[]>();
  });

  it("keeps an output optional when the option is only known as a boolean", () => {
    const flag = Math.random() > 0.5;
    const maybe = () => backbone.predict(inputs, { returnHiddenStates: flag });
    expectTypeOf(maybe).returns.toHaveProperty("hiddenStates").toEqualTypeOf<tf.Tensor3D[] | undefined>();
  });

  it("still accepts the un-parameterized type for any result", () => {
    const any = (): AlbertBackboneOutputs => backbone.predict(inputs, { returnAttentionScores: true });
    expectTypeOf(any).returns.toHaveProperty("attentionScores").toEqualTypeOf<tf.Tensor4D[] | undefined>();
    // @ts-expect-error: not asked for, so not there
    const missing = (): tf.Tensor4D[] => backbone.predict(inputs).attentionScores;
    expectTypeOf(missing).toBeFunction();
  });
});
