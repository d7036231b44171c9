import { attr, GraphBuilder } from "./graph-builder.js";
import { DT } from "./saved-model-proto.js";

const F = attr.type(DT.FLOAT);
const I = attr.type(DT.INT32);

/** A gradient node, or `undefined` where none flows (zero). */
type Grad = string | undefined;

/** One recorded op: what it read, what it made, and its gradient rule. */
interface Step {
  inputs: readonly string[];
  outputs: readonly string[];
  /** Gradients of the inputs from the gradients of the outputs (`undefined`: zero). */
  backward: (dys: readonly Grad[]) => readonly Grad[];
}

/**
 * The gradient of an embedding table looked up with a gather, as TensorFlow gives it to Keras
 * (`tf.IndexedSlices`): one row of `values` [N, dim] per looked-up id in `indices` [N].
 */
export interface SparseGradient {
  values: string;
  indices: string;
}

/** What `gradients` found for the tracked sources. */
export interface Gradients {
  /** Dense gradients by source node. */
  dense: Map<string, string>;
  /** Per-occurrence gradients of tables read with `lookup`, by table node. */
  sparse: Map<string, SparseGradient[]>;
}

/**
 * A float32 TensorFlow graph written op by op, each op with its gradient written out by hand,
 * and reverse-mode differentiation over them: `gradients(loss)` adds the backward pass to the
 * same graph. Only ops that depend on a tracked source (a trainable variable) are recorded, so
 * no gradient is built for a frozen part of the model.
 *
 * Recomputing ops in a backward rule read a forward value through `afterGradient`, which holds
 * them back until the upstream gradient exists: TensorFlow's executor runs every op as soon as
 * its inputs are ready, and would otherwise compute them during the forward pass and keep the
 * result alive, which is what recomputing was to avoid.
 */
export class DiffGraph {
  readonly g = new GraphBuilder();
  private readonly tracked = new Set<string>();
  private readonly steps: Step[] = [];
  private readonly sparse = new Map<string, SparseGradient[]>();

  // === Sources and bookkeeping ===

  /** Marks a node (a trainable variable's placeholder) as a source of gradients. */
  track(node: string): string {
    this.tracked.add(node);
    return node;
  }

  isTracked(node: string): boolean {
    return this.tracked.has(node);
  }

  private record(inputs: readonly string[], outputs: readonly string[], backward: Step["backward"]): void {
    if (!inputs.some((x) => this.tracked.has(x))) return;
    for (const o of outputs) this.tracked.add(o);
    this.steps.push({ inputs, outputs, backward });
  }

  /** Whether a gradient is wanted for `x`. */
  private need(x: string): boolean {
    return this.tracked.has(x);
  }

  /**
   * The backward pass of everything recorded, seeded with `seed` as the gradient of `output`:
   * the dense gradient of every tracked source that `output` depends on, and the
   * per-occurrence gradients of looked-up tables. A tensor read by several ops (a shared
   * layer's weights, read once per application) sums its gradients as they arrive.
   */
  gradients(output: string, seed: string): Gradients {
    const grads = new Map<string, string>([[output, seed]]);
    for (let i = this.steps.length - 1; i >= 0; i--) {
      const step = this.steps[i]!;
      const dys = step.outputs.map((o) => grads.get(o));
      if (dys.every((d) => d === undefined)) continue;
      const dxs = step.backward(dys);
      step.inputs.forEach((x, j) => {
        const dx = dxs[j];
        if (dx === undefined || !this.tracked.has(x)) return;
        const previous = grads.get(x);
        grads.set(x, previous === undefined ? dx : this.g.op("AddV2", [previous, dx], { T: F }, "grad_sum"));
      });
      for (const o of step.outputs) grads.delete(o);
    }
    return { dense: grads, sparse: this.sparse };
  }

  // === Plain ops (not differentiated) ===

  /** `x`'s shape (`int`: for an int32 tensor). */
  shape(x: string, int = false): string {
    return this.g.op("Shape", [x], { T: int ? I : F, out_type: I });
  }

  /** `x`, but computed only once `dependency` exists (a control edge). */
  afterGradient(x: string, dependency: string): string {
    return this.g.op("Identity", [x, `^${dependency.split(":")[0]}`], { T: F }, "after_grad");
  }

