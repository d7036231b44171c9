/**
 * The native train graph's backward pass against TF.js' gradient tape: for every head the
 * graph builds, on a small random model with shared and grouped encoder layers, padded rows
 * and dropout off, the graph's gradient of every trainable variable (a gradients-only build of
 * the same graph) equals the tape's (what `fit` hands the optimizer on the tape, looked-up
 * tables densified) within float32 round-off of a different summation order.
 */
import { describe, expect, it } from "vitest";
import { ensureBackend } from "@albert/backends";
import {
  AlbertBackbone,
  AlbertMaskedLM,
  AlbertMultipleChoice,
  AlbertQuestionAnswerer,
  AlbertTextClassifier,
  AlbertTokenClassifier,
  Adam,
  Optimizer,
  SparseCategoricalCrossentropy,
  tf,
  type Task,
} from "../index.js";
import { trainGraphBackend, TrainGraphSession } from "../graph/train-engine.js";
import type { TrainDataInput } from "../graph/train-graph.js";
import { expectNoLeaks } from "../test-utils/index.js";
import type { Gradient } from "./optimizers/optimizer.js";
import { trainGraphSpec } from "./graph-training.js";

ensureBackend();
/** Sessions need native TensorFlow (provisioned wherever the tests run in CI). */
const native = trainGraphBackend() !== undefined;
const B = 3;
const S = 7;
const V = 40;

/** An optimizer that keeps the (densified) gradients `fit` gives it and changes nothing. */
class GradientRecorder extends Optimizer {
  readonly gradients = new Map<tf.Variable, tf.Tensor>();

  constructor() {
    super({}, "recorder");
  }

  protected slotNames(): string[] {
    return [];
  }

  protected updateStep(gradient: Gradient, variable: tf.Variable): void {
    const dense = gradient instanceof tf.Tensor ? gradient.clone() : tf.unsortedSegmentSum(gradient.values, gradient.indices, variable.shape[0]!);
    this.gradients.set(variable, tf.keep(dense));
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name };
  }

  override dispose(): void {
    tf.dispose([...this.gradients.values()]);
    this.gradients.clear();
    super.dispose();
  }
}

function backbone(): AlbertBackbone {
  return new AlbertBackbone({
    vocabularySize: V, numLayers: 4, numHeads: 2, numGroups: 2, numInnerRepetitions: 2, embeddingDim: 6, hiddenDim: 8,
    intermediateDim: 12, maxSequenceLength: 10, dropout: 0,
  });
}

/** Every variable redrawn (seeded), so that no gradient is trivially zero or symmetric. */
function randomize(task: Task): void {
  task.weights.forEach(({ path, variable }, i) => {
    tf.tidy(() => {
      const noise = tf.randomNormal(variable.shape, 0, 0.4, "float32", 1000 + i);
      variable.assign(path.endsWith("gamma") ? tf.add(noise, 1) : noise);
    });
  });
}

const rows = (n: number, width: number, f: (r: number, c: number) => number) => Array.from({ length: n }, (_, r) => Array.from({ length: width }, (_, c) => f(r, c)));
const packed = (n: number) => ({
  tokenIds: rows(n, S, (r, c) => (5 + 7 * r + 3 * c) % V),
  segmentIds: rows(n, S, (_, c) => (c > 3 ? 1 : 0)),
  // Row r has S - r real tokens: padding is masked out of attention.
  paddingMask: rows(n, S, (r, c) => (c < S - (r % 3) ? 1 : 0)),
});

interface Case {
  name: string;
  make: () => Task;
  x: () => Record<string, unknown>;
  y: () => unknown;
  sampleWeight?: () => number[][];
  fromLogits?: boolean;
}

const CASES: Case[] = [
  { name: "text classifier", make: () => new AlbertTextClassifier({ backbone: backbone(), numClasses: 3, dropout: 0 }), x: () => packed(B), y: () => [2, 0, 1] },
  {
    name: "text classifier, softmax output and loss from probabilities",
    make: () => new AlbertTextClassifier({ backbone: backbone(), numClasses: 3, dropout: 0, activation: "softmax" }),
    x: () => packed(B),
    y: () => [1, 1, 0],
    fromLogits: false,
  },
  {
    name: "masked LM (sample weights, tied embedding)",
    make: () => new AlbertMaskedLM({ backbone: backbone() }),
    x: () => ({ ...packed(B), maskPositions: rows(B, 3, (r, c) => (r + 2 * c) % 5) }),
    y: () => rows(B, 3, (r, c) => (11 * r + 5 * c) % V),
    sampleWeight: () => rows(B, 3, (r, c) => (c === 2 && r === 1 ? 0 : 1)),
  },
  {
    name: "token classifier",
    make: () => new AlbertTokenClassifier({ backbone: backbone(), numClasses: 4, dropout: 0 }),
    x: () => packed(B),
    y: () => rows(B, S, (r, c) => (c < S - (r % 3) ? (r + c) % 4 : -100)),
  },
  { name: "question answerer", make: () => new AlbertQuestionAnswerer({ backbone: backbone(), dropout: 0 }), x: () => packed(B), y: () => [[1, 3], [2, 2], [0, 4]] },
  {
    name: "multiple choice",
    make: () => new AlbertMultipleChoice({ backbone: backbone(), dropout: 0 }),
    x: () => {
      const p = packed(B * 2);
      const group = (g: number[][]) => [g.slice(0, 2), g.slice(2, 4), g.slice(4, 6)];
      return { tokenIds: group(p.tokenIds), segmentIds: group(p.segmentIds), paddingMask: group(p.paddingMask) };
    },
    y: () => [1, 0, 1],
  },
];

