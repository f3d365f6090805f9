// Bundles the GPU check into one ESM file beside the tensor addon, so the device machine
// needs Node alone: every @gmeta import resolves to its package's TypeScript source.
import { fileURLToPath } from "node:url";
import { defineConfig } from "tsup";

const pkg = (p: string) => fileURLToPath(new URL(`../../packages/${p}`, import.meta.url));

export default defineConfig({
  entry: { "gpu-check": fileURLToPath(new URL("./main.ts", import.meta.url)) },
  outDir: pkg("gmeta-tensor/build/Release"),
  format: ["esm"],
  outExtension: () => ({ js: ".mjs" }),
  platform: "node",
  target: "node20",
  bundle: true,
  noExternal: [/.*/],
  clean: false,
  dts: false,
  shims: true,
  esbuildOptions(o) {
    o.alias = {
      "@gmeta/tensor/native": pkg("gmeta-tensor/src/native/public.ts"),
      "@gmeta/tensor": pkg("gmeta-tensor/src/index.ts"),
      "@gmeta/collectives": pkg("gmeta-collectives/src/index.ts"),
      "@gmeta/embedding": pkg("gmeta-embedding/src/index.ts"),
    };
  },
});