  sum(x: string, axes: number[], keepDims = false): string {
    return this.g.op("Sum", [x, this.g.ints(axes)], { T: F, Tidx: I, keep_dims: attr.bool(keepDims) });
  }

  mean(x: string, axes: number[], keepDims = false): string {
    return this.g.op("Mean", [x, this.g.ints(axes)], { T: F, Tidx: I, keep_dims: attr.bool(keepDims) });
  }

  /** Element-wise float32 op with two inputs, not recorded. */
  binary(op: "AddV2" | "Sub" | "Mul" | "RealDiv" | "DivNoNan", a: string, b: string): string {
    return this.g.op(op, [a, b], { T: F });
  }

  unary(op: string, x: string): string {
    return this.g.op(op, [x], { T: F });
  }

  /** A scalar of `x`'s shape: dimension `axis` (-1: the last; `int`: an int32 tensor). */
  dim(x: string, axis: number, int = false): string {
    const begin = axis;
    const end = axis === -1 ? 0 : axis + 1;
    return this.g.op("StridedSlice", [this.shape(x, int), this.g.ints([begin]), this.g.ints([end]), this.g.ints([1])], {
      T: I, Index: I, begin_mask: attr.int(0), end_mask: attr.int(axis === -1 ? 1 : 0), ellipsis_mask: attr.int(0),
      new_axis_mask: attr.int(0), shrink_axis_mask: attr.int(1),
    }, "dim");
  }

  /** A shape vector from int32 scalars and constants. */
  pack(dims: (number | string)[]): string {
    return this.g.op("Pack", dims.map((d) => (typeof d === "number" ? this.g.scalar(d) : d)), { T: I, N: attr.int(dims.length), axis: attr.int(0) }, "shape");
  }

  // === Linear algebra ===

  /** `a·b` with optional transposes. */
  matMul(a: string, b: string, transposeA = false, transposeB = false): string {
    return this.product(a, b, transposeA, transposeB, (x, y, tx, ty) =>
      this.g.op("MatMul", [x, y], { T: F, transpose_a: attr.bool(tx), transpose_b: attr.bool(ty) }),
    );
  }

  /** Batched `a·b` (same batch dimensions) with optional adjoints of the last two axes. */
  batchMatMul(a: string, b: string, adjX = false, adjY = false): string {
    return this.product(a, b, adjX, adjY, (x, y, ax, ay) =>
      this.g.op("BatchMatMulV2", [x, y], { T: F, adj_x: attr.bool(ax), adj_y: attr.bool(ay) }),
    );
  }

  /** A matrix product `op` (transposing either side on request) and its gradients, by the same op. */
  private product(a: string, b: string, ta: boolean, tb: boolean, op: (x: string, y: string, tx: boolean, ty: boolean) => string): string {
    const y = op(a, b, ta, tb);
    this.record([a, b], [y], ([dy]) => [
      this.need(a) ? (ta ? op(b, dy!, tb, true) : op(dy!, b, false, !tb)) : undefined,
      this.need(b) ? (tb ? op(dy!, a, true, ta) : op(a, dy!, !ta, false)) : undefined,
    ]);
    return y;
  }

  /** `x + b` over the last axis. */
  biasAdd(x: string, b: string): string {
    const nhwc = attr.string("NHWC");
    const y = this.g.op("BiasAdd", [x, b], { T: F, data_format: nhwc });
    this.record([x, b], [y], ([dy]) => [dy, this.need(b) ? this.g.op("BiasAddGrad", [dy!], { T: F, data_format: nhwc }) : undefined]);
    return y;
  }

  // === Element-wise ===

  /** `a + b`, both of one shape. */
  add(a: string, b: string): string {
    const y = this.binary("AddV2", a, b);
    this.record([a, b], [y], ([dy]) => [dy, dy]);
    return y;
  }

  /** `x + p` with `p` broadcast over `x`'s leading axes `axes` (the position embedding). */
  addBroadcast(x: string, p: string, axes: number[]): string {
    const y = this.binary("AddV2", x, p);
    this.record([x, p], [y], ([dy]) => [dy, this.need(p) ? this.sum(dy!, axes) : undefined]);
    return y;
  }

  /** `x + c` for a constant `c` (no gradient for it), broadcast as TensorFlow does. */
  addConstant(x: string, c: string): string {
    if (this.need(c)) throw new Error("graph: addConstant's second input has a gradient");
    const y = this.binary("AddV2", x, c);
    this.record([x], [y], ([dy]) => [dy]);
    return y;
  }

