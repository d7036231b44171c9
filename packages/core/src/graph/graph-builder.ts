import { DT, SavedModelMessage, type DataType } from "./saved-model-proto.js";

/**
 * The GraphDef version the graph claims to be written for: TensorFlow 2.9's, the oldest runtime
 * tfjs-node is provisioned with, so every runtime from there on accepts it.
 */
const GRAPH_PRODUCER = 1205;

/** One attribute value of a NodeDef, in protobufjs' object form. */
export type AttrValue = Record<string, unknown>;

/** Constructors for the attribute kinds the graph uses. */
export const attr = {
  type: (type: DataType): AttrValue => ({ type }),
  bool: (b: boolean): AttrValue => ({ b }),
  string: (value: string): AttrValue => ({ s: new TextEncoder().encode(value) }),
  int: (i: number): AttrValue => ({ i }),
  float: (f: number): AttrValue => ({ f }),
  strings: (values: string[]): AttrValue => ({ list: { s: values.map((v) => new TextEncoder().encode(v)) } }),
  shape: (dims: number[]): AttrValue => ({ shape: { dim: dims.map((size) => ({ size })) } }),
};

interface NodeDef {
  name: string;
  op: string;
  input: string[];
  attr: Record<string, AttrValue>;
}

export interface SignatureTensor {
  /** The node whose first output this is. */
  node: string;
  dtype: DataType;
  /** -1 for a dimension of any size. */
  shape: number[];
}

/**
 * Builds a TensorFlow GraphDef node by node and serializes it as a SavedModel whose weights
 * are constants (a frozen graph: nothing to restore, so no variables folder is needed).
 */
export class GraphBuilder {
  private readonly nodes: NodeDef[] = [];
  private readonly used = new Set<string>();

  private uniqueName(base: string): string {
    let name = base;
    for (let n = 1; this.used.has(name); n++) name = `${base}_${n}`;
    this.used.add(name);
    return name;
  }

  /** Adds a node and returns its name (which, as an input, means its first output). */
  op(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, name = op.replace(/^_+/, "").toLowerCase()): string {
    const node = { name: this.uniqueName(name), op, input: inputs, attr: attrs };
    this.nodes.push(node);
    return node.name;
  }

  placeholder(name: string, dtype: DataType, shape: number[]): string {
    return this.op("Placeholder", [], { dtype: attr.type(dtype), shape: attr.shape(shape) }, name);
  }

  /** A float32 constant, stored as raw little-endian bytes. */
  constant(values: Float32Array, shape: number[], name = "const"): string {
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    return this.op("Const", [], {
      dtype: attr.type(DT.FLOAT),
      value: { tensor: { dtype: DT.FLOAT, tensorShape: { dim: shape.map((size) => ({ size })) }, tensorContent: bytes } },
    }, name);
  }

  /** An int32 constant (shapes, axes, indices). */
  ints(values: number[], name = "ints", shape: number[] = [values.length]): string {
    const data = Int32Array.from(values);
    return this.op("Const", [], {
      dtype: attr.type(DT.INT32),
      value: {
        tensor: {
          dtype: DT.INT32,
          tensorShape: { dim: shape.map((size) => ({ size })) },
          tensorContent: new Uint8Array(data.buffer),
        },
      },
    }, name);
  }

  /** An int32 scalar constant. */
  scalar(value: number, name = "scalar"): string {
    return this.ints([value], name, []);
  }

  /** A float32 scalar constant. */
  floatScalar(value: number, name = "scalar"): string {
    return this.constant(Float32Array.of(value), [], name);
  }

  /** The SavedModel (`saved_model.pb`) holding this graph under the `serve` tag. */
  toSavedModel(signature: { inputs: Record<string, SignatureTensor>; outputs: Record<string, SignatureTensor> }): Uint8Array {
    const info = (t: SignatureTensor) => ({
      name: `${t.node}:0`,
      dtype: t.dtype,
      tensorShape: { dim: t.shape.map((size) => ({ size })) },
    });
    const map = (tensors: Record<string, SignatureTensor>) =>
      Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, info(t)]));
    const message = SavedModelMessage.fromObject({
      savedModelSchemaVersion: 1,
      metaGraphs: [
        {
          metaInfoDef: { metaGraphVersion: "albert-ts", tags: ["serve"] },
          graphDef: { node: this.nodes, versions: { producer: GRAPH_PRODUCER } },
          signatureDef: {
            serving_default: {
              inputs: map(signature.inputs),
              outputs: map(signature.outputs),
              methodName: "tensorflow/serving/predict",
            },
          },
        },
      ],
    });
    return SavedModelMessage.encode(message).finish();
  }
}
