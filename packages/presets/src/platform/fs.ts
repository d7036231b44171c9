// The file system presets are read from and written to: Node's. Browser bundles swap in
// fs.browser.ts (package.json's "browser" field), the in-memory files of memory-files.ts, where
// fetched and user-picked presets are placed; the readers work on either unchanged.
export {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
