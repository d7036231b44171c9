import { readFileSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);

/**
 * The TF.js packages tfjs-node's dependency tree shares with ours. tfjs-node must register its
 * "tensorflow" backend and kernels with the tfjs-core our models use, and the cpu backend must
 * not register its kernels twice.
 */
const SHARED = ["@tensorflow/tfjs-core", "@tensorflow/tfjs-backend-cpu"] as const;

function versionOf(manifestDir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(path.join(manifestDir, "package.json"), "utf8")) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** The package folder that holds a resolved entry file (`.../@tensorflow/tfjs-core`). */
function packageDirOf(file: string, id: string): string {
  const marker = `${path.sep}node_modules${path.sep}${id.split("/").join(path.sep)}${path.sep}`;
  const at = file.lastIndexOf(marker);
  return at < 0 ? path.dirname(file) : file.slice(0, at + marker.length - 1);
}

/**
 * Makes a native package installed elsewhere (the folder `albert-provision` set up under
 * ALBERT_HOME) load our copies of tfjs-core and tfjs-backend-cpu instead of its own: Node's
 * module cache gets an entry for each of its copies' entry files pointing at ours, so its
 * `require("@tensorflow/tfjs-core")` returns the module already loaded here and the file on
 * its side never runs. Only for the same version (TF.js releases in lockstep). Returns the
 * entry files that now point at ours.
 *
 * A second copy of the same tfjs-core would find the engine and the kernel registry in
 * globals and mostly work, but its tfjs-backend-cpu registers all its kernels again (174
 * "already registered" warnings) and every TF.js module would load twice.
 */
export function shareTfjsWith(packageDir: string): string[] {
  const from = createRequire(path.join(realpathSync(packageDir), "package.json"));
  // tfjs-node requires the union package, which requires the rest: resolve from both.
  const requirers = [from];
  try {
    requirers.push(createRequire(from.resolve("@tensorflow/tfjs/package.json")));
  } catch {
    /* a tree without the union package (a test's fake) */
  }
  const aliased: string[] = [];
  for (const id of SHARED) {
    const ours = require.resolve(id);
    require(id);
    const mine = require.cache[ours];
    if (mine === undefined) continue;
    for (const requirer of requirers) {
      let theirs: string;
      try {
        theirs = requirer.resolve(id);
      } catch {
        continue;
      }
      if (theirs === ours || require.cache[theirs] === mine) continue;
      if (versionOf(packageDirOf(theirs, id)) !== versionOf(packageDirOf(ours, id))) continue;
      require.cache[theirs] = mine;
      aliased.push(theirs);
    }
  }
  return aliased;
}
