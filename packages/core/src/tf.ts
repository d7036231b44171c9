/**
 * The TF.js instance every model in this package runs on. Users create, read and dispose
 * tensors with it (`import { tf } from "@albert/core"`), so `tf.memory()` counts ours too.
 */
import * as tf from "@tensorflow/tfjs-core";

export { tf };
