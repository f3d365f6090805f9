import { createRequire } from "node:module";

type ParquetWasm = typeof import("parquet-wasm");

let cached: ParquetWasm | null = null;

/**
 * parquet-wasm, loaded on first use: its node build is CommonJS and compiles a WebAssembly
 * module when loaded, which plain CSV or Arrow users should not pay for.
 */
export function parquetWasm(): ParquetWasm {
  if (!cached) {
    const require_ = createRequire(import.meta.url);
    cached = require_("parquet-wasm") as ParquetWasm;
  }
  return cached;
}
