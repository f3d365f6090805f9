import { defineConfig } from "vitest/config";

/** Tests of every @gmeta package: files under test/, generous timeouts (real processes), forked workers (native addons). */
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
