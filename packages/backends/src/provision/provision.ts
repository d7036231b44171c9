import { readFileSync, writeFileSync } from "node:fs";
import { buildAddon, checkAddonLoads, stageRuntime } from "./native-addon.js";
import {
  locateNativePackage,
  provisionRecordPath,
  exists,
  type NativePackage,
  type NativePackageLocation,
} from "./paths.js";
import {
  SourceUnavailable,
  runtimeFromDirectory,
  runtimeFromDownload,
  runtimeFromPip,
  runtimeFromPython,
  type RuntimeSourceName,
  type TensorFlowRuntime,
} from "./runtime-sources.js";

export interface ProvisionOptions {
  package?: NativePackage;
  /** Provision the package installed in this folder instead of the one Node resolves. */
  packageDir?: string;
  /** Rebuild even when a working addon is already there. */
  force?: boolean;
  /** Sources to try, in order (default: directory if ALBERT_LIBTENSORFLOW is set, then
   * download, python, pip). */
  sources?: RuntimeSourceName[];
  log?: (line: string) => void;
}

/** What provisioning set up (also stored as `deps/albert-provision.json`). */
export interface ProvisionRecord {
  package: NativePackage;
  packageVersion: string;
  source: RuntimeSourceName;
  tensorflowVersion: string;
  detail: string;
  provisionedAt: string;
}

export interface ProvisionReport {
  ok: boolean;
  /** True when a working addon was found and nothing was rebuilt. */
  alreadyProvisioned: boolean;
  record?: ProvisionRecord;
  /** Each source tried, and why it did not work. */
  failures: { source: RuntimeSourceName; reason: string }[];
  message: string;
}

export const DEFAULT_SOURCES: RuntimeSourceName[] = ["download", "python", "pip"];

/** Parses `ALBERT_PROVISION_SOURCES=python,pip`-style lists. */
export function parseSources(text: string): RuntimeSourceName[] {
  const allowed: RuntimeSourceName[] = ["directory", "download", "python", "pip"];
  return text.split(",").map((s) => {
    const name = s.trim() as RuntimeSourceName;
    if (!allowed.includes(name)) {
      throw new Error(`unknown provisioning source '${s}'; allowed: ${allowed.join(", ")}`);
    }
    return name;
  });
}

function defaultSources(): RuntimeSourceName[] {
  const fromEnv = process.env["ALBERT_PROVISION_SOURCES"];
  if (fromEnv) return parseSources(fromEnv);
  return process.env["ALBERT_LIBTENSORFLOW"] ? ["directory", ...DEFAULT_SOURCES] : DEFAULT_SOURCES;
}

function acquire(source: RuntimeSourceName): Promise<TensorFlowRuntime> {
  switch (source) {
    case "directory": {
      const dir = process.env["ALBERT_LIBTENSORFLOW"];
      if (!dir) return Promise.reject(new SourceUnavailable("ALBERT_LIBTENSORFLOW is not set"));
      return runtimeFromDirectory(dir);
    }
    case "download":
      return runtimeFromDownload();
    case "python":
      return runtimeFromPython();
    case "pip":
      return runtimeFromPip();
  }
}

/** The record of the last successful provisioning of a package, if any. */
export function readProvisionRecord(location: NativePackageLocation): ProvisionRecord | undefined {
  const file = provisionRecordPath(location);
  if (!exists(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as ProvisionRecord;
  } catch {
    return undefined;
  }
}

export const WHAT_TO_DO = [
  "To get the native backend, do one of:",
  "  - allow access to storage.googleapis.com (the official libtensorflow download), or",
  "  - pip install tensorflow-cpu (or make `pip download tensorflow-cpu` work), then rerun `npx albert-provision`, or",
  "  - point ALBERT_LIBTENSORFLOW at a folder with lib/libtensorflow*.so.2 and include/tensorflow/c/.",
  "Without it, models run on the slower WebAssembly or plain JS backend (initBackend(\"wasm\" | \"cpu\")).",
].join("\n");

/**
 * Makes `@tensorflow/tfjs-node` work without its own download: gets a TensorFlow C runtime
 * (official download, an installed TensorFlow Python package, or the `tensorflow-cpu` wheel
 * from pip), stages it in the package, builds the addon from source and checks that it loads.
 */
export async function provisionNative(options: ProvisionOptions = {}): Promise<ProvisionReport> {
  const name = options.package ?? "@tensorflow/tfjs-node";
  const log = options.log ?? (() => {});
  const location = locateNativePackage(name, options.packageDir);
  if (location === undefined) {
    return {
      ok: false,
      alreadyProvisioned: false,
      failures: [],
      message: `${name} is not installed, so there is nothing to provision.`,
    };
  }
  if (!options.force && exists(location.addonPath)) {
    const check = checkAddonLoads(location);
    if (check.ok) {
      const record = readProvisionRecord(location);
      return {
        ok: true,
        alreadyProvisioned: true,
        ...(record === undefined ? {} : { record }),
        failures: [],
        message: `${name} ${location.version} already works (TensorFlow ${check.tensorflowVersion}` +
          `${record ? `, from ${record.source}` : ""}).`,
      };
    }
    log(`the existing addon does not load (${check.error}); provisioning again`);
  }
  const failures: ProvisionReport["failures"] = [];
  for (const source of options.sources ?? defaultSources()) {
    log(`trying ${source}...`);
    let runtime: TensorFlowRuntime;
    try {
      runtime = await acquire(source);
    } catch (error) {
      failures.push({ source, reason: (error as Error).message });
      log(`  ${source}: ${(error as Error).message}`);
      continue;
    }
    log(`  got ${runtime.detail}; building the addon`);
    stageRuntime(runtime, location);
    const build = buildAddon(location);
    if (!build.ok) {
      const reason = `addon build failed: ${build.log.split("\n").slice(-8).join("\n")}`;
      failures.push({ source, reason });
      log(`  ${source}: ${reason}`);
      continue;
    }
    const check = checkAddonLoads(location);
    if (!check.ok) {
      failures.push({ source, reason: `addon built but does not load: ${check.error}` });
      log(`  ${source}: addon built but does not load: ${check.error}`);
      continue;
    }
    const record: ProvisionRecord = {
      package: name,
      packageVersion: location.version,
      source,
      tensorflowVersion: check.tensorflowVersion ?? runtime.version,
      detail: runtime.detail,
      provisionedAt: new Date().toISOString(),
    };
    writeFileSync(provisionRecordPath(location), JSON.stringify(record, null, 2) + "\n");
    return {
      ok: true,
      alreadyProvisioned: false,
      record,
      failures,
      message: `${name} ${location.version} now runs on native TensorFlow ${record.tensorflowVersion} (${record.detail}).`,
    };
  }
  return {
    ok: false,
    alreadyProvisioned: false,
    failures,
    message: `Could not provision ${name}:\n${failures.map((f) => `  - ${f.source}: ${f.reason}`).join("\n")}\n${WHAT_TO_DO}`,
  };
}
