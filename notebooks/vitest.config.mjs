import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "notebooks",
    include: ["scripts/**/*.test.mjs"],
    testTimeout: 60_000,
  },
});
