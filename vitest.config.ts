import { defineConfig } from "vitest/config";

// One vitest run over every package, so `pnpm test` prints one summary. Each package keeps its
// own `vitest run` for `turbo run test --filter`.
export default defineConfig({
  test: {
    projects: ["packages/*", "bench", "notebooks"],
  },
});
