#!/usr/bin/env node
import { parseArgs } from "node:util";
import { describeGpu, gpuProbe } from "../gpu.js";
import { exists, locateNativePackage } from "./paths.js";
import { parseSources, provisionNative } from "./provision.js";

const HELP = `Usage: albert-provision [--force] [--source LIST] [--gpu] [--json]

Sets up native TensorFlow for @albert/backends, once per machine: installs
@tensorflow/tfjs-node from the npm registry without its own download script into
ALBERT_HOME/native (default ~/.cache/albert/native, shared by every project, untouched by
npm ci), gets TensorFlow's C library (the official libtensorflow download when reachable,
else an installed TensorFlow Python package, else the tensorflow-cpu wheel from pip),
builds the addon against it and checks that it loads.

  --force         rebuild even if a working addon is present
  --source LIST   comma-separated sources to try: directory,download,python,pip
  --gpu           provision @tensorflow/tfjs-node-gpu (TensorFlow's CUDA build) instead;
                  needs an NVIDIA GPU and driver, fails (exit 1) without them. Sources:
                  an installed tensorflow[and-cuda], else pip download tensorflow and
                  its nvidia-* wheels (several GB), else the official GPU download
  --json          print the report as JSON
Environment: ALBERT_SKIP_PROVISION=1 (do nothing), ALBERT_LIBTENSORFLOW=<dir>,
ALBERT_PROVISION_SOURCES, ALBERT_HOME (cache), PYTHON (interpreter for pip),
ALBERT_TENSORFLOW_WHEEL / ALBERT_TENSORFLOW_GPU_WHEEL (pip requirement to download).`;

/** Without --gpu: one line on the GPU backend, so nobody wonders whether it was considered. */
function gpuStatus(): string {
  const location = locateNativePackage("@tensorflow/tfjs-node-gpu");
  const gpu = gpuProbe();
  if (!gpu.present) return `GPU backend: not set up, ${gpu.reason}`;
  if (location !== undefined && exists(location.addonPath)) return `GPU backend: ${describeGpu(gpu)}; checked by \`albert-provision --gpu\``;
  return `GPU backend: ${describeGpu(gpu)} found; run \`npx albert-provision --gpu\` to set up TensorFlow's CUDA build (downloads several GB)`;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      force: { type: "boolean", default: false },
      source: { type: "string" },
      gpu: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (process.env["ALBERT_SKIP_PROVISION"] === "1") {
    console.log("albert-provision: skipped (ALBERT_SKIP_PROVISION=1)");
    return 0;
  }
  const report = await provisionNative({
    package: values.gpu ? "@tensorflow/tfjs-node-gpu" : "@tensorflow/tfjs-node",
    force: values.force,
    ...(values.source ? { sources: parseSources(values.source) } : {}),
    log: values.json ? undefined : (line) => console.error(`albert-provision: ${line}`),
  });
  const gpu = values.gpu ? undefined : gpuStatus();
  if (values.json) console.log(JSON.stringify(gpu === undefined ? report : { ...report, gpuStatus: gpu }, null, 2));
  else {
    if (report.ok) console.log(`albert-provision: ${report.message}`);
    else console.error(`albert-provision: ${report.message}`);
    if (gpu !== undefined) console.log(`albert-provision: ${gpu}`);
  }
  return report.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`albert-provision: ${(error as Error).message}`);
    process.exit(1);
  },
);
