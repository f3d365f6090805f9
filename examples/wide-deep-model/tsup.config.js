import { defineConfig } from "tsup";

// One source, two entries: dist/index.js (ESM) and dist/index.cjs (CJS).
export default defineConfig({ entry: ["src/index.js"], format: ["esm", "cjs"], target: "node20", clean: true, external: [/^@gmeta\//] });
