// The graph engine in browser bundles (package.json's "browser" field swaps it in for
// graph-engine.ts): TensorFlow sessions exist only with native TensorFlow in Node, so models
// always run eagerly, on WebGPU, WebGL, WebAssembly or JS; and neither the graph builder nor
// its protobuf writer is bundled.
import type * as Node from "./graph-engine.js";

export type { GraphStatus } from "./graph-engine.js";

/** No session backend in a browser. */
export function sessionBackend(): undefined {
  return undefined;
}

/** No native TensorFlow in a browser. */
export function nativeSessionBackend(): undefined {
  return undefined;
}

/** Never called in a browser (there is no session backend). */
export function loadSavedModel(): never {
  throw new Error("TensorFlow sessions need native TensorFlow (Node.js)");
}

/** Never loaded in a browser (`sessionBackend()` is always undefined). */
export class GraphSession {
  static load(): never {
    throw new Error("TensorFlow sessions need native TensorFlow (Node.js)");
  }
}

/** Always "unavailable": `get()` never has a session, so every call runs eagerly. */
export class GraphInference {
  /** The dtype the graph would compute in. */
  readonly compute: Node.GraphInference["compute"];

  constructor(...args: ConstructorParameters<typeof Node.GraphInference>) {
    this.compute = args[1];
  }

  get status(): Node.GraphStatus {
    return "unavailable";
  }

  get(): Node.GraphSession | undefined {
    return undefined;
  }

  dispose(): void {}
}

// Every public member of the Node class must be here too: its callers are typechecked
// against graph-engine.ts, and this file stands in for it.
type Missing = Exclude<keyof Node.GraphInference, keyof GraphInference>;
const _sameApi: [Missing] extends [never] ? true : false = true;
void _sameApi;
