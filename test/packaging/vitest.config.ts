import { defineConfig } from "vitest/config";

/** The packaging test: packs and installs every package outside the repository (minutes, not seconds). */
export default defineConfig({
  test: {
    include: ["test/packaging/**/*.test.ts"],
    testTimeout: 600_000,
    hookTimeout: 900_000,
    pool: "forks",
  },
});
