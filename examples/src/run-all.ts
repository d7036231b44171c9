/**
 * `pnpm examples`: runs every example in its own process (as a user would), prints each one's
 * output, and exits non-zero if any fails. CI runs this.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const EXAMPLES = ["demo", "embed-and-compare", "batch-encode-jsonl", "save-and-reload"];

let failed = 0;
for (const name of EXAMPLES) {
  console.log(`\n::: example ${name}`);
  const started = performance.now();
  const script = fileURLToPath(new URL(`./${name}.js`, import.meta.url));
  const result = spawnSync(process.execPath, [script], { stdio: "inherit" });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (result.status === 0) {
    console.log(`::: example ${name} ok (${seconds} s)`);
  } else {
    failed++;
    console.log(
      `::: example ${name} FAILED with exit code ${result.status ?? result.signal} (${seconds} s)`,
    );
  }
}
console.log(`\nexamples: ${EXAMPLES.length - failed} of ${EXAMPLES.length} ran clean`);
process.exit(failed === 0 ? 0 : 1);
