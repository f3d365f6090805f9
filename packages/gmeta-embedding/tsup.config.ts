import { defineConfig } from "tsup";
import { library } from "../../config/tsup.base.js";

// `install` is the npm install step (prebuilt addon or source build), run by scripts/install.mjs.
// `rows` is the tensor-free dedup (`@gmeta/embedding/rows`) that batch preparation runs in
// loader worker threads, where loading @gmeta/tensor's addon would be a second copy.
export default defineConfig(
  library({ entry: { index: "src/index.ts", install: "src/native/install.ts", rows: "src/rowIndex.ts" }, dts: { entry: { index: "src/index.ts", rows: "src/rowIndex.ts" } } }, "@gmeta/embedding"),
);