/** The graph's gradients of one batch (a gradients-only build), by variable path. */
function graphGradients(task: Task, loss: SparseCategoricalCrossentropy, data: Record<TrainDataInput, tf.Tensor | undefined>): Map<string, Float32Array> {
  const head = (task as unknown as { trainGraphHead(): Parameters<typeof trainGraphSpec>[0]["head"] }).trainGraphHead();
  const spec = trainGraphSpec({ backbone: task.backbone, head, loss, optimizer: new Adam(), weights: task.weights });
  if (typeof spec === "string") throw new Error(spec);
  const session = TrainGraphSession.load(trainGraphBackend()!, { ...spec, optimizer: undefined });
  try {
    const byPath = new Map(task.weights.map((w) => [w.path, w.variable]));
    const { loss: value, yPred, values } = session.run(data, session.weightInputs.map((p) => byPath.get(p)!), []);
    const out = new Map(session.updated.map((path, i) => [path, values[i]!.dataSync() as Float32Array]));
    tf.dispose([value, yPred, ...values]);
    return out;
  } finally {
    session.dispose();
  }
}

describe.runIf(native)("the train graph's backward pass equals the gradient tape's", () => {
  it.each(CASES)("$name", async (c) => {
    await expectNoLeaks(async () => {
      const task = c.make();
      randomize(task);
      const recorder = new GradientRecorder();
      const loss = new SparseCategoricalCrossentropy({ fromLogits: c.fromLogits ?? true });
      task.compile({ optimizer: recorder, loss, metrics: [], weightedMetrics: [] });
      const x = c.x();
      const y = c.y();
      const sampleWeight = c.sampleWeight?.();
      // The tape: one fit step (an optimizer the graph does not implement keeps it there).
      await task.fit(x, y, { batchSize: B, epochs: 1, shuffle: false, ...(sampleWeight ? { sampleWeight } : {}) });
      expect(task.trainingEngine).toMatch(/^tape \(the graph applies Adam and AdamW/);
      const tape = new Map(task.weights.flatMap(({ path, variable }) => {
        const g = recorder.gradients.get(variable);
        return g ? [[path, g.dataSync() as Float32Array] as const] : [];
      }));

      // The same batch as the graph's feeds (multiple choice flattened to [b·C, S] rows).
      const flat = (v: unknown) => (v as number[][][])[0]?.[0] instanceof Array ? (v as number[][][]).flat() : (v as number[][]);
      const int = (v: unknown) => tf.tensor2d(flat(v), undefined, "int32");
      const inputs = x as Record<string, unknown>;
      const labels = tf.tensor1d((y as number[] | number[][]).flat().map((l) => (l === -100 ? 0 : l)), "int32");
      const weights = tf.tensor1d(
        sampleWeight?.flat() ?? (y as number[] | number[][]).flat().map((l) => (l === -100 ? 0 : 1)),
      );
      const data: Record<TrainDataInput, tf.Tensor | undefined> = {
        token_ids: int(inputs["tokenIds"]),
        segment_ids: int(inputs["segmentIds"]),
        padding_mask: int(inputs["paddingMask"]),
        mask_positions: inputs["maskPositions"] ? int(inputs["maskPositions"]) : undefined,
        labels,
        sample_weight: weights,
        seed: tf.scalar(0, "int32"),
        learning_rate: tf.scalar(0.001),
        alpha: tf.scalar(0.001),
      };
      const graph = graphGradients(task, loss, data);
      tf.dispose(Object.values(data).filter((t): t is tf.Tensor => t !== undefined));

      expect([...graph.keys()].sort()).toEqual([...tape.keys()].sort());
      let worst = 0;
      for (const [path, expected] of tape) {
        const actual = graph.get(path)!;
        const scale = Math.max(1, ...Array.from(expected, Math.abs));
        const diff = Math.max(...Array.from(expected, (e, i) => Math.abs(e - actual[i]!)));
        expect(diff / scale, path).toBeLessThanOrEqual(1e-5);
        // (Attention key biases have an exact gradient of 0: softmax is shift invariant.)
        if (!path.endsWith("key/bias")) expect(Array.from(expected).some((e) => e !== 0), `${path} has a nonzero gradient`).toBe(true);
        worst = Math.max(worst, diff / scale);
      }
      console.log(`${c.name}: ${tape.size} gradients, max |graph - tape| / max(1, |tape|) = ${worst.toExponential(2)}`);
      task.dispose();
    });
  });
});