  /** `x · c` for a constant `c` (a scalar, or a mask of `x`'s shape). */
  mulConstant(x: string, c: string): string {
    if (this.need(c)) throw new Error("graph: mulConstant's second input has a gradient");
    const y = this.binary("Mul", x, c);
    this.record([x], [y], ([dy]) => [this.binary("Mul", dy!, c)]);
    return y;
  }

  tanh(x: string): string {
    const y = this.unary("Tanh", x);
    this.record([x], [y], ([dy]) => [this.g.op("TanhGrad", [y, dy!], { T: F })]);
    return y;
  }

  sigmoid(x: string): string {
    const y = this.unary("Sigmoid", x);
    this.record([x], [y], ([dy]) => [this.g.op("SigmoidGrad", [y, dy!], { T: F })]);
    return y;
  }

  relu(x: string): string {
    const y = this.unary("Relu", x);
    this.record([x], [y], ([dy]) => [this.g.op("ReluGrad", [dy!, y], { T: F })]);
    return y;
  }

  /** `log(x)`. */
  log(x: string): string {
    const y = this.unary("Log", x);
    this.record([x], [y], ([dy]) => [this.binary("Mul", dy!, this.unary("Reciprocal", x))]);
    return y;
  }

  /** `clip(x, low, high)`: the gradient passes where `low ≤ x ≤ high` (TensorFlow's rule). */
  clip(x: string, low: number, high: number): string {
    const [lo, hi] = [this.g.floatScalar(low), this.g.floatScalar(high)];
    const y = this.g.op("ClipByValue", [x, lo, hi], { T: F });
    this.record([x], [y], ([dy]) => {
      const outside = this.g.op("LogicalOr", [this.g.op("Less", [x, lo], { T: F }), this.g.op("Greater", [x, hi], { T: F })]);
      return [this.g.op("SelectV2", [outside, this.g.op("ZerosLike", [dy!], { T: F }), dy!], { T: F })];
    });
    return y;
  }

  /**
   * `x·σ(x·(b + a·x²))` with `b = 2√(2/π)`, `a = 0.044715·b`: Keras' `gelu(approximate=True)`,
   * as the eager path computes it. The backward recomputes `σ` from `x` instead of keeping it.
   */
  geluApproximate(x: string): string {
    const b = 2 * Math.sqrt(2 / Math.PI);
    const a = b * 0.044715;
    const sigma = (v: string) => {
      const inner = this.binary("AddV2", this.binary("Mul", this.unary("Square", v), this.g.floatScalar(a)), this.g.floatScalar(b));
      return this.unary("Sigmoid", this.binary("Mul", v, inner));
    };
    const y = this.binary("Mul", x, sigma(x));
    this.record([x], [y], ([dy]) => {
      const v = this.afterGradient(x, dy!);
      const s = sigma(v);
      const square = this.unary("Square", v);
      // σ(z) + x·σ(z)·(1 − σ(z))·(b + 3a·x²)
      const slope = this.binary(
        "Mul",
        this.binary("Mul", this.binary("Mul", v, s), this.binary("Sub", this.g.floatScalar(1), s)),
        this.binary("AddV2", this.binary("Mul", square, this.g.floatScalar(3 * a)), this.g.floatScalar(b)),
      );
      return [this.binary("Mul", dy!, this.binary("AddV2", s, slope))];
    });
    return y;
  }

  /** `0.5·x·(1 + erf(x/√2))`, the exact GELU; its derivative recomputed from `x`. */
  geluExact(x: string): string {
    const half = this.g.floatScalar(0.5);
    const cdf = (v: string) =>
      this.binary("Mul", half, this.binary("AddV2", this.g.floatScalar(1), this.unary("Erf", this.binary("Mul", v, this.g.floatScalar(Math.SQRT1_2)))));
    const y = this.binary("Mul", x, cdf(x));
    this.record([x], [y], ([dy]) => {
      const v = this.afterGradient(x, dy!);
      // Φ(x) + x·exp(−x²/2)/√(2π)
      const density = this.binary(
        "Mul",
        this.unary("Exp", this.binary("Mul", this.unary("Square", v), this.g.floatScalar(-0.5))),
        this.g.floatScalar(1 / Math.sqrt(2 * Math.PI)),
      );
      return [this.binary("Mul", dy!, this.binary("AddV2", cdf(v), this.binary("Mul", v, density)))];
    });
    return y;
  }

