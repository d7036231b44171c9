import { createRequire } from "node:module";
import { locateNativePackage, type NativePackage } from "./provision/paths.js";
import { readProvisionRecord } from "./provision/provision.js";

const require = createRequire(import.meta.url);

export interface NativeLoad {
  ok: boolean;
  /** The native package's version. */
  packageVersion?: string;
  /** Why it could not be loaded (the loader's own message), with what to do. */
  reason?: string;
}

const loads = new Map<NativePackage, NativeLoad>();

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split("\n")[0] ?? "";
}

/**
 * Loads a native TF.js package once (it registers its backend with tfjs-core on load). The
 * outcome is remembered: a native library that failed to load is not retried.
 */
export function loadNative(name: NativePackage): NativeLoad {
  const known = loads.get(name);
  if (known) return known;
  let result: NativeLoad;
  const location = locateNativePackage(name);
  if (location === undefined) {
    result = { ok: false, reason: `${name} is not installed` };
  } else {
    try {
      // TensorFlow's C++ logging (CPU feature notices, absl preamble) is noise for library
      // users; TF_CPP_MIN_LOG_LEVEL=0 in the environment brings it back.
      process.env["TF_CPP_MIN_LOG_LEVEL"] ??= "2";
      require(name);
      result = { ok: true, packageVersion: location.version };
    } catch (error) {
      const provisioned = readProvisionRecord(location) !== undefined;
      result = {
        ok: false,
        packageVersion: location.version,
        reason:
          `${name} failed to load: ${firstLine(error)}` +
          (provisioned ? "" : " (run `npx albert-provision` to set up its native runtime)"),
      };
    }
  }
  loads.set(name, result);
  return result;
}
