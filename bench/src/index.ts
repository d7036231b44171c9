/**
 * @albert/bench: albert_base on every TF.js backend, side by side with its peers, measured
 * in the same run. `runBenchmark(options)` runs it (the `albert bench` command can reuse it);
 * `formatReport(results)` renders the markdown table.
 */
export { runBenchmark, readReferenceFigures } from "./run-benchmark.js";
export { formatReport, formatMs, formatRatio, measuredPeers, ratioVs } from "./report.js";
export {
  parseArgs,
  resolveOptions,
  USAGE,
  ALL_BACKENDS,
  ALL_PEERS,
  type BenchmarkOptions,
  type PeerName,
} from "./options.js";
export {
  ALBERT_BASE,
  ALBERT_TINY,
  DEFAULT_SHAPES,
  QUICK_SHAPES,
  forwardFlops,
  iterationPlan,
  makeInputs,
  parseShape,
  tokenId,
  type ModelSpec,
  type Shape,
} from "./cases.js";
export type * from "./results.js";