  /** Softmax over the last axis: `dx = (dy − Σ dy·y)·y`. */
  softmax(x: string): string {
    const y = this.unary("Softmax", x);
    this.record([x], [y], ([dy]) => [this.binary("Mul", this.binary("Sub", dy!, this.sum(this.binary("Mul", dy!, y), [-1], true)), y)]);
    return y;
  }

  /**
   * Inverted dropout: `x·keep/(1 − rate)` with `keep` drawn by `StatelessRandomUniform` from
   * `seed` (int32 [2]), so a step is repeatable from its seed.
   */
  dropout(x: string, rate: number, seed: string): string {
    const uniform = this.g.op("StatelessRandomUniform", [this.shape(x), seed], { dtype: F, T: I, Tseed: I }, "dropout_uniform");
    const keep = this.g.op("Cast", [this.g.op("GreaterEqual", [uniform, this.g.floatScalar(rate)], { T: F })], {
      SrcT: attr.type(DT.BOOL), DstT: F, Truncate: attr.bool(false),
    });
    const multiplier = this.binary("Mul", keep, this.g.floatScalar(1 / (1 - rate)));
    return this.mulConstant(x, multiplier);
  }

  // === Layer normalization ===

  /**
   * `(x − mean)·rsqrt(var + ε)·γ + β` over the last axis of rows `x` [T, dim], with the
   * backward written out: `g = dy·γ`, `dx = r·(g − mean(g) − x̂·mean(g·x̂))`, `dγ = Σ dy·x̂`,
   * `dβ = Σ dy`. It keeps `x̂` and `r` for the backward pass.
   */
  layerNorm(x: string, gamma: string, beta: string, epsilon: number): string {
    const mean = this.mean(x, [-1], true);
    const centered = this.binary("Sub", x, mean);
    const variance = this.mean(this.unary("Square", centered), [-1], true);
    const r = this.unary("Rsqrt", this.binary("AddV2", variance, this.g.floatScalar(epsilon)));
    const xHat = this.binary("Mul", centered, r);
    const y = this.binary("AddV2", this.binary("Mul", xHat, gamma), beta);
    this.record([x, gamma, beta], [y], ([dy]) => {
      let dx: Grad;
      if (this.need(x)) {
        const scaled = this.binary("Mul", dy!, gamma);
        const meanScaled = this.mean(scaled, [-1], true);
        const meanDot = this.mean(this.binary("Mul", scaled, xHat), [-1], true);
        dx = this.binary("Mul", r, this.binary("Sub", this.binary("Sub", scaled, meanScaled), this.binary("Mul", xHat, meanDot)));
      }
      return [
        dx,
        this.need(gamma) ? this.sum(this.binary("Mul", dy!, xHat), [0]) : undefined,
        this.need(beta) ? this.sum(dy!, [0]) : undefined,
      ];
    });
    return y;
  }

  // === Shapes ===

  reshape(x: string, shape: string): string {
    const y = this.g.op("Reshape", [x, shape], { T: F, Tshape: I });
    this.record([x], [y], ([dy]) => [this.g.op("Reshape", [dy!, this.shape(x)], { T: F, Tshape: I })]);
    return y;
  }

  transpose(x: string, perm: number[]): string {
    const inverse = perm.map((_, i) => perm.indexOf(i));
    const y = this.g.op("Transpose", [x, this.g.ints(perm)], { T: F, Tperm: I });
    this.record([x], [y], ([dy]) => [this.g.op("Transpose", [dy!, this.g.ints(inverse)], { T: F, Tperm: I })]);
    return y;
  }

  /** `parts` joined along `axis`; `sizes`: each part's (static) size along it. */
  concat(parts: string[], axis: number, sizes: number[]): string {
    const y = this.g.op("ConcatV2", [...parts, this.g.scalar(axis)], { T: F, N: attr.int(parts.length), Tidx: I });
    this.record(parts, [y], ([dy]) => {
      const split = this.g.op("SplitV", [dy!, this.g.ints(sizes), this.g.scalar(axis)], { T: F, Tlen: I, num_split: attr.int(parts.length) });
      return parts.map((_, i) => `${split}:${i}`);
    });
    return y;
  }

