// Path operations on preset folders: Node's. Browser bundles swap in path.browser.ts, POSIX
// paths of the in-memory files.
import path from "node:path";

export default path;
