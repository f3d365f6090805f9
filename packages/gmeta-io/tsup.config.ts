import { defineConfig } from "tsup";

export default defineConfig({
  // The decode worker is its own entry so worker_threads can start it from dist.
  entry: ["src/index.ts", "src/decodeWorker.ts"],
  format: ["esm", "cjs"],
  dts: { entry: "src/index.ts" },
  sourcemap: true,
  clean: true,
  shims: true,
  target: "node20",
});
