// `pnpm --filter @albert/browser-example serve`: the built demo on http://127.0.0.1:<port>/.
import { SITE_DIR } from "./paths.js";
import { startStaticServer } from "./static-server.js";

const server = await startStaticServer({ roots: { "/": SITE_DIR }, crossOriginIsolated: true });
console.log(`albert-ts demo: ${server.origin}/  (Ctrl-C stops it)`);
