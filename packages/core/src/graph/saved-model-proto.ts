import protobuf from "protobufjs/light.js";

/**
 * The parts of TensorFlow's SavedModel protos that a frozen inference graph needs, declared
 * with the field numbers of tensorflow/core/protobuf/{saved_model,meta_graph}.proto and
 * tensorflow/core/framework/{graph,node_def,attr_value,tensor,tensor_shape,versions}.proto.
 */
const root = protobuf.Root.fromJSON(({
  nested: {
    tensorflow: {
      nested: {
        SavedModel: {
          fields: {
            savedModelSchemaVersion: { type: "int64", id: 1 },
            metaGraphs: { rule: "repeated", type: "MetaGraphDef", id: 2 },
          },
        },
        MetaGraphDef: {
          fields: {
            metaInfoDef: { type: "MetaInfoDef", id: 1 },
            graphDef: { type: "GraphDef", id: 2 },
            signatureDef: { keyType: "string", type: "SignatureDef", id: 5 },
          },
        },
        MetaInfoDef: {
          fields: {
            metaGraphVersion: { type: "string", id: 1 },
            tags: { rule: "repeated", type: "string", id: 4 },
            tensorflowVersion: { type: "string", id: 5 },
          },
        },
        GraphDef: {
          fields: {
            node: { rule: "repeated", type: "NodeDef", id: 1 },
            versions: { type: "VersionDef", id: 4 },
          },
        },
        VersionDef: {
          fields: {
            producer: { type: "int32", id: 1 },
            minConsumer: { type: "int32", id: 2 },
          },
        },
        NodeDef: {
          fields: {
            name: { type: "string", id: 1 },
            op: { type: "string", id: 2 },
            input: { rule: "repeated", type: "string", id: 3 },
            device: { type: "string", id: 4 },
            attr: { keyType: "string", type: "AttrValue", id: 5 },
          },
        },
        AttrValue: {
          oneofs: { value: { oneof: ["list", "s", "i", "f", "b", "type", "shape", "tensor"] } },
          fields: {
            list: { type: "ListValue", id: 1 },
            s: { type: "bytes", id: 2 },
            i: { type: "int64", id: 3 },
            f: { type: "float", id: 4 },
            b: { type: "bool", id: 5 },
            type: { type: "int32", id: 6 },
            shape: { type: "TensorShapeProto", id: 7 },
            tensor: { type: "TensorProto", id: 8 },
          },
          nested: {
            ListValue: {
              fields: {
                s: { rule: "repeated", type: "bytes", id: 2 },
                i: { rule: "repeated", type: "int64", id: 3, options: { packed: true } },
              },
            },
          },
        },
        TensorShapeProto: {
          fields: {
            dim: { rule: "repeated", type: "Dim", id: 2 },
            unknownRank: { type: "bool", id: 3 },
          },
          nested: { Dim: { fields: { size: { type: "int64", id: 1 } } } },
        },
        TensorProto: {
          fields: {
            dtype: { type: "int32", id: 1 },
            tensorShape: { type: "TensorShapeProto", id: 2 },
            tensorContent: { type: "bytes", id: 4 },
          },
        },
        SignatureDef: {
          fields: {
            inputs: { keyType: "string", type: "TensorInfo", id: 1 },
            outputs: { keyType: "string", type: "TensorInfo", id: 2 },
            methodName: { type: "string", id: 3 },
          },
        },
        TensorInfo: {
          fields: {
            name: { type: "string", id: 1 },
            dtype: { type: "int32", id: 2 },
            tensorShape: { type: "TensorShapeProto", id: 3 },
          },
        },
      },
    },
  },
}) as unknown as protobuf.INamespace);

/** TensorFlow's `DataType` values used here. */
export const DT = { FLOAT: 1, INT32: 3, BOOL: 10, BFLOAT16: 14, HALF: 19 } as const;
export type DataType = (typeof DT)[keyof typeof DT];

export const SavedModelMessage = root.lookupType("tensorflow.SavedModel");
