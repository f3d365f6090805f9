import type { Options } from "tsup";

/** The build every @gmeta package shares: ESM + CJS + .d.ts for Node 20, with import.meta shims for CJS. */
export function library(overrides: Options = {}): Options {
  return {
    entry: ["src/index.ts"],
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    shims: true,
    target: "node20",
    ...overrides,
  };
}
