import path from "./platform/path.js";
import { PresetError } from "./errors.js";

/**
 * Why a relative file name from a download (an archive entry, an index's shard name, a
 * listing) is unsafe, or `undefined` when it stays inside its folder. Such names come from
 * files we did not write, so they are checked as text before any path is built from them:
 * absolute paths, drive letters, backslashes, `.`/`..` segments, empty segments and control
 * characters are refused.
 */
export function unsafeRelativePathReason(name: string): string | undefined {
  if (typeof name !== "string" || name.length === 0) return "it is empty";
  if (name.length > 1024) return "it is longer than 1024 characters";
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return "it contains control characters";
  if (name.includes("\\")) return "it contains a backslash";
  if (name.startsWith("/")) return "it is an absolute path";
  if (/^[a-zA-Z]:/.test(name)) return "it starts with a drive letter";
  const segments = name.split("/");
  if (segments.some((s) => s === "..")) return "it contains a '..' segment";
  if (segments.some((s) => s === "." || s === "")) return "it contains an empty or '.' segment";
  return undefined;
}

/**
 * Checks a relative file name from an untrusted source and returns the absolute path it names
 * inside `dir`; a `PresetError` (`unsafe_path`) naming `source` otherwise.
 */
export function safeJoin(dir: string, name: string, source: string): string {
  const reason = unsafeRelativePathReason(name);
  if (reason !== undefined) {
    throw new PresetError(
      "unsafe_path",
      `${source} names the file ${JSON.stringify(name)}, which is refused because ${reason}; ` +
        "file names from presets must be relative paths that stay inside the preset folder",
      { path: source },
    );
  }
  const root = path.resolve(dir);
  const joined = path.resolve(root, ...name.split("/"));
  if (joined !== root && !joined.startsWith(root + path.sep)) {
    throw new PresetError(
      "unsafe_path",
      `${source} names the file ${JSON.stringify(name)}, which would leave ${root}`,
      { path: source },
    );
  }
  return joined;
}

/** Like `safeJoin`, for names that must be plain file names (no folder part). */
export function safeBaseName(dir: string, name: string, source: string): string {
  if (typeof name === "string" && name.includes("/")) {
    throw new PresetError(
      "unsafe_path",
      `${source} names the file ${JSON.stringify(name)}; only file names without folders are allowed there`,
      { path: source },
    );
  }
  return safeJoin(dir, name, source);
}
