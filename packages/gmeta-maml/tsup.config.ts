import { defineConfig } from "tsup";
import { library } from "../../config/tsup.base.js";

// The batch preparation transform is its own entry so the loader's worker threads can import
// it from dist without the rest of the package (and without @gmeta/tensor).
export default defineConfig(
  library({ entry: { index: "src/index.ts", prepareTransform: "src/data/prepareTransform.ts" }, dts: { entry: { index: "src/index.ts" } } }, "@gmeta/maml"),
);
