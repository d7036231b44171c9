import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "cli",
    include: ["src/**/*.test.ts"],
    // The command runs TensorFlow with oneDNN off (see src/main.ts); the library's outputs it
    // is compared with bit for bit must be computed the same way.
    env: { TF_ENABLE_ONEDNN_OPTS: "0" },
    testTimeout: 60_000,
  },
});