  /** The `num` slices of `x` along `axis` (TensorFlow's `Unpack`). */
  unpack(x: string, num: number, axis: number): string[] {
    const node = this.g.op("Unpack", [x], { T: F, num: attr.int(num), axis: attr.int(axis) });
    const outputs = Array.from({ length: num }, (_, i) => `${node}:${i}`);
    this.record([x], outputs, (dys) => [
      this.g.op("Pack", dys.map((d, i) => d ?? this.g.op("ZerosLike", [outputs[i]!], { T: F })), { T: F, N: attr.int(num), axis: attr.int(axis) }),
    ]);
    return outputs;
  }

  /** `Slice(x, begin, size)`; the gradient pads `dy` back to `x`'s shape. */
  slice(x: string, begin: number[], size: string): string {
    const beginNode = this.g.ints(begin);
    const y = this.g.op("Slice", [x, beginNode, size], { T: F, Index: I });
    this.record([x], [y], ([dy]) => {
      const after = this.g.op("Sub", [this.g.op("Sub", [this.shape(x), beginNode], { T: I }), this.g.op("Shape", [dy!], { T: F, out_type: I })], { T: I });
      const paddings = this.g.op("Pack", [beginNode, after], { T: I, N: attr.int(2), axis: attr.int(1) });
      return [this.g.op("Pad", [dy!, paddings], { T: F, Tpaddings: I })];
    });
    return y;
  }

  // === Gathers ===

  /** Rows `indices` [M] of `params` [N, dim]; the gradient sums rows back (dense). */
  gatherRows(params: string, indices: string): string {
    const y = this.g.op("GatherV2", [params, indices, this.g.scalar(0)], { Tparams: F, Tindices: I, Taxis: I, batch_dims: attr.int(0) });
    this.record([params], [y], ([dy]) => [
      this.g.op("UnsortedSegmentSum", [dy!, indices, this.dim(params, 0)], { T: F, Tindices: I, Tnumsegments: I }),
    ]);
    return y;
  }

  /**
   * An embedding lookup, `table[ids]` ([..., dim]): its gradient is kept per occurrence (see
   * `SparseGradient`), as TensorFlow hands it to Keras' optimizer.
   */
  lookup(table: string, ids: string, dim: number): string {
    const y = this.g.op("GatherV2", [table, ids, this.g.scalar(0)], { Tparams: F, Tindices: I, Taxis: I, batch_dims: attr.int(0) });
    this.record([table], [y], ([dy]) => {
      const values = this.g.op("Reshape", [dy!, this.g.ints([-1, dim])], { T: F, Tshape: I }, "sparse_values");
      const indices = this.g.op("Reshape", [ids, this.g.ints([-1])], { T: I, Tshape: I }, "sparse_indices");
      const list = this.sparse.get(table) ?? [];
      list.push({ values, indices });
      this.sparse.set(table, list);
      return [undefined];
    });
    return y;
  }

  // === Loss ===

  /**
   * Per-row cross-entropy of `logits` [N, C] against int32 `labels` [N]
   * (`SparseSoftmaxCrossEntropyWithLogits`, what Keras' TensorFlow backend calls): the op
   * also returns `softmax − onehot`, the gradient.
   */
  sparseCrossEntropy(logits: string, labels: string): string {
    const node = this.g.op("SparseSoftmaxCrossEntropyWithLogits", [logits, labels], { T: F, Tlabels: I }, "cross_entropy");
    const loss = `${node}:0`;
    this.record([logits], [loss], ([dy]) => [this.binary("Mul", `${node}:1`, this.g.op("ExpandDims", [dy!, this.g.scalar(-1)], { T: F, Tdim: I }))]);
    return loss;
  }

  /** The sum of a vector: its gradient is `dy` in every place. */
  sumAll(x: string): string {
    const y = this.sum(x, [0]);
    this.record([x], [y], ([dy]) => [this.g.op("BroadcastTo", [dy!, this.shape(x)], { T: F, Tidx: I })]);
    return y;
  }

  /** `a / b` (0 where `b` is 0) for a constant `b`. */
  divNoNan(a: string, b: string): string {
    const y = this.binary("DivNoNan", a, b);
    this.record([a], [y], ([dy]) => [this.binary("DivNoNan", dy!, b)]);
    return y;
  }
}
