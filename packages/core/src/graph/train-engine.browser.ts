// The train engine in browser bundles (package.json's "browser" field swaps it in for
// train-engine.ts): TensorFlow sessions exist only with native TensorFlow in Node, so `fit`
// always runs on the gradient tape there, and neither the graph builder nor its protobuf
// writer is bundled.
import type * as Node from "./train-engine.js";

export type { TrainGraphOutputs } from "./train-engine.js";

/** No session backend in a browser. */
export function trainGraphBackend(): undefined {
  return undefined;
}

/** Never loaded in a browser (`trainGraphBackend()` is always undefined). */
export class TrainGraphSession {
  static load(): never {
    throw new Error("TensorFlow sessions need native TensorFlow (Node.js)");
  }
}

// The Node class's static API must be here too: its callers are typechecked against
// train-engine.ts, and this file stands in for it.
type Missing = Exclude<keyof typeof Node.TrainGraphSession, keyof typeof TrainGraphSession | "prototype">;
const _sameApi: [Missing] extends [never] ? true : false = true;
void _sameApi;
